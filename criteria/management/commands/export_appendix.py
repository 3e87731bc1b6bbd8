from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from criteria.exporters import plan_appendix_bytes
from criteria.models import Plan


class Command(BaseCommand):
    # argparse cannot format lazy strings: translate when the parser is built.
    @property
    def help(self) -> str:
        return _("Xuất phụ lục mục tiêu của một kế hoạch ra tệp Excel theo mẫu chính thức.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path, help=_("Tệp .xlsx sẽ ghi ra."))
        parser.add_argument(
            "--plan",
            metavar="SỐ",
            help=_("Số kế hoạch, ví dụ 252/KH-UBND; bỏ qua được khi chỉ có một kế hoạch."),
        )

    def handle(self, *args, out: Path, plan: str | None, **options) -> None:
        chosen = self._find_plan(plan)
        try:
            out.write_bytes(plan_appendix_bytes(chosen))
        except OSError as error:
            raise CommandError(
                _("Không ghi được tệp %(out)s: %(error)s") % {"out": out, "error": error.strerror}
            ) from error
        self.stdout.write(
            _("Đã ghi phụ lục của kế hoạch %(number)s vào %(out)s.")
            % {"number": chosen.number, "out": out}
        )

    def _find_plan(self, number: str | None) -> Plan:
        plans = Plan.objects.select_related("framework")
        if number is not None:
            try:
                return plans.get(number=number)
            except Plan.DoesNotExist:
                raise CommandError(
                    _("Không có kế hoạch số %(number)s.") % {"number": number}
                ) from None
        count = plans.count()
        if count == 0:
            raise CommandError(_("Chưa có kế hoạch nào để xuất."))
        if count > 1:
            raise CommandError(
                _("Có %(count)s kế hoạch: chọn một bằng --plan SỐ.") % {"count": count}
            )
        return plans.get()
