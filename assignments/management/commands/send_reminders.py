from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from assignments.reminders import send_reminders


class Command(BaseCommand):
    help = _(
        "Gửi thư nhắc hạn báo cáo cho cán bộ các đơn vị chưa gửi báo cáo năm, sắp đến hạn "
        "hoặc đã quá hạn, và thư tổng hợp cho Sở Nội vụ. Chạy lại trong ngày không gửi trùng. "
        "Trước đó gửi lại các thư báo còn chờ trong hộp thư đi."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=7,
            help=_("Nhắc các đơn vị còn hạn trong số ngày này (mặc định 7)."),
        )

    def handle(self, *args, days: int, **options) -> None:
        if days < 0:
            raise CommandError(_("--days phải là số ngày không âm."))
        run = send_reminders(days=days)
        self.stdout.write(
            _("Đã gửi %(sent)s thư chờ gửi; %(failed)s thư chưa gửi được.")
            % {"sent": run.outbox.sent, "failed": run.outbox.failed}
        )
        self.stdout.write(
            _(
                "Đã nhắc %(mailed)s đơn vị, bỏ qua %(already)s đơn vị đã nhắc hôm nay, "
                "%(without)s đơn vị chưa có địa chỉ thư; %(summaries)s thư tổng hợp cho Sở Nội vụ."
            )
            % {
                "mailed": len(run.mailed),
                "already": len(run.already_sent),
                "without": len(run.without_address),
                "summaries": run.summaries,
            }
        )
        if run.failed or run.failed_summaries:
            names = [agency.name for agency in run.failed]
            if run.failed_summaries:
                names.append(_("Sở Nội vụ (thư tổng hợp)"))
            raise CommandError(
                _("Không gửi được thư cho: %(names)s.") % {"names": ", ".join(names)}
            )
        if run.outbox.failed:
            raise CommandError(
                _("Còn %(failed)s thư chưa gửi được: máy chủ thư không nhận. Lần chạy sau gửi lại.")
                % {"failed": run.outbox.failed}
            )
