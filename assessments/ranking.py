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

from django.db.models import Sum

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

    def of(self, agency_id: int) -> UnitResult | None:
        return next((r for r in self.results if r.agency.pk == agency_id), None)

    @property
    def median_total(self) -> Decimal | None:
        return median([r.total for r in self.results]) if self.results else None


def _totals(unit_round: AssessmentRound) -> list[UnitResult]:
    """The approved assessments' totals, unranked (three queries: the assessments, the
    sums of final scores and maxima by kind, the maxima of the framework's regular leaves).

    The criteria that apply to a unit are those it was assessed on: its entries, made for
    every criterion it was not exempt from when it sent (assessments.units). An exemption
    granted or lifted later changes the next rounds, not a total already approved."""
    framework = unit_round.framework
    assessments = list(
        Assessment.objects.filter(unit_round=unit_round, status=Assessment.Status.APPROVED)
        .select_related("agency")
        .order_by("agency__name")
    )
    if not assessments:
        return []
    sums: dict[int, dict[str, tuple[Decimal, Decimal]]] = {}
    rows = (
        Entry.objects.filter(assessment__in=assessments)
        .values("assessment_id", "criterion__kind")
        .annotate(points=Sum("final_score"), maximum=Sum("criterion__max_score"))
        .order_by()
    )
    for row in rows:
        sums.setdefault(row["assessment_id"], {})[row["criterion__kind"]] = (
            row["points"] or 0,
            row["maximum"] or 0,
        )
    leaves = (
        Criterion.objects.filter(framework=framework)
        .regular()
        .leaves()
        .aggregate(maximum=Sum("max_score"))["maximum"]
        or 0
    )
    results = []
    for assessment in assessments:
        by_kind = sums.get(assessment.pk, {})
        regular, assessed = (Decimal(v) for v in by_kind.get(Kind.REGULAR, (0, 0)))
        bonus = Decimal(by_kind.get(Kind.BONUS, (0, 0))[0])
        penalty = Decimal(by_kind.get(Kind.PENALTY, (0, 0))[0])
        # The framework's maximum less the criteria it was not assessed on.
        maximum = framework.max_score - (leaves - assessed)
        total = framework.unit_total(
            regular=regular, bonus=bonus, penalty=penalty, applicable_maximum=maximum
        )
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


def previous_round(unit_round: AssessmentRound) -> AssessmentRound | None:
    return (
        AssessmentRound.objects.filter(unit_type=unit_round.unit_type, year__lt=unit_round.year)
        .select_related("framework")
        .order_by("-year")
        .first()
    )


def round_results(unit_round: AssessmentRound) -> RoundResults:
    """The round's ranked results, highest total first (at most 11 queries whatever the
    number of units: this round's three, the bands, the clusters' two, the previous
    round and its three)."""
    results = _totals(unit_round)
    ranks = competition_ranks({r.agency.pk: r.total for r in results})
    bands = list(UnitBand.objects.for_unit(unit_round.unit_type, unit_round.year))
    clusters = UnitCluster.objects.by_member(year=unit_round.year, unit_type=unit_round.unit_type)
    previous = previous_round(unit_round)
    before = {r.agency.pk: r.total for r in _totals(previous)} if previous else {}
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
    return RoundResults(unit_round=unit_round, results=results, clusters=ordered)


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


def _area_sums(unit_round: AssessmentRound) -> dict[int, dict[str, Decimal]]:
    """Final points by agency and area code, over the round's approved assessments' regular
    criteria (one query)."""
    rows = Entry.objects.filter(
        assessment__unit_round=unit_round,
        assessment__status=Assessment.Status.APPROVED,
        criterion__kind=Kind.REGULAR,
    ).values_list("assessment__agency_id", "criterion__code", "final_score")
    sums: dict[int, dict[str, Decimal]] = {}
    for agency_id, code, final in rows:
        by_area = sums.setdefault(agency_id, {})
        area = code.partition(".")[0]
        by_area[area] = by_area.get(area, Decimal(0)) + (final or 0)
    return sums


def unit_page(results: RoundResults, agency: Agency) -> UnitPage | None:
    """The unit's page, or None when it has no approved result in the round (queries:
    the areas, this round's and the previous round's area sums, the unit's entries)."""
    result = results.of(agency.pk)
    if result is None:
        return None
    unit_round = results.unit_round
    areas = list(Criterion.objects.filter(framework=unit_round.framework_id).areas().for_tree())
    sums = _area_sums(unit_round)
    previous = previous_round(unit_round)
    before = _area_sums(previous).get(agency.pk, {}) if previous else {}
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
