"""The score entry grid of one year: one area's rows at a time, and every area's sums.

Read as plain values in a handful of queries; the sums are `roll_up`'s (reports.rollups),
so the grid, the dashboards and the exports add up alike.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, Q
from django.db.models.functions import Substr

from criteria.models import Criterion, Framework, Plan, Score
from criteria.published import published_results
from reports.figures import Figure, TreeFigures, YearFigures, roll_up, summed_scores
from reports.rollups import AREA_KEY_LENGTH, areas_of, leaf_ids


class ScoreCell(NamedTuple):
    """What the grid shows of a stored score: read as plain values, a model instance per
    score cost more than the rest of the page at the largest scale."""

    value: Decimal
    version: int
    note: str


@dataclass
class GridRow:
    """One criterion in the score grid: a leaf with its two scores, or a parent with its
    figures (reports.rollups.YearFigures: stated first, a projection in a year not final)."""

    criterion: Criterion
    is_leaf: bool
    self_score: ScoreCell | None = None
    official_score: ScoreCell | None = None
    self_figure: Figure = field(default_factory=lambda: Figure(None, Score.Kind.SELF))
    official_figure: Figure = field(default_factory=lambda: Figure(None))

    @property
    def self_total(self) -> Decimal | None:
        return self.self_figure.value

    @property
    def official_total(self) -> Decimal | None:
        return self.official_figure.value

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
        cls,
        framework: Framework | int,
        year: int,
        *,
        area: Criterion | None = None,
        is_final: bool = True,
    ) -> "ScoreGrid":
        """Two queries: the criteria (of `area` only, if given), and their scores of the year
        and the year before (a year not final shows its parents' projections)."""
        criteria = Criterion.objects.filter(framework=framework)
        if area is not None:
            criteria = criteria.filter(Q(pk=area.pk) | Q(sort_key__startswith=f"{area.sort_key}."))
        criteria = list(criteria.for_tree())
        rows = (
            Score.objects.filter(
                criterion__in=[criterion.id for criterion in criteria], year__in=[year, year - 1]
            )
            .order_by()
            .values_list("criterion_id", "kind", "year", "value", "version", "note")
        )
        scores, values = {}, []
        for criterion_id, kind, score_year, value, version, note in rows:
            values.append((criterion_id, (kind, score_year), value))
            if score_year == year:
                scores[criterion_id, kind] = ScoreCell(value, version, note)
        rollup = roll_up(criteria, values)
        figures = {
            kind: YearFigures(criteria, rollup, kind=kind, year=year, is_final=is_final)
            for kind in Score.Kind
        }
        leaves = leaf_ids(criteria)

        def figure(criterion: Criterion, kind: str) -> Figure:
            if criterion.id in leaves:  # a leaf: what is entered, never a projection
                cell = scores.get((criterion.id, kind))
                return Figure(cell.value if cell else None, kind)
            return figures[kind].figure(criterion.id)

        grid_rows = [
            GridRow(
                criterion=criterion,
                is_leaf=criterion.id in leaves,
                self_score=scores.get((criterion.id, Score.Kind.SELF)),
                official_score=scores.get((criterion.id, Score.Kind.OFFICIAL)),
                self_figure=figure(criterion, Score.Kind.SELF),
                official_figure=figure(criterion, Score.Kind.OFFICIAL),
            )
            for criterion in criteria
        ]
        return cls(
            year=year,
            rows=grid_rows,
            self_total=figures[Score.Kind.SELF].figure(None).value,
            official_total=figures[Score.Kind.OFFICIAL].figure(None).value,
            by_id={row.criterion.id: row for row in grid_rows},
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
    """An area in the score grid's summary: its figures and the score cells still empty."""

    criterion: Criterion
    self_total: Figure = field(default_factory=lambda: Figure(None, Score.Kind.SELF))
    official_total: Figure = field(default_factory=lambda: Figure(None))
    empty_cells: int = 0


@dataclass
class GridSummary:
    """Every area's figures of a year and the whole index's, by the portal's one rule
    (reports.rollups.Rollup: a stated value where there is one, else the children's sum),
    summed by the database so that the grid of one area reads no other area's rows. A year
    neither published nor final shows its projection and the count of leaves entered.
    A survey criterion's self-assessment cell is not one to fill: the Ministry scores it
    alone."""

    areas: list[GridArea]
    self_total: Figure
    official_total: Figure
    is_final: bool = True
    entered: dict[str, int] = field(default_factory=dict)
    leaf_count: int = 0

    @classmethod
    def build(cls, plan: Plan, year: int) -> "GridSummary":
        """Four queries: the tree's branches, the leaves to fill per area, the scores of the
        year and the year before summed per node, the published total of the year."""
        branches = list(Criterion.objects.filter(framework=plan.framework_id).branches().for_tree())
        areas = [GridArea(criterion) for criterion in branches if criterion.parent_id is None]
        by_key = {summary.criterion.sort_key: summary for summary in areas}
        by_id = {summary.criterion.id: summary for summary in areas}
        leaves = Criterion.objects.filter(framework=plan.framework_id).leaves()
        cells = (
            leaves.annotate(area_key=Substr("sort_key", 1, AREA_KEY_LENGTH))
            .values_list("area_key")
            .annotate(
                leaves=Count("id"), cells=Count("id") + Count("id", filter=Q(is_survey=False))
            )
            .order_by()
        )
        leaf_count = 0
        for area_key, count, empty in cells:
            by_key[area_key].empty_cells += empty
            leaf_count += count
        rows = list(summed_scores(plan.framework_id, years=[year, year - 1]))
        area_of = areas_of(branches)
        for node, _is_summed, is_leaf, _kind, row_year, *_sums, filled in rows:
            if is_leaf and row_year == year:
                by_id[area_of[node].id].empty_cells -= filled
        # The year before too: a year in progress projects from last year's published total.
        published = {
            result.year: result.total
            for result in published_results(plan.province).values()
            if result.year in (year, year - 1)
        }
        figures = TreeFigures.build(branches, rows, published=published, leaf_count=leaf_count)
        is_final = year in published or plan.is_year_final(year)
        by_kind = {kind: figures.for_year(kind, year, is_final=is_final) for kind in Score.Kind}
        for summary in areas:
            summary.self_total = by_kind[Score.Kind.SELF].figure(summary.criterion.id)
            summary.official_total = by_kind[Score.Kind.OFFICIAL].figure(summary.criterion.id)
        return cls(
            areas=areas,
            self_total=by_kind[Score.Kind.SELF].figure(None),
            official_total=by_kind[Score.Kind.OFFICIAL].figure(None),
            is_final=is_final,
            entered={kind: figures.entered.get((kind, year), 0) for kind in Score.Kind.values},
            leaf_count=leaf_count,
        )

    def area(self, code: str) -> GridArea | None:
        return next((area for area in self.areas if area.criterion.code == code), None)
