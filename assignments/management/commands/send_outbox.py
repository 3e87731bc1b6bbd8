from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from assignments.mail import send_outbox


class Command(BaseCommand):
    help = _(
        "Gửi các thư báo còn chờ trong hộp thư đi (trả lại, chấp nhận báo cáo, gia hạn) mà "
        "máy chủ thư chưa nhận lần trước. Chạy lại không gửi trùng."
    )

    def handle(self, *args, **options) -> None:
        run = send_outbox()
        self.stdout.write(
            _("Đã gửi %(sent)s thư chờ gửi; %(failed)s thư chưa gửi được.")
            % {"sent": run.sent, "failed": run.failed}
        )
        if run.failed:
            raise CommandError(
                _("Còn %(failed)s thư chưa gửi được: máy chủ thư không nhận. Lần chạy sau gửi lại.")
                % {"failed": run.failed}
            )
