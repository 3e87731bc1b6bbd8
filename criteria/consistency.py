"""Does each row of a plan's appendix add up? A parent's figures against the sum of its children."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext, gettext_lazy

from criteria.layout import AppendixRow, AppendixTable, YearSpan

TOTAL_DISPLAY = gettext_lazy("TỔNG ĐIỂM")


@dataclass(frozen=True)
class Mismatch:
    """One figure of the appendix that differs from the sum of the rows below it."""

    code: str  # "" for the total row
    column: str
    stated: Decimal
    children_sum: Decimal

    @property
    def label(self) -> str:
        return self.code or str(TOTAL_DISPLAY)


# A column reads one figure from a row; None means the cell is empty.
Column = tuple[str, Callable[[AppendixRow], Decimal | None]]


def _columns(table: AppendixTable) -> list[Column]:
    columns: list[Column] = [
        (gettext("Điểm chuẩn"), lambda row: row.max_score),
        (
            gettext("Điểm đạt được năm %(year)s") % {"year": table.baseline_year},
            lambda row: row.baseline,
        ),
    ]
    for span in table.target_spans:
        years = {"years": span.label}
        columns.append((gettext("Mục tiêu năm %(years)s (cận dưới)") % years, _target(span, 0)))
        columns.append((gettext("Mục tiêu năm %(years)s (cận trên)") % years, _target(span, 1)))
    return columns


def _target(span: YearSpan, bound: int) -> Callable[[AppendixRow], Decimal | None]:
    def read(row: AppendixRow) -> Decimal | None:
        target = row.targets.get(span)
        return None if target is None else target[bound]

    return read


def _sum(values: Iterable[Decimal | None]) -> Decimal | None:
    total = Decimal(0)
    for value in values:
        if value is None:
            return None
        total += value
    return total


def find_mismatches(table: AppendixTable) -> list[Mismatch]:
    """Every figure of a parent row that differs from the sum of its children, in table order.

    A row's children are the rows whose code is its code plus ".n"; the total row's
    children are the areas (level 1). Columns: maximum, baseline score, and both bounds
    of each target span. A comparison is skipped when the parent's cell is empty, and
    also when any child's cell is empty: an empty child cannot be summed, and reporting
    a sum without it would point at the wrong row. Reads only the table, never the database.
    """
    children: dict[str, list[AppendixRow]] = defaultdict(list)
    for row in table.criteria_rows:
        parent_code, _dot, _tail = row.code.rpartition(".")
        children[parent_code].append(row)  # areas land under "", the total row's code

    columns = _columns(table)
    mismatches = []
    for row in table.rows:
        row_children = children.get("" if row.is_total else row.code)
        if not row_children:
            continue
        for label, read in columns:
            stated = read(row)
            if stated is None:
                continue
            children_sum = _sum(read(child) for child in row_children)
            if children_sum is None or children_sum == stated:
                continue
            mismatches.append(Mismatch(row.code, label, stated, children_sum))
    return mismatches
