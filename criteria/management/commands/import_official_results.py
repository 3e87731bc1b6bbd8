from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.security import log_event
from criteria.importers import AppendixError
from criteria.models import Plan
from criteria.official import import_official_results, read_official_results


class Command(BaseCommand):
    help = gettext_lazy(
        "Nhập điểm chính thức từng tiêu chí của một năm (và lý do trừ điểm) từ tệp Excel "
        "(.xlsx) theo mẫu phụ lục, có cột “Điểm chính thức”."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=gettext_lazy("Tệp .xlsx kết quả chính thức"))
        parser.add_argument("--plan", required=True, help=gettext_lazy("Số kế hoạch"))
        parser.add_argument("--year", type=int, required=True, help=gettext_lazy("Năm đánh giá"))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("Chỉ kiểm tra và báo thay đổi, không ghi"),
        )

    def handle(self, *args, file: Path, plan: str, year: int, dry_run: bool, **options) -> None:
        found = Plan.objects.filter(number=plan).first()
        if found is None:
            raise CommandError(_("Không có kế hoạch số “%(plan)s”.") % {"plan": plan})
        try:
            sheet = read_official_results(file.read_bytes(), year=year)
            report = import_official_results(sheet=sheet, plan=found, year=year, dry_run=dry_run)
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
                % {"count": len(error.problems), "file": file}
            ) from None
        for warning in report.warnings:
            self.stderr.write(f"! {warning}")
        if not dry_run:
            log_event(
                "import", request=None, username="manage.py", plan=found, summary=report.summary()
            )
        prefix = _("(chạy thử, không ghi) ") if dry_run else ""
        self.stdout.write(prefix + report.summary())
