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
from reports.grid import ScoreGrid
from reports.rollups import YearResults


def results_workbook(plan: Plan, year: int) -> bytes:
    """The appendix of `plan` with self-assessed, official, lost points and status for `year`."""
    table = AppendixTable.from_plan(plan)
    grid = ScoreGrid.build(plan.framework_id, year)
    results = YearResults.build(plan, year)
    by_code = {row.criterion.code: row for row in grid.rows}
    gaps = {row.criterion.code: row for row in results.rows}
    self_scores: dict[str, Decimal | str | None] = {
        code: row.self_total for code, row in by_code.items()
    }
    official: dict[str, Decimal | str | None] = {
        code: row.official_total for code, row in by_code.items()
    }
    lost: dict[str, Decimal | str | None] = {code: gap.points_lost for code, gap in gaps.items()}
    status: dict[str, Decimal | str | None] = {
        code: str(gap.status.label) if gap.status else None for code, gap in gaps.items()
    }
    self_scores[""] = grid.self_total
    official[""] = results.total.total
    lost[""] = (
        plan.framework.max_score - results.total.total if results.total.total is not None else None
    )
    status[""] = str(results.total.status.label) if results.total.status else None
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
