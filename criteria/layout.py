"""The official layout of a plan's appendix table, shared by the importer and the exporter.

An exported file must import back unchanged, so both sides read their column titles,
title lines and total row from here.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

# Column titles as the appendix of 252/KH-UBND prints them. Targets share a merged
# "Mục tiêu" cell over one sub-column per year span.
CODE_TITLE = "Stt"
NAME_TITLE = "Lĩnh vực/Tiêu chí/Tiêu chí thành phần"
MAX_TITLE = "Điểm chuẩn"
BASELINE_TITLE = "Điểm đạt được năm {year}"
TARGET_GROUP_TITLE = "Mục tiêu"
TARGET_TITLE = "Năm {years}"
ACTION_TITLE = "Thực hiện"
TOTAL_LABEL = "TỔNG ĐIỂM"
APPENDIX_HEADING = "PHỤ LỤC"
APPENDIX_TITLE = (
    "MỤC TIÊU PHẤN ĐẤU NÂNG CAO CHỈ SỐ CẢI CÁCH HÀNH CHÍNH TỈNH {province} GIAI ĐOẠN {first}-{last}"
)
APPENDIX_SUBTITLE = "(Kèm theo Kế hoạch số {number} ngày {date} của Ủy ban nhân dân tỉnh)"

# Human names of the logical columns, for error messages ("cột Điểm chuẩn").
COLUMN_LABELS = {
    "code": _("Stt"),
    "title": _("Lĩnh vực/Tiêu chí/Tiêu chí thành phần"),
    "max_score": _("Điểm chuẩn"),
    "baseline": _("Điểm đạt được năm gốc"),
    "action": _("Thực hiện"),
}


@dataclass(frozen=True)
class YearSpan:
    first: int
    last: int

    @property
    def label(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first} - {self.last}"


@dataclass
class AppendixRow:
    """One data row of the appendix, as read from a sheet or about to be written to one.

    `excel_row` is the sheet's own 1-based row number, for error messages. Scores are
    Decimals; a target is a (min, max) pair, equal for a single number.
    """

    excel_row: int
    code: str  # "" for the total row
    title: str
    max_score: Decimal | None
    baseline: Decimal | None
    targets: dict[YearSpan, tuple[Decimal, Decimal] | None] = field(default_factory=dict)
    action: str = ""
    is_total: bool = False
    is_survey: bool = False

    @property
    def depth(self) -> int:
        return self.code.count(".") + 1 if self.code else 0


@dataclass
class AppendixTable:
    """The whole table of an appendix: its years and its rows in sheet order."""

    baseline_year: int
    target_spans: list[YearSpan]
    rows: list[AppendixRow]

    @property
    def total(self) -> AppendixRow | None:
        return next((row for row in self.rows if row.is_total), None)

    @property
    def criteria_rows(self) -> list[AppendixRow]:
        return [row for row in self.rows if not row.is_total]

    @classmethod
    def from_plan(cls, plan) -> "AppendixTable":
        """Rebuild a plan's appendix from the database in five queries, whatever its size."""
        from criteria.models import Action, Criterion, Score, Target
        from criteria.published import published_results

        baseline = {
            score.criterion_id: score.value
            for score in Score.objects.filter(
                criterion__framework=plan.framework_id,
                year=plan.baseline_year,
                kind=Score.Kind.OFFICIAL,
            )
        }
        targets: dict[int | None, dict[YearSpan, tuple[Decimal, Decimal]]] = {}
        for target in Target.objects.filter(plan=plan):
            span = YearSpan(target.first_year, target.last_year)
            targets.setdefault(target.criterion_id, {})[span] = (
                target.min_score,
                target.max_score,
            )
        spans = sorted(
            {span for by_span in targets.values() for span in by_span}, key=lambda s: s.first
        )
        actions = dict(Action.objects.filter(plan=plan).values_list("criterion_id", "text"))
        rows = [
            AppendixRow(
                excel_row=0,
                code=criterion.code,
                title=criterion.title,
                max_score=criterion.max_score,
                baseline=baseline.get(criterion.id),
                targets={span: targets.get(criterion.id, {}).get(span) for span in spans},
                action=actions.get(criterion.id, ""),
                is_survey=criterion.is_survey,
            )
            for criterion in Criterion.objects.filter(framework=plan.framework_id).for_tree()
        ]
        result = published_results(plan.province).get(plan.baseline_year)
        rows.append(
            AppendixRow(
                excel_row=0,
                code="",
                title=TOTAL_LABEL,
                max_score=plan.framework.max_score,
                baseline=result.total if result else None,
                targets={span: targets.get(None, {}).get(span) for span in spans},
                is_total=True,
            )
        )
        return cls(baseline_year=plan.baseline_year, target_spans=spans, rows=rows)
