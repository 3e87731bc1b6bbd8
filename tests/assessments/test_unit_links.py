"""assessments.links.lowest_units: per national sub-criterion, the units lowest on its
related unit criteria, by final score as a share of the maximum, approved assessments of
the year only, exempt criteria left out; one query."""

from decimal import Decimal

import pytest

from assessments.links import lowest_units
from assessments.models import Assessment, Entry
from assignments.models import Agency, Exemption
from criteria.models import Criterion, CriterionLink, Framework

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def tree() -> dict[str, Criterion]:
    """National 1 > 1.1, 1.2; a unit framework 1 > 1.1 (max 2), 1.2 (max 4); 2 > 2.1 (max 1).
    National 1.1 is related to unit 1.1, 1.2 and 2.1; national 1.2 to unit 2.1."""
    national = Framework.objects.create(code="QĐ 2948", name="Đề án", first_year=2017)
    units = Framework.objects.create(
        code="SBN", name="Sở", unit_type="department", first_year=2020, max_score=7
    )
    made: dict[str, Criterion] = {}
    for prefix, framework, rows in (
        ("n", national, [("1", 2), ("1.1", 1), ("1.2", 1)]),
        ("u", units, [("1", 6), ("1.1", 2), ("1.2", 4), ("2", 1), ("2.1", 1)]),
    ):
        for code, maximum in rows:
            made[prefix + code] = Criterion.objects.create(
                framework=framework,
                parent=made.get(prefix + code.rpartition(".")[0]),
                code=code,
                title=code,
                max_score=maximum,
            )
    for unit, nat in (("u1.1", "n1.1"), ("u1.2", "n1.1"), ("u2.1", "n1.1"), ("u2.1", "n1.2")):
        CriterionLink.objects.create(unit_criterion=made[unit], national_criterion=made[nat])
    return made


def unit(name: str) -> Agency:
    return Agency.objects.create(name=name, short_name=name, kind=Agency.Kind.DEPARTMENT)


def assess(agency, scores, *, year=2020, status=Assessment.Status.APPROVED) -> Assessment:
    framework = next(iter(scores)).framework
    assessment = Assessment.objects.create(
        framework=framework, year=year, agency=agency, status=status
    )
    for criterion, score in scores.items():
        Entry.objects.create(assessment=assessment, criterion=criterion, final_score=D(score))
    return assessment


def shown(lows) -> list[tuple[str, str, str, str]]:
    return [(low.agency_name, low.code, str(low.score), str(low.maximum)) for low in lows]


def national_id(tree, code: str) -> int:
    return tree[f"n{code}"].framework_id


def test_lowest_share_of_the_maximum_first_each_unit_once(tree):
    a, b, c, d = unit("Sở A"), unit("Sở B"), unit("Sở C"), unit("Sở D")
    assess(a, {tree["u1.1"]: "1", tree["u1.2"]: "3", tree["u2.1"]: "1"})  # 0,5 at 1.1
    assess(b, {tree["u1.1"]: "2", tree["u1.2"]: "1", tree["u2.1"]: "1"})  # 0,25 at 1.2
    assess(c, {tree["u1.1"]: "2", tree["u1.2"]: "4", tree["u2.1"]: "1"})  # 1 everywhere
    assess(d, {tree["u1.1"]: "1.5", tree["u1.2"]: "4", tree["u2.1"]: "0.5"})  # 0,5 at 2.1

    lows = lowest_units(national_framework_id=national_id(tree, "1.1"), year=2020)

    # B's 1 point of 4 is lower than A's 1 of 2; A and D tie at one half: by name.
    assert shown(lows[tree["n1.1"].pk]) == [
        ("Sở B", "1.2", "1.00", "4.00"),
        ("Sở A", "1.1", "1.00", "2.00"),
        ("Sở D", "2.1", "0.50", "1.00"),
    ]
    assert shown(lows[tree["n1.2"].pk])[0] == ("Sở D", "2.1", "0.50", "1.00")
    assert lows[tree["n1.1"].pk][0].ratio == D("0.25")


def test_only_approved_assessments_of_the_year_count(tree):
    approved, draft, earlier = unit("Sở A"), unit("Sở B"), unit("Sở C")
    assess(approved, {tree["u2.1"]: "1"})
    assess(draft, {tree["u2.1"]: "0"}, status=Assessment.Status.FINAL)
    assess(earlier, {tree["u2.1"]: "0"}, year=2019)

    lows = lowest_units(national_framework_id=national_id(tree, "1.2"), year=2020)

    assert [low.agency_name for low in lows[tree["n1.2"].pk]] == ["Sở A"]


def test_a_criterion_or_area_the_unit_is_exempt_from_does_not_count(tree):
    exempt_area, exempt_criterion, other = unit("Sở A"), unit("Sở B"), unit("Sở C")
    for agency in (exempt_area, exempt_criterion):
        assess(agency, {tree["u1.1"]: "0", tree["u2.1"]: "0"})
    assess(other, {tree["u1.1"]: "2", tree["u2.1"]: "1"})
    # Exempt after their entries were written: the entries stay, but do not count.
    Exemption.objects.create(agency=exempt_area, criterion=tree["u2"])
    Exemption.objects.create(agency=exempt_criterion, criterion=tree["u2.1"])

    lows = lowest_units(national_framework_id=national_id(tree, "1.2"), year=2020)

    assert [low.agency_name for low in lows[tree["n1.2"].pk]] == ["Sở C"]
    # Their criterion 1.1, not exempt, still counts for national 1.1.
    by_name = {low.agency_name: low.code for low in lows[tree["n1.1"].pk]}
    assert by_name == {"Sở A": "1.1", "Sở B": "1.1", "Sở C": "1.1"}


@pytest.mark.parametrize("units", [2, 9])
def test_one_query_whatever_the_number_of_units(tree, django_assert_num_queries, units):
    for number in range(units):
        assess(unit(f"Sở {number}"), {tree["u1.1"]: "1", tree["u1.2"]: "2", tree["u2.1"]: "1"})

    # the entries of the related criteria with their links and units, exemptions excluded
    with django_assert_num_queries(1):
        lows = lowest_units(national_framework_id=national_id(tree, "1.1"), year=2020)

    assert len(lows[tree["n1.1"].pk]) == min(units, 3)
