"""The score entry grid of one year: one area's rows at a time, and every area's sums.

Read as plain values in a handful of queries; the sums are `roll_up`'s (reports.rollups),
so the grid, the dashboards and the exports add up alike.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr

from criteria.models import Criterion, Framework, Score
from reports.rollups import AREA_KEY_LENGTH, CENT, leaf_ids, roll_up


class ScoreCell(NamedTuple):
    """What the grid shows of a stored score: read as plain values, a model instance per
    score cost more than the rest of the page at the largest scale."""

    value: Decimal
    version: int
    note: str


@dataclass
class GridRow:
    """One criterion in the score grid: a leaf with its two scores, or a parent with sums."""

    criterion: Criterion
    is_leaf: bool
    self_score: ScoreCell | None = None
    official_score: ScoreCell | None = None
    self_total: Decimal | None = None
    official_total: Decimal | None = None

    @property
    def lost_at_appraisal(self) -> Decimal | None:
        """Points the Ministry's appraisal took off the province's self-assessment."""
        if self.self_total is None or self.official_total is None:
            return None
        lost = self.self_total - self.official_total
        return lost if lost > 0 else None


@dataclass
class ScoreGrid:
    """A year's criteria tree with both kinds of score, ready for the entry grid: the whole
    tree, or one area's rows (the grid page shows one area at a time)."""

    year: int
    rows: list[GridRow]
    self_total: Decimal | None  # of the rows read: the whole index, or the area
    official_total: Decimal | None
    by_id: dict[int, GridRow] = field(default_factory=dict)

    @classmethod
    def build(
        cls, framework: Framework | int, year: int, *, area: Criterion | None = None
    ) -> "ScoreGrid":
        """Two queries: the criteria (of `area` only, if given), and their scores of the year."""
        criteria = Criterion.objects.filter(framework=framework)
        if area is not None:
            criteria = criteria.filter(Q(pk=area.pk) | Q(sort_key__startswith=f"{area.sort_key}."))
        criteria = list(criteria.for_tree())
        scores = {
            (criterion_id, kind): ScoreCell(value, version, note)
            for criterion_id, kind, value, version, note in Score.objects.filter(
                criterion__in=[criterion.id for criterion in criteria], year=year
            )
            .order_by()
            .values_list("criterion_id", "kind", "value", "version", "note")
        }
        sums = roll_up(
            criteria, ((cid, kind, score.value) for (cid, kind), score in scores.items())
        )
        leaves = leaf_ids(criteria)
        rows = [
            GridRow(
                criterion=criterion,
                is_leaf=criterion.id in leaves,
                self_score=scores.get((criterion.id, Score.Kind.SELF)),
                official_score=scores.get((criterion.id, Score.Kind.OFFICIAL)),
                self_total=sums[criterion.id].get(Score.Kind.SELF),
                official_total=sums[criterion.id].get(Score.Kind.OFFICIAL),
            )
            for criterion in criteria
        ]
        return cls(
            year=year,
            rows=rows,
            self_total=sums[None].get(Score.Kind.SELF),
            official_total=sums[None].get(Score.Kind.OFFICIAL),
            by_id={row.criterion.id: row for row in rows},
        )

    def ancestors(self, criterion: Criterion) -> list[GridRow]:
        """The rows above `criterion`, nearest first, whose sums change with its scores."""
        rows = []
        parent_id = criterion.parent_id
        while parent_id is not None:
            row = self.by_id[parent_id]
            rows.append(row)
            parent_id = row.criterion.parent_id
        return rows


@dataclass
class GridArea:
    """An area in the score grid's summary: its sums and the score cells still empty."""

    criterion: Criterion
    self_total: Decimal | None = None
    official_total: Decimal | None = None
    empty_cells: int = 0


@dataclass
class GridSummary:
    """Every area's sums of a year and the whole index's, as `roll_up` gives them (the
    leaves' scores, parents' own scores ignored), summed by the database so that the grid
    of one area reads no other area's rows. A survey criterion's self-assessment cell is
    not one to fill: the Ministry scores it alone."""

    areas: list[GridArea]
    self_total: Decimal | None
    official_total: Decimal | None

    @classmethod
    def build(cls, framework: Framework | int, year: int) -> "GridSummary":
        """Three queries: the areas, the leaves' scores summed per area and kind, the cells
        to fill per area."""
        areas = [
            GridArea(area)
            for area in Criterion.objects.filter(framework=framework).areas().for_tree()
        ]
        by_key = {summary.criterion.sort_key: summary for summary in areas}
        leaves = Criterion.objects.filter(framework=framework).leaves()
        cells = (
            leaves.annotate(area_key=Substr("sort_key", 1, AREA_KEY_LENGTH))
            .values_list("area_key")
            .annotate(cells=Count("id") + Count("id", filter=Q(is_survey=False)))
            .order_by()
        )
        for area_key, count in cells:
            by_key[area_key].empty_cells += count
        counted = Q(kind=Score.Kind.OFFICIAL) | Q(criterion__is_survey=False)
        sums = (
            Score.objects.filter(criterion__in=leaves, year=year)
            .annotate(area_key=Substr("criterion__sort_key", 1, AREA_KEY_LENGTH))
            .values_list("area_key", "kind")
            .annotate(total=Sum("value"), filled=Count("id", filter=counted))
            .order_by()
        )
        totals: dict[str, Decimal] = {}
        for area_key, kind, total, filled in sums:
            total = Decimal(total).quantize(CENT)  # SQLite sums decimals as floats
            summary = by_key[area_key]
            if kind == Score.Kind.SELF:
                summary.self_total = total
            else:
                summary.official_total = total
            summary.empty_cells -= filled
            totals[kind] = totals.get(kind, Decimal(0)) + total
        return cls(
            areas=areas,
            self_total=totals.get(Score.Kind.SELF),
            official_total=totals.get(Score.Kind.OFFICIAL),
        )

    def area(self, code: str) -> GridArea | None:
        return next((area for area in self.areas if area.criterion.code == code), None)
