from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.security import log_event
from criteria.importers import AppendixError
from criteria.national import ProvinceNames, import_national_table, read_national_table


class Command(BaseCommand):
    help = gettext_lazy(
        "Nhập bảng xếp hạng Chỉ số CCHC của 63 tỉnh, thành phố một năm từ tệp Excel (.xlsx) "
        "theo cách trình bày trong báo cáo của Bộ Nội vụ."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=gettext_lazy("Tệp .xlsx của bảng xếp hạng"))
        parser.add_argument("--year", type=int, required=True, help=gettext_lazy("Năm đánh giá"))
        parser.add_argument("--source", default="", help=gettext_lazy("Nguồn công bố"))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("Chỉ kiểm tra và báo thay đổi, không ghi"),
        )

    def handle(self, *args, file: Path, year: int, source: str, dry_run: bool, **options) -> None:
        try:
            sheet = read_national_table(file.read_bytes(), names=ProvinceNames.load())
            report = import_national_table(sheet=sheet, year=year, source=source, dry_run=dry_run)
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
        for name in report.created:
            self.stdout.write(f"+ {name}")
        for change in report.changed:
            self.stdout.write(f"~ {change}")
        for warning in report.warnings:
            self.stderr.write(f"! {warning}")
        if not dry_run:
            log_event(
                "import", request=None, username="manage.py", table=year, summary=report.summary()
            )
        prefix = _("(chạy thử, không ghi) ") if dry_run else ""
        self.stdout.write(prefix + report.summary())
