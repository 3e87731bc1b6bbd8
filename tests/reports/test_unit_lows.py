"""The gap and route pages show, for a national sub-criterion, the units that scored lowest
on its related unit criteria (assessments/links.py), to the roles that read every unit's
scores, and to no one else."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import AbstractUser
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from assessments.models import Assessment, Entry
from assignments.models import Agency, Role
from criteria.models import Criterion, CriterionLink, Framework, Plan
from tests.conftest import _user_with_role

D = Decimal
LINE = "Đơn vị đạt thấp nhất ở tiêu chí liên quan:"
MARK = '<p class="unit-lows'  # a sub-criterion's line, not the note above the table
PAGES = ["reports:gap-dashboard", "reports:route"]


def _unit_framework() -> dict[str, Criterion]:
    framework = Framework.objects.create(
        code="SBN-2018", name="Sở 2018", unit_type="department", first_year=2018, max_score=6
    )
    area = Criterion.objects.create(framework=framework, code="1", title="Chỉ đạo", max_score=6)
    return {
        "1.1": Criterion.objects.create(
            framework=framework, parent=area, code="1.1", title="Kế hoạch", max_score=2
        ),
        "1.2": Criterion.objects.create(
            framework=framework, parent=area, code="1.2", title="Thực hiện", max_score=4
        ),
    }


def _approved(agency: Agency, scores: dict[Criterion, str], year: int = 2018) -> Assessment:
    framework = next(iter(scores)).framework
    assessment = Assessment.objects.create(
        framework=framework, year=year, agency=agency, status=Assessment.Status.APPROVED
    )
    for criterion, score in scores.items():
        Entry.objects.create(assessment=assessment, criterion=criterion, final_score=D(score))
    return assessment


def _departments(count: int) -> list[Agency]:
    return [
        Agency.objects.create(
            name=f"Sở số {number:02}", short_name=f"S{number:02}", kind=Agency.Kind.DEPARTMENT
        )
        for number in range(count)
    ]


@pytest.fixture
def linked(scored_plan: Plan, tree: dict[str, Criterion]) -> dict[str, Criterion]:
    """The national 1.1.1 related to unit criteria 1.1 (max 2) and 1.2 (max 4); 2.1.2 (which
    loses points in 2018, so the route lists it) to 1.2 only."""
    unit = _unit_framework()
    CriterionLink.objects.create(unit_criterion=unit["1.1"], national_criterion=tree["1.1.1"])
    CriterionLink.objects.create(unit_criterion=unit["1.2"], national_criterion=tree["1.1.1"])
    CriterionLink.objects.create(unit_criterion=unit["1.2"], national_criterion=tree["2.1.2"])
    return unit


def _client(user: AbstractUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _line(html: str) -> str:
    """The first line of the lowest units on the page."""
    start = html.index(MARK)
    return html[start : html.index("</p>", start)]


def _row(html: str, code: str) -> str:
    """The gap table's row of a criterion."""
    start = html.index(f"<td>{code}</td>")
    return html[start : html.index("</tr>", start)]


def _unit_links(html: str) -> list[str]:
    return re.findall(r"/reports/units/2018/\d+/", html)


def test_noivu_sees_on_the_gap_page_the_units_lowest_on_the_related_criteria(noivu_staff, linked):
    low, middle, full = _departments(3)
    _approved(low, {linked["1.1"]: "1", linked["1.2"]: "1"})  # 1/2 and 1/4
    _approved(middle, {linked["1.1"]: "1.5", linked["1.2"]: "4"})  # 1,5/2 and 4/4
    _approved(full, {linked["1.1"]: "2", linked["1.2"]: "4"})

    html = _client(noivu_staff).get(reverse("reports:gap-dashboard", args=[2018])).content.decode()

    # The row of 1.1.1: each unit at its lowest related criterion, as a share of the
    # criterion's maximum (1/4 is lower than 1/2, though 1 point is more than 0,5 of 2).
    line = _line(_row(html, "1.1.1"))
    assert line.index(low.name) < line.index(middle.name) < line.index(full.name)
    assert f"{low.name}</a> 1/4 (tiêu chí 1.2)" in line
    assert f"{middle.name}</a> 1,5/2 (tiêu chí 1.1)" in line
    assert f'href="{reverse("reports:unit-detail", args=[2018, low.pk])}"' in line
    # Only the rows with related criteria: 1.1.1 and 2.1.2; the year is said.
    assert html.count(MARK) == 2
    assert "cùng năm 2018" in html


def test_noivu_sees_them_on_the_route_for_a_sub_criterion_losing_points(noivu_staff, linked):
    low, full = _departments(2)
    _approved(low, {linked["1.1"]: "0", linked["1.2"]: "3"})
    _approved(full, {linked["1.1"]: "2", linked["1.2"]: "4"})

    html = _client(noivu_staff).get(reverse("reports:route", args=[2018])).content.decode()

    # 2.1.2 (related to 1.2 only) is on the route; 1.1.1 loses nothing and is not.
    assert html.count(MARK) == 1
    line = _line(html)
    assert f"{low.name}</a> 3/4 (tiêu chí 1.2)" in line
    assert line.index(low.name) < line.index(full.name)


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", ["agency", "council"])
def test_roles_that_may_not_read_other_units_scores_do_not_see_them(
    leader, agency, agency_user, staff_password, linked, name, role
):
    other, _ = _departments(2)
    _approved(other, {linked["1.1"]: "0", linked["1.2"]: "0"})
    _approved(agency, {linked["1.1"]: "1", linked["1.2"]: "1"})
    council = _user_with_role("hoidong", staff_password, Role.COUNCIL_MEMBER)
    # A leader's visit first: what it cached must not reach the others.
    assert LINE in _client(leader).get(reverse(name, args=[2018])).content.decode()

    reader = agency_user if role == "agency" else council
    response = _client(reader).get(reverse(name, args=[2018]))

    assert response.status_code == 200
    html = response.content.decode()
    assert LINE not in html and other.name not in html
    assert reverse("reports:unit-detail", args=[2018, other.pk]) not in html


def test_a_new_approved_assessment_shows_at_once(leader, linked):
    first, second = _departments(2)
    _approved(first, {linked["1.1"]: "1", linked["1.2"]: "4"})
    client = _client(leader)
    page = reverse("reports:gap-dashboard", args=[2018])
    before = _line(_row(client.get(page).content.decode(), "1.1.1"))

    _approved(second, {linked["1.1"]: "0", linked["1.2"]: "4"})

    after = _line(_row(client.get(page).content.decode(), "1.1.1"))
    assert second.name not in before
    assert after.index(second.name) < after.index(first.name)


def test_units_of_another_year_or_not_approved_are_not_shown(noivu_staff, linked):
    other_year, draft = _departments(2)
    _approved(other_year, {linked["1.1"]: "0"}, year=2019)
    _approved(draft, {linked["1.1"]: "0"})
    Assessment.objects.filter(agency=draft).update(status=Assessment.Status.FINAL)

    html = _client(noivu_staff).get(reverse("reports:gap-dashboard", args=[2018])).content.decode()

    assert LINE not in html


@pytest.mark.parametrize(
    ("name", "queries", "lines"), [("reports:gap-dashboard", 12, 2), ("reports:route", 15, 1)]
)
def test_query_count_does_not_grow_with_units(
    leader, linked, django_assert_num_queries, name, queries, lines
):
    """Session, user, plan, data version, the page's own (tests/reports/test_dashboards.py,
    YEAR_PAGES), the user's groups; the units' data version and the lowest units: one
    query each, whatever the number of units."""
    client = _client(leader)
    units = _departments(8)
    for count in (2, 8):
        for unit in units[:count]:
            if not Assessment.objects.filter(agency=unit).exists():
                _approved(unit, {linked["1.1"]: "1", linked["1.2"]: "2"})

        cache.clear()  # the pages as built, not as kept
        with django_assert_num_queries(queries):
            response = client.get(reverse(name, args=[2018]))

        # Three units (the lowest) on each line, from two and eight units.
        assert len(_unit_links(response.content.decode())) == lines * min(count, 3)
