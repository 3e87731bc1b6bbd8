"""Scores rolled up the criteria tree, and the figures the dashboards read from them.

Everything here reads a handful of queries (criteria, scores, targets, index results) and
does the arithmetic in Python, so no page's query count grows with the tree or the years.
"""

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from assignments.models import Agency, AgencyGroup, Responsibility
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


def roll_up[Key: Hashable](
    criteria: list[Criterion], values: Iterable[tuple[int, Key, Decimal]]
) -> dict[int | None, dict[Key, Decimal]]:
    """Each criterion's figure per key: its own value for a leaf, the sum of its children's
    for a parent; the key None of the result holds the whole index (the sum of the areas).

    `criteria` must be in tree order (parents before children), as `for_tree()` gives them;
    `values` are (criterion id, key, value), e.g. keyed by kind or by year. One pass from the
    last row up adds every row into its parent. A parent's own stored score is ignored: the
    appendix states parents too, but the index counts its leaves. A missing key means no
    score at all, which stays empty rather than zero.
    """
    own: dict[int, dict[Key, Decimal]] = defaultdict(dict)
    for criterion_id, key, value in values:
        own[criterion_id][key] = value
    parent_ids = {criterion.parent_id for criterion in criteria}
    sums: dict[int | None, dict[Key, Decimal]] = defaultdict(dict)
    for criterion in reversed(criteria):
        if criterion.id not in parent_ids:
            sums[criterion.id] = dict(own.get(criterion.id, {}))
        parent_sums = sums[criterion.parent_id]
        for key, value in sums[criterion.id].items():
            parent_sums[key] = parent_sums.get(key, Decimal(0)) + value
    return sums


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


def area_sums(
    framework: Framework | int, areas: list[Criterion]
) -> dict[int | None, dict[int, Decimal]]:
    """Each area's official score per year, and the whole index's (key None), as `roll_up`
    gives them for the areas: the sum of the leaves below, parents' own scores ignored.

    The database sums them, a row per area and year, where a roll-up in Python reads every
    score of every year. A row's area is the first part of its sort key: the area's own
    sort key (codes have at most three digits a part, padded to AREA_KEY_LENGTH).
    """
    area_ids = {area.sort_key: area.id for area in areas}
    rows = (
        Score.objects.filter(
            criterion__framework=framework,
            criterion__children__isnull=True,
            kind=Score.Kind.OFFICIAL,
        )
        .annotate(area_key=Substr("criterion__sort_key", 1, AREA_KEY_LENGTH))
        .values_list("area_key", "year")
        .annotate(total=Sum("value"))
        .order_by()
    )
    sums: dict[int | None, dict[int, Decimal]] = defaultdict(dict)
    for area_key, year, total in rows:
        total = Decimal(total).quantize(CENT)  # SQLite sums decimals as floats
        sums[area_ids[area_key]][year] = total
        sums[None][year] = sums[None].get(year, Decimal(0)) + total
    return sums


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
    actual: Decimal | None

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
        return status_of(self.actual, self.target)


@dataclass
class YearTotal:
    """The whole index for a year: published (IndexResult) or summed from official scores."""

    year: int
    total: Decimal | None
    rank: int | None = None
    province_count: int | None = None
    is_published: bool = False
    target: Target | None = None

    @property
    def status(self) -> Status | None:
        return status_of(self.total, self.target)

    @property
    def shortfall(self) -> Decimal | None:
        return shortfall(self.total, self.target.min_score if self.target else None)


@dataclass
class YearResults:
    """Every criterion of the tree for one year, with the year's total."""

    plan: Plan
    year: int
    rows: list[GapRow]
    total: YearTotal

    @classmethod
    def build(cls, plan: Plan, year: int) -> "YearResults":
        """Four queries: criteria, official scores of the year and the baseline, the plan's
        targets, the year's published index."""
        criteria = tree_of(plan.framework_id)
        scores = Score.objects.filter(
            criterion__framework=plan.framework_id,
            kind=Score.Kind.OFFICIAL,
            year__in={year, plan.baseline_year},
        ).values_list("criterion_id", "year", "value")
        sums = roll_up(criteria, scores)
        targets = targets_by_criterion(plan)
        area = areas_of(criteria)
        leaves = leaf_ids(criteria)
        rows = [
            GapRow(
                criterion=criterion,
                area=area[criterion.id],
                is_leaf=criterion.id in leaves,
                baseline=sums[criterion.id].get(plan.baseline_year),
                target=target_for_year(targets.get(criterion.id, []), year),
                actual=sums[criterion.id].get(year),
            )
            for criterion in criteria
        ]
        published = IndexResult.objects.filter(province=plan.province, year=year).first()
        total = YearTotal(
            year=year,
            total=published.total if published else sums[None].get(year),
            rank=published.rank if published else None,
            province_count=published.province_count if published else None,
            is_published=published is not None,
            target=target_for_year(targets.get(None, []), year),
        )
        return cls(plan=plan, year=year, rows=rows, total=total)

    @property
    def areas(self) -> list[GapRow]:
        return [row for row in self.rows if row.criterion.level == Criterion.Level.AREA]

    @property
    def leaves(self) -> list[GapRow]:
        return [row for row in self.rows if row.is_leaf]


# -- The overview over the years --------------------------------------------------------------


@dataclass
class AreaSummary:
    """An area's maximum, baseline, target and latest official result."""

    criterion: Criterion
    baseline: Decimal | None
    target: Target | None
    actual: Decimal | None

    @property
    def status(self) -> Status | None:
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
    def build(cls, plan: Plan) -> "Overview":
        """Four queries: published results, areas, their official sums per year, targets.

        Years run from the first with any result to the latest; a year without a published
        index shows the sum of its official scores.
        """
        published = {
            result.year: result for result in IndexResult.objects.filter(province=plan.province)
        }
        criteria = list(Criterion.objects.filter(framework=plan.framework_id).areas().for_tree())
        sums = area_sums(plan.framework_id, criteria)
        targets = targets_by_criterion(plan, areas_only=True)
        scored_years = set(sums[None])
        known_years = scored_years | set(published)
        years = range(min(known_years), max(known_years) + 1) if known_years else range(0)
        totals = []
        for year in years:
            result = published.get(year)
            totals.append(
                YearTotal(
                    year=year,
                    total=result.total if result else sums[None].get(year),
                    rank=result.rank if result else None,
                    province_count=result.province_count if result else None,
                    is_published=result is not None,
                    target=covering_target(targets.get(None, []), year),
                )
            )
        latest_year = max(scored_years) if scored_years else None
        areas = [
            AreaSummary(
                criterion=criterion,
                baseline=sums[criterion.id].get(plan.baseline_year),
                target=target_for_year(targets.get(criterion.id, []), latest_year or 0),
                actual=sums[criterion.id].get(latest_year) if latest_year else None,
            )
            for criterion in criteria
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
