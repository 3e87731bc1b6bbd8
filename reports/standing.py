"""The province among the 63: its rank per year and the plan's rank goals (overview), the
points a place or a group needed (route), and its peers (standing page, JSON).

Read-only; a handful of queries per page whatever the number of years or provinces. A
published rank is a fact: where the national table and the province's own results both
state a year and disagree, both are shown.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median

from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from criteria.caching import cached_part
from criteria.models import (
    NationalGroup,
    NationalResult,
    NationalTable,
    Plan,
    Province,
    RankGoal,
    Target,
)
from criteria.national import ProvinceNames
from criteria.published import published_results
from criteria.ranking import GroupBound, Ranking, inferred_groups
from criteria.templatetags.scores import score
from reports.rollups import Status, status_of, target_for_year


class GoalStatus(models.TextChoices):
    MET = "met", _("Đạt")
    NOT_MET = "not_met", _("Không đạt")
    UNKNOWN = "unknown", _("Chưa xác định")


def province_of(plan: Plan) -> Province | None:
    """The registry's province for the plan's province name, however it is spelled."""
    return ProvinceNames.load().resolve(plan.province)


GOAL_CSS = {
    GoalStatus.MET: "status-within",
    GoalStatus.NOT_MET: "status-below",
    GoalStatus.UNKNOWN: "status-none",
}


@dataclass
class GoalCheck:
    goal: RankGoal
    status: GoalStatus

    @property
    def css(self) -> str:
        return GOAL_CSS[self.status]


@dataclass
class YearStanding:
    """The province's published place for a year, from the national table or its own row."""

    year: int
    total: Decimal | None
    rank: int | None
    province_count: int
    group: str = ""
    sipas_percent: Decimal | None = None
    sipas_rank: int | None = None
    source: str = ""
    is_illustrative: bool = False
    other_statement: str = ""  # the province's own row, where it says otherwise
    change: int | None = None  # places gained on the year before (negative: lost)
    target: Target | None = None
    goals: list[GoalCheck] = field(default_factory=list)
    is_baseline: bool = False  # the plan's starting point: shown beside a target, not judged

    @property
    def points_status(self) -> Status | None:
        return None if self.is_baseline else status_of(self.total, self.target)

    @property
    def places_lost(self) -> int | None:
        return -self.change if self.change is not None and self.change < 0 else None


def _check(goal: RankGoal, year: YearStanding, previous: YearStanding | None) -> GoalStatus:
    if year.rank is None:
        return GoalStatus.UNKNOWN
    if goal.kind == RankGoal.Kind.HIGHER_THAN_PREVIOUS:
        if previous is None or previous.rank is None:
            return GoalStatus.UNKNOWN
        return GoalStatus.MET if year.rank < previous.rank else GoalStatus.NOT_MET
    if goal.kind == RankGoal.Kind.IN_GROUP:
        if not year.group:
            return GoalStatus.UNKNOWN
        return GoalStatus.MET if year.group.upper() in goal.group_codes else GoalStatus.NOT_MET
    return GoalStatus.MET if year.rank <= (goal.worst_rank or 0) else GoalStatus.NOT_MET


@dataclass
class ProvinceStanding:
    """The province's rank per year with its change and the plan's rank goals' status."""

    province: Province | None
    years: list[YearStanding]
    goals: list[RankGoal]

    @property
    def sources(self) -> list[tuple[int, str]]:
        """Each year's published source, for the years that name one."""
        return [(year.year, year.source) for year in self.years if year.source]

    @property
    def has_group_goal(self) -> bool:
        return any(g.kind != RankGoal.Kind.HIGHER_THAN_PREVIOUS for g in self.goals)

    @classmethod
    def build(cls, plan: Plan) -> "ProvinceStanding":
        """Five queries: provinces, the province's national rows with their tables, its own
        published results, the plan's rank goals, the plan's total targets."""
        province = province_of(plan)
        rows = NationalResult.objects.filter(province=province).select_related("table")
        own = published_results(plan.province)
        goals = list(RankGoal.objects.filter(plan=plan).order_by("first_year", "kind"))
        targets = list(Target.objects.filter(plan=plan).totals().order_by("first_year"))
        by_year: dict[int, YearStanding] = {}
        for row in rows:
            by_year[row.table.year] = YearStanding(
                year=row.table.year,
                total=row.index,
                rank=row.rank,
                province_count=row.table.province_count,
                group=row.group,
                sipas_percent=row.sipas_percent,
                sipas_rank=row.sipas_rank,
                source=row.table.citation,
                is_illustrative=row.table.is_illustrative,
            )
        for year, result in own.items():
            standing = by_year.get(year)
            if standing is None:
                by_year[year] = YearStanding(
                    year=year,
                    total=result.total,
                    rank=result.rank,
                    province_count=result.province_count,
                )
                continue
            # The province's own result where it differs from the national row (or where
            # that row is illustrative, the published result is the province's own).
            other = (result.other_total, result.other_rank) if result.is_conflicting else None
            if not result.source and (standing.total, standing.rank) != (result.total, result.rank):
                other = (result.total, result.rank)
            if other:
                standing.other_statement = _("Kết quả của tỉnh ghi %(total)s, hạng %(rank)s") % {
                    "total": score(other[0]),
                    "rank": other[1] or "–",
                }
        years = [by_year[year] for year in sorted(by_year)]
        previous = None
        for year in years:
            if (
                previous is not None
                and year.rank
                and previous.rank
                and previous.year == year.year - 1
            ):
                year.change = previous.rank - year.rank
            # Years before the plan's baseline had no target of this plan.
            is_planned = targets and year.year >= plan.baseline_year
            year.target = target_for_year(targets, year.year) if is_planned else None
            year.is_baseline = year.year == plan.baseline_year
            year.goals = [
                GoalCheck(
                    goal,
                    _check(
                        goal,
                        year,
                        previous if previous and previous.year == year.year - 1 else None,
                    ),
                )
                for goal in goals
                if goal.covers(year.year)
            ]
            previous = year
        return cls(province=province, years=years, goals=goals)


# -- A year's table: what a score would have given ---------------------------------------


@dataclass
class YearTable:
    """One year's national table around the province: its row and the others' indexes."""

    table: NationalTable
    own: NationalResult | None
    others: list[NationalResult]
    groups: list[GroupBound]

    @property
    def count(self) -> int:
        return len(self.others) + (1 if self.own else 0)

    @property
    def is_complete(self) -> bool:
        return self.count >= self.table.province_count

    @property
    def ranking(self) -> Ranking:
        return Ranking(others=[r.index for r in self.others], groups=self.groups)


def year_tables(years: list[int], province: Province | None) -> dict[int, YearTable]:
    """The tables of `years` split around the province: two queries (rows, groups)."""
    rows = NationalResult.objects.filter(table__year__in=years).select_related("table", "province")
    groups = NationalGroup.objects.filter(table__year__in=years).select_related("table")
    stated: dict[int, list[GroupBound]] = defaultdict(list)
    for group in groups:
        if group.min_index is not None:
            stated[group.table.year].append(GroupBound(group.code, group.min_index))
    tables: dict[int, YearTable] = {}
    members: dict[int, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for row in rows.order_by("rank", "province__name"):
        year = row.table.year
        table = tables.setdefault(year, YearTable(row.table, None, [], []))
        if province is not None and row.province_id == province.pk:
            table.own = row
        else:
            table.others.append(row)
        if row.group:
            members[year][row.group.upper()].append(row.index)
    for year, table in tables.items():
        # A group's lowest member bounds it only when every province is in the table.
        inferred = inferred_groups(members[year]) if table.is_complete else []
        table.groups = stated.get(year) or inferred
    return tables


class Projection(models.TextChoices):
    SAME = "same", _("các tỉnh khác giữ nguyên điểm năm trước")
    MEDIAN = "median", _("các tỉnh khác tăng bằng mức tăng trung vị của năm trước")


@dataclass
class RouteStanding:
    """For the route page: the points a place, the next group or a rank needed."""

    year: int
    own: Decimal | None
    rank: int | None
    table: YearTable | None
    projection: str = ""  # a Projection; empty: the year's own published table
    base_year: int | None = None
    projections: list[Projection] = field(default_factory=list)  # those that can be chosen
    reason: str = ""  # why nothing could be computed

    @property
    def ranking(self) -> Ranking | None:
        return self.table.ranking if self.table else None

    @property
    def for_next_place(self) -> Decimal | None:
        if self.ranking is None or self.own is None or not self.rank or self.rank <= 1:
            return None
        return self.ranking.score_for_rank(self.rank - 1)

    @property
    def next_place_gap(self) -> Decimal | None:
        needed = self.for_next_place
        return None if needed is None else max(needed - self.own, Decimal(0))

    @property
    def next_group(self) -> GroupBound | None:
        if self.ranking is None or self.own is None:
            return None
        return self.ranking.next_group(self.own)

    @property
    def next_group_gap(self) -> Decimal | None:
        group = self.next_group
        return None if group is None else group.min_index - self.own

    @property
    def group(self) -> str | None:
        return self.ranking.group_of(self.own) if self.ranking and self.own is not None else None

    @classmethod
    def build(cls, plan: Plan, year: int, projection: str | None = None) -> "RouteStanding":
        """Three queries: provinces, rows of the year and the two before, their groups.

        A year without its full table is projected from the year before, as `projection`
        chooses (a Projection value); by default by the median change where it is known."""
        province = province_of(plan)
        tables = year_tables([year - 2, year - 1, year], province)
        current = tables.get(year)
        if current is not None and current.is_complete and current.own is not None:
            return cls(year, current.own.index, current.own.rank, current)
        before = tables.get(year - 1)
        if before is None or not before.is_complete or before.own is None:
            count = current.count if current else 0
            total = current.table.province_count if current else 63
            return cls(
                year,
                current.own.index if current and current.own else None,
                current.own.rank if current and current.own else None,
                None,
                reason=_(
                    "Chưa tính được: bảng năm %(year)s mới có %(count)s/%(total)s tỉnh, "
                    "thành phố và năm %(before)s cũng chưa có bảng đầy đủ để dự tính."
                )
                % {"year": year, "count": count, "total": total, "before": year - 1},
            )
        # Project the others from the year before: the province's own score this year is its
        # national row, else the year before's (what it must beat is then what is shown).
        shift = Decimal(0)
        chosen = Projection.SAME
        earlier = tables.get(year - 2)
        can_median = earlier is not None and earlier.is_complete
        if can_median and projection != Projection.SAME:
            previous = {r.province_id: r.index for r in earlier.others}
            changes = [
                r.index - previous[r.province_id]
                for r in before.others
                if r.province_id in previous
            ]
            if changes:
                shift = Decimal(median(changes)).quantize(Decimal("0.01"))
                chosen = Projection.MEDIAN
        projected = YearTable(
            table=before.table,
            own=before.own,
            others=[
                NationalResult(table=before.table, province=r.province, total=r.index + shift)
                for r in before.others
            ],
            groups=before.groups,
        )
        own = current.own.index if current and current.own else before.own.index
        rank = projected.ranking.rank_of(own)
        return cls(
            year,
            own,
            rank,
            projected,
            projection=chosen,
            base_year=year - 1,
            projections=list(Projection) if can_median else [Projection.SAME],
        )


# -- What the overview and route templates get (their own partials include these) ---------


def overview_standing_context(plan: Plan) -> dict:
    """For templates/reports/includes/standing_overview.html; kept in the cache until the
    data changes (criteria/caching.py), as the overview's figures are."""
    return {
        "standing": cached_part(
            "standing-overview", (plan.pk,), lambda: ProvinceStanding.build(plan)
        )
    }


def route_standing_context(request: HttpRequest, plan: Plan, year: int) -> dict:
    """For templates/reports/includes/standing_route.html; ?projection= chooses how the
    others are assumed to move in a year without its full table."""
    projection = request.GET.get("projection")
    projection = projection if projection in Projection.values else None
    return {
        "route_standing": cached_part(
            "standing-route",
            (plan.pk, year, projection),
            lambda: RouteStanding.build(plan, year, projection),
        )
    }
