from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.security import log_event
from criteria.importers import AppendixError, read_appendix
from criteria.models import Plan
from criteria.services import MaxChangesUnconfirmed, import_appendix


def plan_from_option(number: str | None) -> Plan:
    """The plan a command names, or the only plan there is."""
    if number:
        try:
            return Plan.objects.select_related("framework").get(number=number)
        except Plan.DoesNotExist:
            raise CommandError(
                _("Không có kế hoạch số “%(number)s”.") % {"number": number}
            ) from None
    plans = list(Plan.objects.select_related("framework")[:2])
    if len(plans) != 1:
        raise CommandError(
            _("Có nhiều kế hoạch: hãy chọn bằng --plan.") if plans else _("Chưa có kế hoạch nào.")
        )
    return plans[0]


class Command(BaseCommand):
    help = gettext_lazy(
        "Nhập phụ lục mục tiêu của kế hoạch từ tệp Excel (.xlsx) theo mẫu chính thức."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=gettext_lazy("Tệp .xlsx của phụ lục"))
        parser.add_argument("--plan", help=gettext_lazy("Số kế hoạch, ví dụ 252/KH-UBND"))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("Chỉ kiểm tra và báo thay đổi, không ghi"),
        )
        parser.add_argument(
            "--accept-max-changes",
            action="store_true",
            help=gettext_lazy(
                "Xác nhận các thay đổi điểm chuẩn của tiêu chí trong tệp (không có tùy chọn "
                "này, tệp thay đổi điểm chuẩn bị từ chối)"
            ),
        )

    def handle(
        self,
        *args,
        file: Path,
        plan: str | None,
        dry_run: bool,
        accept_max_changes: bool,
        **options,
    ) -> None:
        target = plan_from_option(plan)
        try:
            table = read_appendix(file.read_bytes())
            report = import_appendix(
                table=table, plan=target, dry_run=dry_run, accept_max_changes=accept_max_changes
            )
        except MaxChangesUnconfirmed as error:
            # The same rule as the admin's confirmation box: a maximum score is the national
            # framework's, shared by every plan and year, so it changes only when asked.
            for change in error.changes:
                self.stderr.write(f"{change.code}: {change.old} → {change.new}")
            raise CommandError(
                ngettext(
                    "Không nhập: tệp %(file)s thay đổi điểm chuẩn của %(count)s tiêu chí "
                    "(liệt kê ở trên). Nếu đúng, chạy lại với --accept-max-changes.",
                    "Không nhập: tệp %(file)s thay đổi điểm chuẩn của %(count)s tiêu chí "
                    "(liệt kê ở trên). Nếu đúng, chạy lại với --accept-max-changes.",
                    len(error.changes),
                )
                % {"file": file, "count": len(error.changes)}
            ) from None
        except OSError as error:
            raise CommandError(
                _("Không đọc được tệp %(file)s: %(error)s")
                % {"file": file, "error": error.strerror}
            ) from None
        except AppendixError as error:
            for problem in error.problems:
                self.stderr.write(problem)
            raise CommandError(
                _("Không nhập: %(count)s lỗi trong tệp %(file)s.")
                % {"count": error.count, "file": file}
            ) from None
        for code in report.created:
            self.stdout.write(f"+ {code}")
        for change in report.changes:
            if change.code not in report.created:
                self.stdout.write(f"~ {change}")
        for warning in report.warnings:
            self.stderr.write(f"! {warning}")
        if dry_run and report.changed_maximums and not accept_max_changes:
            for change in report.changed_maximums:
                self.stderr.write(f"{change.code}: {change.old} → {change.new}")
            self.stderr.write(
                _("! Tệp thay đổi điểm chuẩn (liệt kê ở trên): khi nhập cần --accept-max-changes.")
            )
        if not dry_run:
            log_event(
                "import", request=None, username="manage.py", plan=target, summary=report.summary()
            )
        prefix = _("(chạy thử, không ghi) ") if dry_run else ""
        self.stdout.write(prefix + report.summary())
