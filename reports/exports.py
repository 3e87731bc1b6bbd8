"""A year's results as the plan's appendix with the year's actual columns added.

The file keeps the official layout (criteria/exporters.py), so it prints like the plan and
imports back through the appendix importer, which leaves the extra columns aside.
"""

import io
from decimal import Decimal

from django.utils.translation import gettext as _

from criteria.exporters import write_appendix
from criteria.layout import AppendixTable, YearSpan
from criteria.models import Plan
from reports.figures import Basis
from reports.grid import ScoreGrid
from reports.rollups import Status, YearResults


def results_workbook(plan: Plan, year: int) -> bytes:
    """The appendix of `plan` with self-assessed, official, lost points and status for `year`."""
    table = AppendixTable.from_plan(plan)
    # The official columns are the pages' figures on official scores: a year not yet final
    # shows its projection, said so in the status column.
    results = YearResults.build(plan, year, basis=Basis.OFFICIAL)
    grid = ScoreGrid.build(plan.framework_id, year, is_final=not results.total.is_projection)
    by_code = {row.criterion.code: row for row in grid.rows}
    gaps = {row.criterion.code: row for row in results.rows}
    self_scores: dict[str, Decimal | str | None] = {
        code: row.self_total for code, row in by_code.items()
    }
    official: dict[str, Decimal | str | None] = {code: gap.actual for code, gap in gaps.items()}
    lost: dict[str, Decimal | str | None] = {code: gap.points_lost for code, gap in gaps.items()}
    status: dict[str, Decimal | str | None] = {
        code: _status(gap.figure.is_projection, gap.status) for code, gap in gaps.items()
    }
    total = results.total
    self_scores[""] = grid.self_total
    official[""] = total.total
    lost[""] = plan.framework.max_score - total.total if total.total is not None else None
    status[""] = _status(total.is_projection, total.status)
    if total.is_projection:
        status[""] = _("Dự kiến: đã nhập %(entered)s/%(count)s tiêu chí thành phần") % {
            "entered": total.entered,
            "count": total.leaf_count,
        }
    buffer = io.BytesIO()
    write_appendix(
        table,
        province=plan.province,
        plan_number=plan.number,
        issued_on=plan.issued_on,
        out=buffer,
        period=YearSpan(plan.first_year, plan.last_year),
        extra_columns={
            _("Tự đánh giá năm %(year)s") % {"year": year}: self_scores,
            _("Kết quả thẩm định năm %(year)s") % {"year": year}: official,
            _("Điểm bị mất năm %(year)s") % {"year": year}: lost,
            _("So với mục tiêu năm %(year)s") % {"year": year}: status,
        },
    )
    return buffer.getvalue()


def _status(is_projection: bool, status: Status | None) -> str | None:
    if is_projection:
        return _("Dự kiến")
    return str(status.label) if status else None
