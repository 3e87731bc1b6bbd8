"""Check that every row of a plan's appendix equals the sum of the rows below it, and list
the sub-criteria whose owners are not confirmed and the agency groups without members."""

from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assignments.models import AgencyGroup
from assignments.owners import leaves_without_confirmed_owner
from criteria.consistency import find_mismatches
from criteria.layout import AppendixTable
from criteria.models import Plan
from criteria.published import published_results


def _number(value: Decimal) -> str:
    return number_format(value.normalize())


class Command(BaseCommand):
    help = _(
        "Kiểm tra phụ lục kế hoạch: điểm chuẩn, điểm đạt được và mục tiêu của mỗi dòng "
        "có bằng tổng các dòng con không. Trả mã lỗi khác 0 khi có chỗ chưa khớp."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--plan",
            metavar="SỐ",
            help=_("Số kế hoạch, ví dụ 252/KH-UBND. Bỏ trống khi chỉ có một kế hoạch."),
        )

    def handle(self, *args: object, plan: str | None, **options: object) -> None:
        chosen = self._get_plan(plan)
        table = AppendixTable.from_plan(chosen)
        self._warn_of_owners(chosen)
        mismatches = find_mismatches(table)
        for mismatch in mismatches:
            self.stdout.write(
                _("%(code)s | %(column)s | ghi %(stated)s | tổng các dòng con %(sum)s")
                % {
                    "code": mismatch.label,
                    "column": mismatch.column,
                    "stated": _number(mismatch.stated),
                    "sum": _number(mismatch.children_sum),
                }
            )
        conflicts = [r for r in published_results(chosen.province).values() if r.is_conflicting]
        for result in conflicts:
            self.stdout.write(
                _(
                    "Năm %(year)d | bảng xếp hạng toàn quốc ghi %(total)s, hạng %(rank)s | "
                    "kết quả chỉ số của tỉnh ghi %(other_total)s, hạng %(other_rank)s"
                )
                % {
                    "year": result.year,
                    "total": _number(result.total),
                    "rank": result.rank or "–",
                    "other_total": _number(result.other_total),
                    "other_rank": result.other_rank or "–",
                }
            )
        if conflicts:
            raise CommandError(
                ngettext(
                    "Kế hoạch %(plan)s: %(count)d năm có hai kết quả công bố khác nhau.",
                    "Kế hoạch %(plan)s: %(count)d năm có hai kết quả công bố khác nhau.",
                    len(conflicts),
                )
                % {"plan": chosen.number, "count": len(conflicts)}
            )
        if mismatches:
            raise CommandError(
                ngettext(
                    "Kế hoạch %(plan)s: %(count)d chỗ chưa khớp với tổng các dòng con.",
                    "Kế hoạch %(plan)s: %(count)d chỗ chưa khớp với tổng các dòng con.",
                    len(mismatches),
                )
                % {"plan": chosen.number, "count": len(mismatches)}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Kế hoạch %(plan)s: %(rows)d dòng, mỗi dòng đều bằng tổng các dòng con.")
                % {"plan": chosen.number, "rows": len(table.rows)}
            )
        )

    def _warn_of_owners(self, plan: Plan) -> None:
        """Warnings on stderr: they do not make the check fail, Sở Nội vụ confirms in time."""
        for group in AgencyGroup.objects.without_members():
            self.stderr.write(
                _("! Nhóm đơn vị “%(group)s” chưa có thành viên nào.") % {"group": group.name}
            )
        for criterion, responsibility in leaves_without_confirmed_owner(plan):
            if responsibility is None:
                message = _("! %(code)s: chưa có phân công, hãy nhập lại phụ lục.")
            else:
                message = _("! %(code)s: đơn vị chủ trì chưa được Sở Nội vụ xác nhận.")
            self.stderr.write(message % {"code": criterion.code})

    def _get_plan(self, number: str | None) -> Plan:
        plans = Plan.objects.select_related("framework")
        if number is not None:
            try:
                return plans.get(number=number)
            except Plan.DoesNotExist:
                raise CommandError(
                    _("Không có kế hoạch số %(number)s. Các kế hoạch hiện có: %(known)s.")
                    % {"number": number, "known": self._known(plans)}
                ) from None
        found = list(plans[:2])
        if not found:
            raise CommandError(_("Chưa có kế hoạch nào. Hãy nhập phụ lục kế hoạch trước."))
        if len(found) > 1:
            raise CommandError(
                _("Có nhiều kế hoạch, hãy chọn một bằng --plan: %(known)s.")
                % {"known": self._known(plans)}
            )
        return found[0]

    @staticmethod
    def _known(plans: QuerySet[Plan]) -> str:
        return ", ".join(plans.values_list("number", flat=True)) or "-"
