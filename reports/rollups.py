"""Scores rolled up the criteria tree, and the figures the dashboards read from them.

Everything here reads a handful of queries (criteria, scores, targets, index results) and
does the arithmetic in Python, so no page's query count grows with the tree or the years.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assignments.models import Agency, AgencyGroup, Responsibility
from criteria.models import (
    Criterion,
    Framework,
    Plan,
    Score,
    Target,
    code_sort_key,
)
from criteria.published import published_results
from reports.figures import (
    Basis,
    Figure,
    TreeFigures,
    YearFigures,
    basis_for,
    roll_up,
    summed_scores,
)

AREA_KEY_LENGTH = len(code_sort_key("1"))


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
            result_year: result
            for result_year, result in published_results(plan.province).items()
            if result_year in years
        }
        kind = basis_for(
            (k for _c, k, y, *_rest in scores if y == year), basis, is_published=year in published
        )
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
    baseline_sum: Decimal | None = None  # the children's sum where the stated baseline differs

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
    # Every node's figure of each year shown, for readers other than the page (the JSON).
    by_year: dict[int, YearFigures] = field(default_factory=dict)

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
        published = published_results(plan.province)
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
            kind = basis_for(figures.kinds_in(year), basis, is_published=result is not None)
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
                baseline_sum=figures.rollup.differing_sum(criterion.id, baseline),
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
            by_year=by_year,
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
    """The sub-criteria one owner leads, with the points lost and still missing on them.

    The owner is the leads of the sub-criteria: one agency, a group (each member leading
    its part, the members listed), or several that share them (4.4, 7.5). Each
    sub-criterion is counted once, under its owner.
    """

    owners: list[Agency | AgencyGroup]  # empty: sub-criteria nobody has been assigned to lead
    rows: list[GapRow]
    # The members of each group among the owners, by the group's pk.
    members: dict[int, list[Agency]] = field(default_factory=dict)

    @property
    def agency(self) -> Agency | None:
        """The owner when it is one agency alone."""
        if len(self.owners) == 1 and isinstance(self.owners[0], Agency):
            return self.owners[0]
        return None

    @property
    def name(self) -> str:
        return "; ".join(owner.name for owner in self.owners)

    @property
    def short_name(self) -> str:
        return "; ".join(getattr(owner, "short_name", owner.name) for owner in self.owners)

    @property
    def groups(self) -> list[tuple[AgencyGroup, list[Agency]]]:
        """The groups among the owners with their members."""
        return [
            (owner, self.members.get(owner.pk, []))
            for owner in self.owners
            if isinstance(owner, AgencyGroup)
        ]

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
    """Each owner's sub-criteria of the year, most points lost first; five queries."""
    owners_of: dict[int, list[Agency | AgencyGroup]] = defaultdict(list)
    agencies = Agency.objects.in_bulk()
    groups = {group.pk: group for group in AgencyGroup.objects.prefetch_related("agencies")}
    plan_links = {"responsibility__plan": results.plan}
    for criterion_id, agency_id in Responsibility.leads.through.objects.filter(
        **plan_links
    ).values_list("responsibility__criterion_id", "agency_id"):
        owners_of[criterion_id].append(agencies[agency_id])
    for criterion_id, group_id in Responsibility.lead_groups.through.objects.filter(
        **plan_links
    ).values_list("responsibility__criterion_id", "agencygroup_id"):
        owners_of[criterion_id].append(groups[group_id])
    by_owners: dict[tuple, list[GapRow]] = defaultdict(list)
    for row in results.leaves:
        owners = sorted(
            owners_of.get(row.criterion.id, []),
            key=lambda owner: (isinstance(owner, AgencyGroup), owner.name),
        )
        by_owners[tuple(owners)].append(row)
    members = {
        group.pk: [agency for agency in agencies.values() if group.includes(agency)]
        for group in groups.values()
    }
    stakes = [
        AgencyStake(
            owners=list(owners),
            rows=rows,
            members={o.pk: members[o.pk] for o in owners if isinstance(o, AgencyGroup)},
        )
        for owners, rows in by_owners.items()
    ]
    return sorted(stakes, key=lambda stake: (-stake.points_lost, -stake.shortfall, stake.name))


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
