"""The results of a round of the province's index of its units, from the final scores of
its approved assessments: each unit's total (Framework.unit_total: regular points scaled
when exempt, plus bonus, less penalty), its rank among the units of its type and, for
districts, within its cluster (criteria.ranking.competition_ranks: ties share a rank,
1, 2, 2, 4, and are listed in Vietnamese alphabetical order, criteria.ranking.
vietnamese_key), its band (UnitBand of the year) and its change from the previous year's
round.

One read for the tables, the unit's page and the public page, in a fixed number of queries.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median

from django.db.models import DecimalField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr

from assessments.models import Assessment, AssessmentRound, Entry
from assignments.models import Agency, UnitCluster
from criteria.models import Criterion, UnitBand, classify
from criteria.ranking import competition_ranks, vietnamese_key

Kind = Criterion.Kind


@dataclass
class UnitResult:
    """One unit's line of a round's results."""

    agency: Agency
    assessment_id: int
    regular: Decimal
    bonus: Decimal
    penalty: Decimal
    applicable_maximum: Decimal
    total: Decimal
    rank: int = 0
    cluster: UnitCluster | None = None
    cluster_rank: int | None = None
    band: UnitBand | None = None
    previous_total: Decimal | None = None

    @property
    def is_scaled(self) -> bool:
        return self.total != self.regular + self.bonus - self.penalty

    @property
    def change(self) -> Decimal | None:
        if self.previous_total is None:
            return None
        return self.total - self.previous_total


@dataclass
class ClusterTable:
    cluster: UnitCluster
    results: list[UnitResult] = field(default_factory=list)


@dataclass
class RoundResults:
    unit_round: AssessmentRound
    results: list[UnitResult]
    clusters: list[ClusterTable]
    previous_round: AssessmentRound | None = None

    def of(self, agency_id: int) -> UnitResult | None:
        return next((r for r in self.results if r.agency.pk == agency_id), None)

    @property
    def median_total(self) -> Decimal | None:
        return median([r.total for r in self.results]) if self.results else None


ASSESSED = "assessed"  # the maxima of the regular criteria a unit was assessed on


def _sums(unit_round: AssessmentRound) -> QuerySet:
    """The round's approved assessments with their final points by kind and the maxima of
    the regular criteria they were assessed on, summed by the database (one query)."""
    return (
        Assessment.objects.filter(unit_round=unit_round, status=Assessment.Status.APPROVED)
        .annotate(
            **{
                kind: Sum("entries__final_score", filter=Q(entries__criterion__kind=kind))
                for kind in (Kind.REGULAR, Kind.BONUS, Kind.PENALTY)
            },
            **{
                ASSESSED: Sum(
                    "entries__criterion__max_score",
                    filter=Q(entries__criterion__kind=Kind.REGULAR),
                )
            },
        )
        .order_by()
    )


def _regular_leaves_maximum(framework) -> Decimal:
    """The maxima of the framework's regular leaves, summed (one query)."""
    return Decimal(
        Criterion.objects.filter(framework=framework)
        .regular()
        .leaves()
        .aggregate(maximum=Sum("max_score"))["maximum"]
        or 0
    )


def _total(framework, leaves: Decimal, sums: dict) -> tuple:
    """A unit's points and total. The criteria that apply to a unit are those it was
    assessed on: its entries, made for every criterion it was not exempt from when it sent
    (assessments.units). An exemption granted or lifted later changes the next rounds, not
    a total already approved."""
    regular = Decimal(sums[Kind.REGULAR] or 0)
    bonus = Decimal(sums[Kind.BONUS] or 0)
    penalty = Decimal(sums[Kind.PENALTY] or 0)
    # The framework's maximum less the criteria it was not assessed on.
    maximum = framework.max_score - (leaves - Decimal(sums[ASSESSED] or 0))
    total = framework.unit_total(
        regular=regular, bonus=bonus, penalty=penalty, applicable_maximum=maximum
    )
    return regular, bonus, penalty, maximum, total


def _totals(unit_round: AssessmentRound) -> list[UnitResult]:
    """The approved assessments' totals, unranked (two queries: the assessments with the
    sums of their final scores by kind, the maxima of the framework's regular leaves)."""
    framework = unit_round.framework
    assessments = list(_sums(unit_round).select_related("agency").order_by("agency__name"))
    if not assessments:
        return []
    leaves = _regular_leaves_maximum(framework)
    results = []
    for assessment in assessments:
        sums = {key: getattr(assessment, key) for key in (*Kind.values, ASSESSED)}
        regular, bonus, penalty, maximum, total = _total(framework, leaves, sums)
        results.append(
            UnitResult(
                agency=assessment.agency,
                assessment_id=assessment.pk,
                regular=regular,
                bonus=bonus,
                penalty=penalty,
                applicable_maximum=maximum,
                total=total,
            )
        )
    return results


def _previous_totals(unit_round: AssessmentRound) -> dict[int, Decimal]:
    """Each unit's total in a round, by agency id (two queries)."""
    framework = unit_round.framework
    rows = list(_sums(unit_round).values("agency_id", *Kind.values, ASSESSED))
    if not rows:
        return {}
    leaves = _regular_leaves_maximum(framework)
    return {row["agency_id"]: _total(framework, leaves, row)[4] for row in rows}


def previous_round(unit_round: AssessmentRound) -> AssessmentRound | None:
    return (
        AssessmentRound.objects.filter(unit_type=unit_round.unit_type, year__lt=unit_round.year)
        .select_related("framework")
        .order_by("-year")
        .first()
    )


def round_results(unit_round: AssessmentRound) -> RoundResults:
    """The round's ranked results, highest total first (at most 8 queries whatever the
    number of units: this round's two, the bands, the clusters, the previous round and its
    two)."""
    results = _totals(unit_round)
    ranks = competition_ranks({r.agency.pk: r.total for r in results})
    bands = list(UnitBand.objects.for_unit(unit_round.unit_type, unit_round.year))
    clusters = UnitCluster.objects.by_member(year=unit_round.year, unit_type=unit_round.unit_type)
    previous = previous_round(unit_round)
    before = _previous_totals(previous) if previous else {}
    for result in results:
        result.rank = ranks[result.agency.pk]
        result.band = classify(result.total, bands)
        result.cluster = clusters.get(result.agency.pk)
        result.previous_total = before.get(result.agency.pk)
    results.sort(key=lambda r: (r.rank, vietnamese_key(r.agency.name)))
    tables: dict[int, ClusterTable] = {}
    for result in results:
        if result.cluster is not None:
            tables.setdefault(result.cluster.pk, ClusterTable(result.cluster)).results.append(
                result
            )
    for table in tables.values():
        cluster_ranks = competition_ranks({r.agency.pk: r.total for r in table.results})
        for result in table.results:
            result.cluster_rank = cluster_ranks[result.agency.pk]
    ordered = sorted(
        tables.values(), key=lambda t: (t.cluster.position, vietnamese_key(t.cluster.name))
    )
    return RoundResults(
        unit_round=unit_round, results=results, clusters=ordered, previous_round=previous
    )


@dataclass
class AreaLine:
    """An area of the unit's framework on its page: its points this year and last, and the
    median of the units of its type."""

    area: Criterion
    score: Decimal | None
    previous: Decimal | None
    group_median: Decimal | None
    is_exempt: bool = False

    @property
    def change(self) -> Decimal | None:
        if self.score is None or self.previous is None:
            return None
        return self.score - self.previous


@dataclass
class EntryLine:
    """One scored criterion of the unit: proposed, appraised, final, the points lost at
    appraisal (as they count in the total: a penalty raised is lost too) and final ÷ max."""

    entry: Entry

    @property
    def criterion(self) -> Criterion:
        return self.entry.criterion

    @property
    def lost(self) -> Decimal:
        proposed, final = self.entry.proposed_score, self.entry.final_score
        if proposed is None or final is None:
            return Decimal(0)
        return final - proposed if self.criterion.kind == Kind.PENALTY else proposed - final

    @property
    def ratio(self) -> Decimal | None:
        maximum = self.criterion.max_score
        if self.entry.final_score is None or not maximum:
            return None
        return self.entry.final_score / maximum


@dataclass
class UnitPage:
    """A unit's page of a round: its result line (the table's own), its areas, the points
    it lost at appraisal and its weakest criteria."""

    results: RoundResults
    result: UnitResult
    areas: list[AreaLine]
    lost: list[EntryLine]
    weakest: list[EntryLine]

    @property
    def points_lost(self) -> Decimal:
        return sum((line.lost for line in self.lost), Decimal(0))


WEAKEST = 5


# Criterion.sort_key pads every part of the code (digits) with zeros to four characters:
# its first four are its area's code, padded.
AREA_KEY = Substr("criterion__sort_key", 1, 4)


def _area_sums(
    unit_round: AssessmentRound, agency: Agency | None = None
) -> dict[int, dict[str, Decimal]]:
    """Final points by agency and area code, over the round's approved assessments' regular
    criteria (of `agency` only, if given), summed by the database (one query)."""
    entries = Entry.objects.filter(
        assessment__unit_round=unit_round,
        assessment__status=Assessment.Status.APPROVED,
        criterion__kind=Kind.REGULAR,
    )
    if agency is not None:
        entries = entries.filter(assessment__agency=agency)
    rows = (
        entries.annotate(area_key=AREA_KEY)
        .values("assessment__agency_id", "area_key")
        .annotate(points=Coalesce(Sum("final_score"), Decimal(0), output_field=DecimalField()))
        .values_list("assessment__agency_id", "area_key", "points")
        .order_by()
    )
    sums: dict[int, dict[str, Decimal]] = {}
    for agency_id, area_key, points in rows:
        sums.setdefault(agency_id, {})[str(int(area_key))] = points
    return sums


def unit_page(results: RoundResults, agency: Agency) -> UnitPage | None:
    """The unit's page, or None when it has no approved result in the round (queries:
    the areas, this round's area sums, the unit's own in the previous round, its entries)."""
    result = results.of(agency.pk)
    if result is None:
        return None
    unit_round = results.unit_round
    areas = list(Criterion.objects.filter(framework=unit_round.framework_id).areas().for_tree())
    sums = _area_sums(unit_round)
    previous = results.previous_round
    before = _area_sums(previous, agency).get(agency.pk, {}) if previous else {}
    own = sums.get(agency.pk, {})
    entries = [
        EntryLine(entry)
        for entry in Entry.objects.filter(assessment_id=result.assessment_id)
        .select_related("criterion")
        .order_by("criterion__sort_key")
    ]
    covered = {line.criterion.area_code for line in entries}
    lines = []
    for area in areas:
        if area.kind != Kind.REGULAR:
            continue
        others = [by_area[area.code] for by_area in sums.values() if area.code in by_area]
        lines.append(
            AreaLine(
                area=area,
                score=own.get(area.code),
                previous=before.get(area.code),
                group_median=median(others) if others else None,
                is_exempt=area.code not in covered,
            )
        )
    regular = [line for line in entries if line.criterion.kind == Kind.REGULAR]
    weakest = sorted(
        (line for line in regular if line.ratio is not None),
        key=lambda line: (line.ratio, line.criterion.sort_key),
    )[:WEAKEST]
    return UnitPage(
        results=results,
        result=result,
        areas=lines,
        lost=[line for line in entries if line.lost],
        weakest=weakest,
    )
