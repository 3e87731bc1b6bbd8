"""The tie between the province's index of its units and the national index: for each
sub-criterion of the national index, the units that scored lowest on its related unit
criteria (criteria.CriterionLink), the units that pull the province down there.

The units' year is the national year: the units' index of 2020 bears on the province's
PAR Index of 2020. Only final scores of approved assessments count; a criterion a unit is
exempt from (or whose area or parent it is exempt from) does not.
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, models
from django.db.models import Exists, OuterRef, Q

from assessments.models import Assessment, AssessmentRound, Entry
from assignments.models import Exemption
from criteria.models import CriterionLink

LOWEST = 3


@dataclass(frozen=True)
class UnitLow:
    """A unit's final score on a unit criterion related to a national sub-criterion."""

    agency_id: int
    agency_name: str
    year: int
    code: str
    score: Decimal
    maximum: Decimal

    @property
    def ratio(self) -> Decimal:
        """The score as a share of the criterion's maximum, so that criteria with different
        maxima compare."""
        return self.score / self.maximum


def lowest_units(
    *, national_framework_id: int, year: int, limit: int = LOWEST
) -> dict[int, list[UnitLow]]:
    """By national criterion id: the `limit` units with the lowest final score (as a share
    of the maximum) on its related unit criteria in `year`, lowest first; each unit once, at
    its lowest related criterion. Ties go by the unit's name, then the criterion. One query,
    whatever the number of units, criteria and links."""
    exempt = Exemption.objects.filter(
        agency_id=OuterRef("assessment__agency_id"),
        criterion__framework_id=OuterRef("criterion__framework_id"),
    ).filter(
        Q(criterion_id=OuterRef("criterion_id"))
        | Q(criterion_id=OuterRef("criterion__parent_id"))
        | Q(criterion_id=OuterRef("criterion__parent__parent_id"))
    )
    rows = (
        Entry.objects.filter(
            criterion__national_links__national_criterion__framework_id=national_framework_id,
            assessment__year=year,
            assessment__agency__isnull=False,
            assessment__status=Assessment.Status.APPROVED,
            final_score__isnull=False,
            criterion__max_score__gt=0,
        )
        .filter(~Exists(exempt))
        .order_by()
        .values_list(
            "criterion__national_links__national_criterion_id",
            "assessment__agency_id",
            "assessment__agency__name",
            "criterion__code",
            "criterion__sort_key",
            "final_score",
            "criterion__max_score",
        )
    )
    worst: dict[int, dict[int, tuple[UnitLow, str]]] = {}
    for national_id, agency_id, name, code, sort_key, score, maximum in rows:
        low = UnitLow(agency_id, name, year, code, score, maximum)
        by_unit = worst.setdefault(national_id, {})
        current = by_unit.get(agency_id)
        if current is None or (low.ratio, sort_key) < (current[0].ratio, current[1]):
            by_unit[agency_id] = (low, sort_key)
    return {
        national_id: [
            low
            for low, _key in sorted(
                by_unit.values(), key=lambda item: (item[0].ratio, item[0].agency_name, item[1])
            )[:limit]
        ]
        for national_id, by_unit in worst.items()
    }


HISTORIES = [Assessment, Entry, AssessmentRound, Exemption, CriterionLink]


def units_version() -> str:
    """A digest that changes when a unit's scores, its exemptions or the links are written
    (one query: the largest history id and latest write of each table), for the pages that
    cache what lowest_units() returns."""
    summaries = [
        model.history.model.objects.order_by()
        .annotate(source=models.Value(model._meta.label))
        .values("source")
        .annotate(last_id=models.Max("pk"), last_at=models.Max("history_date"))
        .values_list("source", "last_id", "last_at")
        for model in HISTORIES
    ]
    sql, params = summaries[0].union(*summaries[1:], all=True).order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = sorted(cursor.fetchall(), key=lambda row: row[0])
    return hashlib.blake2b(repr(rows).encode(), digest_size=12).hexdigest()
