from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from criteria.models import Plan
from reports.evidence_package import write_evidence_package
from reports.rollups import plan_years


class Command(BaseCommand):
    help = gettext_lazy(
        "Đóng gói tài liệu kiểm chứng của một năm thành tệp .zip: mỗi tiêu chí thành phần "
        "một thư mục, kèm danh mục (index.xlsx) và danh sách tiêu chí không có tài liệu."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help=gettext_lazy("Năm đánh giá"))
        parser.add_argument("--plan", required=True, help=gettext_lazy("Số kế hoạch"))
        parser.add_argument(
            "-o", "--output", type=Path, required=True, help=gettext_lazy("Tệp .zip ghi ra")
        )

    def handle(self, *args, year: int, plan: str, output: Path, **options) -> None:
        found = Plan.objects.select_related("framework").filter(number=plan).first()
        if found is None:
            raise CommandError(_("Không có kế hoạch số “%(plan)s”.") % {"plan": plan})
        if year not in plan_years(found):
            raise CommandError(
                _("Năm %(year)s không thuộc kế hoạch %(plan)s (%(first)s–%(last)s).")
                % {
                    "year": year,
                    "plan": found.number,
                    "first": found.baseline_year,
                    "last": found.last_year,
                }
            )
        try:
            with output.open("wb") as out:
                summary = write_evidence_package(plan=found, year=year, out=out)
        except OSError as error:
            raise CommandError(
                _("Không ghi được tệp %(file)s: %(error)s")
                % {"file": output, "error": error.strerror}
            ) from None
        for packed in summary.missing:
            self.stderr.write(
                _("! %(code)s: không đọc được tệp của tài liệu “%(document)s”.")
                % {"code": packed.code, "document": packed.document}
            )
        self.stdout.write(summary.summary())
