"""What a page shows for a node of the criteria tree and a year: the portal's one rule.

A node shows its **stated** value where one exists (a parent's score stated by the appendix
or imported with the official result, the published total) and otherwise the sum of its
children; both are kept, so that a page shows the two where they differ. A year neither
published nor declared final by Sở Nội vụ is a **projection**. Every page, export and
chart reads its figures through here (reports.rollups, reports.grid).
"""

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from criteria.models import Criterion, Framework, Score

CENT = Decimal("0.01")


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


class Basis(models.TextChoices):
    """The scores a page works on: the official ones where they exist, else the province's own."""

    SELF = Score.Kind.SELF.value, _("tự đánh giá")
    OFFICIAL = Score.Kind.OFFICIAL.value, _("chính thức")


def basis_for(
    kinds_present: Iterable[str], asked: str | None = None, *, is_published: bool = False
) -> str:
    """The basis asked for (?basis=), else official scores where the year has any or its
    result is published (the published total is official), else the self-assessment where
    it has any, else official."""
    if asked in Basis.values:
        return asked
    present = set(kinds_present)
    if is_published or Basis.OFFICIAL in present or Basis.SELF not in present:
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
