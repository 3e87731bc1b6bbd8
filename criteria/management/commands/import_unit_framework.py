from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.security import log_event
from criteria.importers import AppendixError
from criteria.models import Framework
from criteria.unit_frameworks import import_unit_framework, read_unit_framework


class Command(BaseCommand):
    help = gettext_lazy(
        "Nhập bộ chỉ số của tỉnh đánh giá một loại đơn vị (sở, ban, ngành; UBND cấp huyện; "
        "UBND cấp xã; cơ quan ngành dọc) từ tệp Excel (.xlsx) trình bày như phụ lục."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=gettext_lazy("Tệp .xlsx của bộ chỉ số"))
        parser.add_argument(
            "--type",
            dest="unit_type",
            required=True,
            choices=Framework.UnitType.values,
            help=gettext_lazy("Loại đơn vị được đánh giá"),
        )
        parser.add_argument("--year", type=int, required=True, help=gettext_lazy("Áp dụng từ năm"))
        parser.add_argument(
            "--last-year", type=int, default=None, help=gettext_lazy("Áp dụng đến năm")
        )
        parser.add_argument("--code", required=True, help=gettext_lazy("Số hiệu bộ chỉ số"))
        parser.add_argument("--name", default="", help=gettext_lazy("Tên bộ chỉ số"))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("Chỉ kiểm tra và báo thay đổi, không ghi"),
        )

    def handle(
        self,
        *args,
        file: Path,
        unit_type: str,
        year: int,
        last_year: int | None,
        code: str,
        name: str,
        dry_run: bool,
        **options,
    ) -> None:
        name = name or _("Bộ chỉ số CCHC %(type)s năm %(year)s") % {
            "type": Framework.UnitType(unit_type).label,
            "year": year,
        }
        try:
            sheet = read_unit_framework(file.read_bytes())
            report = import_unit_framework(
                sheet=sheet,
                code=code,
                name=name,
                unit_type=unit_type,
                first_year=year,
                last_year=last_year,
                dry_run=dry_run,
            )
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
        for change in report.changes:
            self.stdout.write(f"~ {change}")
        for warning in report.warnings:
            self.stderr.write(f"! {warning}")
        if not dry_run:
            log_event(
                "import",
                request=None,
                username="manage.py",
                framework=code,
                summary=report.summary(),
            )
        prefix = _("(chạy thử, không ghi) ") if dry_run else ""
        self.stdout.write(prefix + report.summary())
