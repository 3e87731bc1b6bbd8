"""Scores rolled up the criteria tree, and the figures the dashboards read from them.

Everything here reads a handful of queries (criteria, scores, targets, index results) and
does the arithmetic in Python, so no page's query count grows with the tree or the years.
"""

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from assignments.models import Agency, Responsibility
from criteria.models import (
    Criterion,
    Framework,
    IndexResult,
    Plan,
    Score,
    Target,
    code_sort_key,
)

AREA_KEY_LENGTH = len(code_sort_key("1"))
CENT = Decimal("0.01")


class Status(models.TextChoices):
    """Where a score stands against its target; a range target is met at its lower bound."""

    BELOW = "below", _("Chưa đạt mục tiêu")
    WITHIN = "within", _("Đạt mục tiêu")
    ABOVE = "above", _("Vượt mục tiêu")


def current_plan() -> Plan | None:
    """The plan the portal follows: the one reaching furthest, the latest issued on a tie."""
    return Plan.objects.select_related("framework").order_by("-last_year", "-issued_on").first()


def plan_years(plan: Plan) -> list[int]:
    """The years whose scores the portal keeps for a plan: its baseline year to its last year."""
    return list(range(plan.baseline_year, plan.last_year + 1))


@dataclass
class Rollup[Key: Hashable]:
    """Each node's figure per key (a year, a kind of score) and, for a parent, its children's sum.

    The rule of the whole portal, here and nowhere else: a node shows its **stated** value
    where one exists (a parent's score stated by the appendix or imported from the official
    result, the published total) and otherwise the sum of its children. `values` hold what
    a page shows; `children_sums` hold, for every node with children, the sum of their
    figures, so that a page can show both where they differ. The key None is the whole index.
    """

    values: dict[int | None, dict[Key, Decimal]]
    children_sums: dict[int | None, dict[Key, Decimal]]
    leaf_sums: dict[int | None, dict[Key, Decimal]] = field(default_factory=dict)  # sums_below

    def __getitem__(self, node: int | None) -> dict[Key, Decimal]:
        return self.values.get(node, {})

    def differing_sum(self, node: int | None, key: Key) -> Decimal | None:
        """The children's sum where the node's stated value differs from it; else None."""
        value = self.values.get(node, {}).get(key)
        children_sum = self.children_sums.get(node, {}).get(key)
        if value is None or children_sum is None or value == children_sum:
            return None
        return children_sum


def roll_up[Key: Hashable](
    criteria: list[Criterion],
    values: Iterable[tuple[int, Key, Decimal]],
    *,
    sums_below: Iterable[tuple[int, Key, Decimal]] = (),
    stated_total: dict[Key, Decimal] | None = None,
) -> Rollup[Key]:
    """Each criterion's figure per key: its own (stated) value where it has one, otherwise
    the sum of its children's figures; the key None of the result is the whole index.

    `criteria` must be in tree order (parents before children), as `for_tree()` gives them;
    `values` are (criterion id, key, value) of criteria in that list. `sums_below` are
    (parent id, key, sum) of children left out of the list (the database summed a parent's
    leaves); `stated_total` is the whole index's stated figure per key (the published total).
    One pass from the last row up adds every row into its parent. A missing key means no
    score at all, which stays empty rather than zero.
    """
    own: dict[int, dict[Key, Decimal]] = defaultdict(dict)
    for criterion_id, key, value in values:
        own[criterion_id][key] = value
    below: dict[int | None, dict[Key, Decimal]] = defaultdict(dict)
    for parent_id, key, value in sums_below:
        below[parent_id][key] = below[parent_id].get(key, Decimal(0)) + value
    leaf_sums = {parent_id: dict(sums) for parent_id, sums in below.items()}
    parent_ids = {criterion.parent_id for criterion in criteria} | set(below)
    rolled: dict[int | None, dict[Key, Decimal]] = {}
    children_sums: dict[int | None, dict[Key, Decimal]] = {}
    for criterion in reversed(criteria):
        if criterion.id in parent_ids:
            children_sums[criterion.id] = below.get(criterion.id, {})
            rolled[criterion.id] = {**children_sums[criterion.id], **own.get(criterion.id, {})}
        else:
            rolled[criterion.id] = dict(own.get(criterion.id, {}))
        parent_sums = below[criterion.parent_id]
        for key, value in rolled[criterion.id].items():
            parent_sums[key] = parent_sums.get(key, Decimal(0)) + value
    children_sums[None] = below.get(None, {})
    rolled[None] = {**children_sums[None], **(stated_total or {})}
    return Rollup(values=rolled, children_sums=children_sums, leaf_sums=leaf_sums)


def status_of(actual: Decimal | None, target: Target | None) -> Status | None:
    if actual is None or target is None:
        return None
    if actual < target.min_score:
        return Status.BELOW
    if actual > target.max_score:
        return Status.ABOVE
    return Status.WITHIN


def shortfall(actual: Decimal | None, bound: Decimal | None) -> Decimal | None:
    """Points still missing to reach `bound`; zero once it is reached."""
    if actual is None or bound is None:
        return None
    return max(bound - actual, Decimal(0))


def target_for_year(targets: list[Target], year: int) -> Target | None:
    """The target whose span covers `year`; before the plan the first, after it the last.

    `targets` are one criterion's (or the total's) targets ordered by first year. A year
    before the plan (the baseline) is measured against the first target to reach.
    """
    if not targets:
        return None
    covering = covering_target(targets, year)
    if covering:
        return covering
    return targets[0] if year < targets[0].first_year else targets[-1]


def covering_target(targets: list[Target], year: int) -> Target | None:
    """The target whose span covers `year`, if any."""
    return next((t for t in targets if t.first_year <= year <= t.last_year), None)


def targets_by_criterion(plan: Plan, *, areas_only: bool = False) -> dict[int | None, list[Target]]:
    """The plan's targets per criterion id (None: the total), each list ordered by year.

    `areas_only` keeps the total's and the areas' targets: what the overview shows, a
    few dozen rows where the whole tree has thousands.
    """
    targets = Target.objects.filter(plan=plan)
    if areas_only:
        targets = targets.filter(Q(criterion__isnull=True) | Q(criterion__parent__isnull=True))
    by_criterion: dict[int | None, list[Target]] = defaultdict(list)
    for target in targets.order_by("first_year"):
        by_criterion[target.criterion_id].append(target)
    return by_criterion


def tree_of(framework: Framework | int) -> list[Criterion]:
    return list(Criterion.objects.filter(framework=framework).for_tree())


def areas_of(criteria: list[Criterion]) -> dict[int, Criterion]:
    """Each criterion's area (its level-1 ancestor), by criterion id."""
    area: dict[int, Criterion] = {}
    for criterion in criteria:  # tree order: a parent's area is known before its children
        area[criterion.id] = area[criterion.parent_id] if criterion.parent_id else criterion
    return area


def leaf_ids(criteria: list[Criterion]) -> set[int]:
    parent_ids = {criterion.parent_id for criterion in criteria}
    return {criterion.id for criterion in criteria if criterion.id not in parent_ids}


# -- Which scores a figure is made of, and a year in progress ---------------------------------


class Basis(models.TextChoices):
    """The scores a page works on: the official ones where they exist, else the province's own."""

    SELF = Score.Kind.SELF.value, _("tự đánh giá")
    OFFICIAL = Score.Kind.OFFICIAL.value, _("chính thức")


def basis_for(kinds_present: Iterable[str], asked: str | None = None) -> str:
    """The basis asked for (?basis=), else official scores where the year has any, else the
    self-assessment where it has any, else official."""
    if asked in Basis.values:
        return asked
    present = set(kinds_present)
    if Basis.OFFICIAL in present or Basis.SELF not in present:
        return Basis.OFFICIAL
    return Basis.SELF


DELTA = "delta"


@dataclass(frozen=True)
class Figure:
    """What a page shows for one node and year: the value, of which kind of score, whether
    it is a projection (the year is not final), and the children's sum where a stated value
    differs from it."""

    value: Decimal | None
    kind: str = Basis.OFFICIAL
    is_projection: bool = False
    children_sum: Decimal | None = None

    @property
    def basis_label(self) -> str:
        return Basis(self.kind).label

    @property
    def difference(self) -> Decimal | None:
        """Stated value minus the children's sum, where they differ."""
        if self.value is None or self.children_sum is None:
            return None
        return self.value - self.children_sum


def _add(total: Decimal | None, value: Decimal | None) -> Decimal | None:
    if value is None:
        return total
    return value if total is None else total + value


class YearFigures:
    """The figure of every node of the tree for one year and kind of score, by the rule of
    `Rollup`; a year neither published nor final is a **projection**: a node below which no
    score of the year is entered keeps last year's figure (stated where stated); any other
    node is the sum of its children's projections, an entered leaf counting its own score.
    When every leaf is entered, the projection is the year's sum.

    The roll-up must hold the keys (kind, year), (official, year − 1) and, for the leaves
    of the year, (DELTA, kind, year): the change their score makes to last year's.
    """

    def __init__(
        self, criteria: list[Criterion], rollup: Rollup, *, kind: str, year: int, is_final: bool
    ) -> None:
        self.rollup, self.kind, self.year, self.is_final = rollup, kind, year, is_final
        self.this_year, self.last_year = (kind, year), (Basis.OFFICIAL, year - 1)
        self.projected: dict[int | None, Decimal | None] = {}
        if not is_final:
            self._project(criteria)

    def _project(self, criteria: list[Criterion]) -> None:
        change = (DELTA, self.kind, self.year)
        touched: set[int | None] = set()
        children: dict[int | None, Decimal | None] = defaultdict(lambda: None)
        for node, sums in self.rollup.leaf_sums.items():  # leaves the database summed
            if change in sums:
                touched.add(node)
                children[node] = _add(sums.get(self.last_year), sums[change])
            else:
                children[node] = sums.get(self.last_year)
        parent_ids = {criterion.parent_id for criterion in criteria} | set(self.rollup.leaf_sums)
        for criterion in reversed(criteria):
            values = self.rollup[criterion.id]
            if criterion.id not in parent_ids:  # a leaf: its score of the year, or last year's
                entered = values.get(self.this_year)
                if entered is not None:
                    touched.add(criterion.id)
                value = entered if entered is not None else values.get(self.last_year)
            elif criterion.id in touched:
                value = children[criterion.id]
            else:
                value = values.get(self.last_year)
            self.projected[criterion.id] = value
            children[criterion.parent_id] = _add(children[criterion.parent_id], value)
            if criterion.id in touched:
                touched.add(criterion.parent_id)
        self.projected[None] = (
            children[None] if None in touched else self.rollup[None].get(self.last_year)
        )

    def figure(self, node: int | None, *, is_leaf: bool = False) -> Figure:
        """What a page shows for `node` (None: the whole index). In a year in progress a
        leaf with its own score entered shows that score, not a projection."""
        values = self.rollup[node]
        if self.is_final or (is_leaf and self.this_year in values):
            return Figure(
                values.get(self.this_year),
                self.kind,
                children_sum=self.rollup.differing_sum(node, self.this_year),
            )
        return Figure(self.projected.get(node), self.kind, is_projection=True)


def summed_scores(
    framework: Framework | int, *, years: Iterable[int], kinds: Iterable[str] = Basis.values
) -> models.QuerySet:
    """The scores of `years` as the database sums them: a row per (node, is_summed, is_leaf,
    kind, year) with `total`, `count`, `change` and `cells`.

    A leaf below a parent is summed into its parent's row (is_summed); any other score (a
    parent's stated score, an area without criteria) is its node's own row. `change` is the
    leaves' scores minus their official score of the year before (see `project`); `cells`
    counts the scores that fill a grid cell (a survey criterion has no self-assessment).
    """
    has_children = Exists(Criterion.objects.filter(parent=OuterRef("criterion_id")))
    last_year = Score.objects.filter(
        criterion=OuterRef("criterion_id"), kind=Score.Kind.OFFICIAL, year=OuterRef("year") - 1
    ).values("value")[:1]
    is_summed = Case(
        When(Q(criterion__parent__isnull=False) & ~Q(has_children), then=Value(True)),
        default=Value(False),
        output_field=models.BooleanField(),
    )
    return (
        Score.objects.filter(criterion__framework=framework, year__in=years, kind__in=kinds)
        .annotate(
            is_summed=is_summed,
            is_leaf=Case(
                When(has_children, then=Value(False)),
                default=Value(True),
                output_field=models.BooleanField(),
            ),
            node=Case(
                When(is_summed=True, then=F("criterion__parent_id")), default=F("criterion_id")
            ),
        )
        .values_list("node", "is_summed", "is_leaf", "kind", "year")
        .annotate(
            total=Sum("value"),
            count=Count("id"),
            change=Sum(F("value") - Coalesce(Subquery(last_year), Value(Decimal(0)))),
            cells=Count("id", filter=Q(kind=Score.Kind.OFFICIAL) | Q(criterion__is_survey=False)),
        )
        .order_by()
    )


@dataclass
class TreeFigures:
    """The tree's figures for some years from `summed_scores`: the roll-up of each (kind,
    year), the changes of the years in progress, and how many leaves have a score."""

    criteria: list[Criterion]
    rollup: Rollup
    entered: dict[tuple[str, int], int]
    leaf_count: int

    @classmethod
    def build(
        cls,
        criteria: list[Criterion],
        rows: Iterable[tuple],
        *,
        published: dict[int, Decimal],
        leaf_count: int,
    ) -> "TreeFigures":
        """`criteria`: at least the tree's branches, in tree order; `published`: the
        published total per year, the whole index's stated figure."""
        own, below = [], []
        entered: dict[tuple[str, int], int] = defaultdict(int)
        for node, is_summed, is_leaf, kind, year, total, count, change, _cells in rows:
            total = Decimal(total).quantize(CENT)  # SQLite sums decimals as floats
            (below if is_summed else own).append((node, (kind, year), total))
            if is_leaf:
                change = Decimal(change).quantize(CENT)
                (below if is_summed else own).append((node, (DELTA, kind, year), change))
                entered[kind, year] += count
        stated = {(Basis.OFFICIAL, year): total for year, total in published.items()}
        return cls(
            criteria=criteria,
            rollup=roll_up(criteria, own, sums_below=below, stated_total=stated),
            entered=dict(entered),
            leaf_count=leaf_count,
        )

    def kinds_in(self, year: int) -> set[str]:
        return {kind for kind, entered_year in self.entered if entered_year == year}

    def for_year(self, kind: str, year: int, *, is_final: bool) -> YearFigures:
        return YearFigures(self.criteria, self.rollup, kind=kind, year=year, is_final=is_final)


# -- Gaps: each criterion against its maximum and its target ---------------------------------


@dataclass
class GapRow:
    """A criterion's result for a year against its maximum, the baseline and its target."""

    criterion: Criterion
    area: Criterion
    is_leaf: bool
    baseline: Decimal | None
    target: Target | None
    figure: Figure
    baseline_sum: Decimal | None = None  # the children's sum where the stated baseline differs
    lost_at_appraisal: Decimal | None = None  # a leaf's self-assessment minus its official score
    appraisal_note: str = ""  # why the appraisal took points off
    is_judged: bool = True  # False for the baseline: shown against the plan's first target

    @property
    def actual(self) -> Decimal | None:
        return self.figure.value

    @property
    def max_score(self) -> Decimal:
        return self.criterion.max_score

    @property
    def points_lost(self) -> Decimal | None:
        return None if self.actual is None else self.criterion.max_score - self.actual

    @property
    def shortfall(self) -> Decimal | None:
        return shortfall(self.actual, self.target.min_score if self.target else None)

    @property
    def status(self) -> Status | None:
        """Against the target only for a year of the plan, and not for a projection."""
        if not self.is_judged or self.figure.is_projection:
            return None
        return status_of(self.actual, self.target)


@dataclass
class YearTotal:
    """The whole index for a year: the published total, or the figure of its scores; a year
    neither published nor declared final is a projection, with how many leaves are entered."""

    year: int
    figure: Figure
    rank: int | None = None
    province_count: int | None = None
    is_published: bool = False
    target: Target | None = None
    entered: int = 0
    leaf_count: int = 0
    lost_at_appraisal: Decimal | None = None  # the leaves' points taken off at appraisal
    is_judged: bool = True  # False for the baseline: shown against the plan's first target

    @property
    def total(self) -> Decimal | None:
        return self.figure.value

    @property
    def is_projection(self) -> bool:
        return self.figure.is_projection

    @property
    def status(self) -> Status | None:
        """Against the target only for a year of the plan's result: the baseline comes
        before the plan, and a projection is no result."""
        if not self.is_judged or self.is_projection:
            return None
        return status_of(self.total, self.target)

    @property
    def shortfall(self) -> Decimal | None:
        return shortfall(self.total, self.target.min_score if self.target else None)


def appraisal_loss(values: dict, year: int) -> Decimal | None:
    """Points the appraisal took off a leaf's self-assessment: self-assessed minus official
    score of the year, where both exist and the official one is lower."""
    self_value = values.get((Basis.SELF, year))
    official = values.get((Basis.OFFICIAL, year))
    if self_value is None or official is None or official >= self_value:
        return None
    return self_value - official


@dataclass
class YearResults:
    """Every criterion of the tree for one year, with the year's total."""

    plan: Plan
    year: int
    rows: list[GapRow]
    total: YearTotal

    @classmethod
    def build(cls, plan: Plan, year: int, *, basis: str | None = None) -> "YearResults":
        """Four queries: criteria, scores of the year, the year before and the baseline, the
        plan's targets, the published index of those years."""
        criteria = tree_of(plan.framework_id)
        years = {year, year - 1, plan.baseline_year}
        scores = list(
            Score.objects.filter(criterion__framework=plan.framework_id, year__in=years)
            .order_by()
            .values_list("criterion_id", "kind", "year", "value", "note")
        )
        published = {
            result.year: result
            for result in IndexResult.objects.filter(province=plan.province, year__in=years)
        }
        kind = basis_for((k for _c, k, y, *_rest in scores if y == year), basis)
        leaves = leaf_ids(criteria)
        notes = {c: note for c, k, y, _v, note in scores if y == year and k == Basis.OFFICIAL}
        stated = {(Basis.OFFICIAL, y): result.total for y, result in published.items()}
        rollup = roll_up(
            criteria, ((c, (k, y), v) for c, k, y, v, _note in scores), stated_total=stated
        )
        figures = YearFigures(
            criteria,
            rollup,
            kind=kind,
            year=year,
            is_final=year in published or plan.is_year_final(year),
        )
        targets = targets_by_criterion(plan)
        area = areas_of(criteria)
        baseline = (Basis.OFFICIAL, plan.baseline_year)
        rows = [
            GapRow(
                criterion=criterion,
                area=area[criterion.id],
                is_leaf=criterion.id in leaves,
                baseline=rollup[criterion.id].get(baseline),
                baseline_sum=rollup.differing_sum(criterion.id, baseline),
                target=target_for_year(targets.get(criterion.id, []), year),
                is_judged=year >= plan.first_year,
                figure=figures.figure(criterion.id, is_leaf=criterion.id in leaves),
                lost_at_appraisal=appraisal_loss(rollup[criterion.id], year)
                if criterion.id in leaves
                else None,
                appraisal_note=notes.get(criterion.id, ""),
            )
            for criterion in criteria
        ]
        result = published.get(year)
        total = YearTotal(
            year=year,
            figure=figures.figure(None),
            rank=result.rank if result else None,
            province_count=result.province_count if result else None,
            is_published=result is not None,
            target=target_for_year(targets.get(None, []), year),
            is_judged=year >= plan.first_year,
            entered=sum(1 for c, k, y, *_rest in scores if y == year and k == kind and c in leaves),
            lost_at_appraisal=sum(
                (row.lost_at_appraisal for row in rows if row.lost_at_appraisal), Decimal(0)
            )
            or None,
            leaf_count=len(leaves),
        )
        return cls(plan=plan, year=year, rows=rows, total=total)

    @property
    def basis(self) -> str:
        return self.total.figure.kind

    @property
    def areas(self) -> list[GapRow]:
        return [row for row in self.rows if row.criterion.level == Criterion.Level.AREA]

    @property
    def leaves(self) -> list[GapRow]:
        return [row for row in self.rows if row.is_leaf]


# -- The overview over the years --------------------------------------------------------------


@dataclass
class AreaSummary:
    """An area's maximum, baseline, target and latest figure."""

    criterion: Criterion
    baseline: Decimal | None
    target: Target | None
    figure: Figure
    is_judged: bool = True  # False when the latest year is the baseline

    @property
    def actual(self) -> Decimal | None:
        return self.figure.value

    @property
    def status(self) -> Status | None:
        if not self.is_judged or self.figure.is_projection:
            return None
        return status_of(self.actual, self.target)


@dataclass
class Overview:
    """The province's index over the years and each area's standing in the latest year."""

    plan: Plan
    years: list[YearTotal]
    total_targets: list[Target]
    latest_year: int | None
    areas: list[AreaSummary]

    @classmethod
    def build(
        cls, plan: Plan, *, basis: str | None = None, published_only: bool = False
    ) -> "Overview":
        """Four queries: published results, the criteria, their scores summed per node and
        year, targets.

        Years run from the first with any result to the latest; a year neither published
        nor final shows a projection. `published_only` (the public page) keeps the
        published years alone.
        """
        published = {
            result.year: result for result in IndexResult.objects.filter(province=plan.province)
        }
        criteria = tree_of(plan.framework_id)
        rows = summed_scores(plan.framework_id, years=plan_years(plan))
        if published_only:
            rows = rows.filter(year__in=published)
        figures = TreeFigures.build(
            criteria,
            rows,
            published={year: result.total for year, result in published.items()},
            leaf_count=len(leaf_ids(criteria)),
        )
        targets = targets_by_criterion(plan, areas_only=True)
        scored_years = {year for _kind, year in figures.entered}
        known_years = set(published) if published_only else scored_years | set(published)
        years = range(min(known_years), max(known_years) + 1) if known_years else range(0)
        totals = []
        by_year: dict[int, YearFigures] = {}
        for year in years:
            result = published.get(year)
            if published_only and result is None:
                continue
            kind = basis_for(figures.kinds_in(year), basis)
            by_year[year] = figures.for_year(
                kind, year, is_final=result is not None or plan.is_year_final(year)
            )
            totals.append(
                YearTotal(
                    year=year,
                    figure=by_year[year].figure(None),
                    rank=result.rank if result else None,
                    province_count=result.province_count if result else None,
                    is_published=result is not None,
                    target=covering_target(targets.get(None, []), year),
                    entered=figures.entered.get((kind, year), 0),
                    leaf_count=figures.leaf_count,
                )
            )
        latest_year = max(scored_years) if scored_years else None
        latest = by_year.get(latest_year) if latest_year else None
        baseline = (Basis.OFFICIAL, plan.baseline_year)
        areas = [
            AreaSummary(
                criterion=criterion,
                baseline=figures.rollup[criterion.id].get(baseline),
                target=target_for_year(targets.get(criterion.id, []), latest_year or 0),
                figure=latest.figure(criterion.id) if latest else Figure(None),
                is_judged=(latest_year or 0) >= plan.first_year,
            )
            for criterion in criteria
            if criterion.parent_id is None
        ]
        return cls(
            plan=plan,
            years=totals,
            total_targets=targets.get(None, []),
            latest_year=latest_year,
            areas=areas,
        )


# -- The route to the target ------------------------------------------------------------------


@dataclass
class Recoverable:
    """A sub-criterion's points still to win (maximum − actual), with the running sum."""

    row: GapRow
    points: Decimal
    cumulative: Decimal


@dataclass
class Route:
    """How far the year's total is from its target, and where the points could come from."""

    results: YearResults
    recoverable: list[Recoverable]
    recoverable_count: int
    without_survey: bool

    LIMIT = 20

    @classmethod
    def build(cls, results: YearResults, *, without_survey: bool) -> "Route":
        candidates = sorted(
            (
                row
                for row in results.leaves
                if row.points_lost and not (without_survey and row.criterion.is_survey)
            ),
            key=lambda row: (-row.points_lost, row.criterion.sort_key),
        )
        recoverable = []
        cumulative = Decimal(0)
        for row in candidates[: cls.LIMIT]:
            cumulative += row.points_lost
            recoverable.append(Recoverable(row=row, points=row.points_lost, cumulative=cumulative))
        return cls(
            results=results,
            recoverable=recoverable,
            recoverable_count=len(candidates),
            without_survey=without_survey,
        )

    @property
    def target(self) -> Target | None:
        return self.results.total.target

    @property
    def needed_for_lower(self) -> Decimal | None:
        return shortfall(self.results.total.total, self.target.min_score if self.target else None)

    @property
    def needed_for_upper(self) -> Decimal | None:
        return shortfall(self.results.total.total, self.target.max_score if self.target else None)

    def _projected(self, bound: str) -> Decimal | None:
        """The sum of the leaves if each reached its own target (and kept any score above it)."""
        total = None
        for row in self.results.leaves:
            goal = getattr(row.target, bound) if row.target else None
            candidates = [value for value in (row.actual, goal) if value is not None]
            if candidates:
                total = (total or Decimal(0)) + max(candidates)
        return total

    @property
    def projected_lower(self) -> Decimal | None:
        return self._projected("min_score")

    @property
    def projected_upper(self) -> Decimal | None:
        return self._projected("max_score")

    @property
    def reaches_lower_at(self) -> int | None:
        """How many of the listed sub-criteria, taken in order, cover the points needed."""
        needed = self.needed_for_lower
        if not needed:
            return None
        for index, item in enumerate(self.recoverable, start=1):
            if item.cumulative >= needed:
                return index
        return None

    @property
    def target_gaps(self) -> list["TargetGap"]:
        """The total and the areas whose target is more than their sub-criteria give when
        each reaches its own target: the points that must come from above those targets."""
        return target_gaps(self.results)


@dataclass
class Headroom:
    """A sub-criterion's points above its own target, up to its maximum."""

    row: GapRow
    points: Decimal


@dataclass
class TargetGap:
    """A target (of the total, None, or an area) its sub-targets do not reach."""

    criterion: Criterion | None
    target: Decimal
    reachable: Decimal  # the sum of its sub-criteria, each at its target or above
    headroom: list[Headroom]

    HEADROOM_LIMIT = 5

    @property
    def missing(self) -> Decimal:
        return self.target - self.reachable

    @property
    def headroom_total(self) -> Decimal:
        return sum((item.points for item in self.headroom), Decimal(0))


def _reachable(row: GapRow) -> Decimal:
    """A leaf at its own target, or at its score where that is higher."""
    goal = row.target.min_score if row.target else None
    return max((value for value in (row.actual, goal) if value is not None), default=Decimal(0))


def target_gaps(results: YearResults) -> list[TargetGap]:
    """The total's and each area's lower target against the sum of their sub-criteria at
    their own targets, where that sum falls short, with the sub-criteria that still have
    points above their target (largest first)."""
    by_area: dict[int | None, list[GapRow]] = defaultdict(list)
    for row in results.leaves:
        by_area[row.area.id].append(row)
        by_area[None].append(row)
    goals = [(None, results.total.target)] + [(row.criterion, row.target) for row in results.areas]
    gaps = []
    for criterion, target in goals:
        leaves = by_area.get(criterion.id if criterion else None, [])
        if target is None or not leaves:
            continue
        reachable = sum((_reachable(row) for row in leaves), Decimal(0))
        if reachable >= target.min_score:
            continue
        headroom = sorted(
            (
                Headroom(row=row, points=row.max_score - _reachable(row))
                for row in leaves
                if row.max_score > _reachable(row)
            ),
            key=lambda item: (-item.points, item.row.criterion.sort_key),
        )
        gaps.append(
            TargetGap(
                criterion=criterion,
                target=target.min_score,
                reachable=reachable,
                headroom=headroom[: TargetGap.HEADROOM_LIMIT],
            )
        )
    return gaps


# -- The gap table's filters and order -------------------------------------------------------

GAP_SORT_KEYS: dict[str, Callable[[GapRow], object]] = {
    "code": lambda row: row.criterion.sort_key,
    "max": lambda row: row.max_score,
    "baseline": lambda row: row.baseline,
    "target": lambda row: row.target.min_score if row.target else None,
    "actual": lambda row: row.actual,
    "lost": lambda row: row.points_lost,
    "shortfall": lambda row: row.shortfall,
}
DEFAULT_GAP_SORT = "-lost"


def filter_gap_rows(
    rows: list[GapRow],
    *,
    area_id: int | None = None,
    is_survey: bool | None = None,
    status: str | None = None,
) -> list[GapRow]:
    """The criteria and sub-criteria (areas are the filter, not rows) that pass the filters."""
    return [
        row
        for row in rows
        if row.criterion.level != Criterion.Level.AREA
        and (area_id is None or row.area.id == area_id)
        and (is_survey is None or row.criterion.is_survey == is_survey)
        and (status is None or row.status == status)
    ]


def sort_gap_rows(rows: list[GapRow], sort: str) -> list[GapRow]:
    """Rows by a column of GAP_SORT_KEYS ("-" first: descending); empty cells always last."""
    name = sort.removeprefix("-")
    key = GAP_SORT_KEYS[name]
    present = sorted((row for row in rows if key(row) is not None), key=GAP_SORT_KEYS["code"])
    present.sort(key=key, reverse=sort.startswith("-"))  # stable: ties keep the tree order
    return present + [row for row in rows if key(row) is None]


# -- Points at stake per lead agency ----------------------------------------------------------


@dataclass
class AgencyStake:
    """The sub-criteria one agency leads, with the points lost and still missing on them."""

    agency: Agency | None  # None: sub-criteria no agency has been assigned to lead
    rows: list[GapRow]

    @property
    def points_lost(self) -> Decimal:
        return sum((row.points_lost for row in self.rows if row.points_lost), Decimal(0))

    @property
    def shortfall(self) -> Decimal:
        return sum(
            (row.shortfall for row in self.rows if row.shortfall and row.shortfall > 0),
            Decimal(0),
        )

    @property
    def unscored(self) -> int:
        return sum(1 for row in self.rows if row.actual is None)


def agency_stakes(results: YearResults) -> list[AgencyStake]:
    """Each lead agency's sub-criteria of the year, most points lost first; two queries."""
    leads = dict(
        Responsibility.objects.filter(plan=results.plan).values_list("criterion_id", "lead_id")
    )
    agencies = Agency.objects.in_bulk({lead for lead in leads.values() if lead is not None})
    by_agency: dict[int | None, list[GapRow]] = defaultdict(list)
    for row in results.leaves:
        by_agency[leads.get(row.criterion.id)].append(row)
    stakes = [
        AgencyStake(agency=agencies.get(lead) if lead else None, rows=rows)
        for lead, rows in by_agency.items()
    ]
    return sorted(
        stakes, key=lambda stake: (-stake.points_lost, -stake.shortfall, str(stake.agency))
    )


@dataclass
class StakesBalance:
    """Points lost by agency against the year's points lost (maximum − total): what the
    sub-criteria do not explain, e.g. a stated total above the sum of its leaves."""

    points_lost: Decimal | None  # maximum − the year's total
    by_agencies: Decimal

    @property
    def unexplained(self) -> Decimal | None:
        return None if self.points_lost is None else self.points_lost - self.by_agencies


def stakes_balance(results: YearResults, stakes: list[AgencyStake]) -> StakesBalance:
    total = results.total.total
    return StakesBalance(
        points_lost=None if total is None else results.plan.framework.max_score - total,
        by_agencies=sum((stake.points_lost for stake in stakes), Decimal(0)),
    )
