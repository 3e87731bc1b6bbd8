"""The appraisal: where the official score is below the self-assessment, by area and owner."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from assignments.models import AgencyGroup, Responsibility
from criteria.models import Score
from reports.appraisal import losses
from tests.reports.conftest import add_scores

pytestmark = pytest.mark.django_db
D = Decimal

SELF = {
    "1.1.1": "1",
    "1.1.2": "1",
    "1.2": "3",
    "1.3.1": "2",
    "2.1.1": "2",
    "2.1.2": "1.5",
    "3": "8",
}
OFFICIAL = {
    "1": "6",  # stated by the ministry: its sub-criteria add up to 5,5
    "1.1.1": "0.5",  # lost 0,5
    "1.1.2": "1",
    "1.2": "2",  # lost 1
    "1.3.1": "2",
    "1.3.2": "2.5",  # survey: no self-assessment
    "2.1.1": "1.25",  # lost 0,75
    "2.1.2": "2",  # gained 0,5
    "3": "7",  # lost 1
}


@pytest.fixture
def world(plan, tree, agency, other_agency):
    add_scores(tree, 2018, SELF, kind=Score.Kind.SELF)
    add_scores(tree, 2018, OFFICIAL)
    Score.objects.filter(criterion=tree["1.2"], year=2018, kind="official").update(
        note="Kế hoạch ban hành chậm"
    )
    group = AgencyGroup.objects.create(name="Các cơ quan chuyên môn cấp tỉnh")
    lead(plan, tree["1.1.1"], agency)
    lead(plan, tree["1.2"], agency, other_agency)
    lead(plan, tree["2.1.1"], other_agency, group=group)
    return tree


def lead(plan, criterion, *agencies, group=None) -> Responsibility:
    responsibility = Responsibility.objects.create(plan=plan, criterion=criterion)
    responsibility.leads.add(*agencies)
    if group:
        responsibility.lead_groups.add(group)
    return responsibility


def test_rows_are_the_sub_criteria_scored_below_the_self_assessment(plan, world):
    appraisal = losses(plan, 2018)

    assert [(r.criterion.code, r.lost) for r in appraisal.rows] == [
        ("1.1.1", D("0.5")),
        ("1.2", D(1)),
        ("2.1.1", D("0.75")),
        ("3", D(1)),
    ]
    by_code = {r.criterion.code: r for r in appraisal.rows}
    assert by_code["1.2"].reason == "Kế hoạch ban hành chậm"
    assert [o.name for o in by_code["1.2"].owners] == ["Sở Tư pháp", "UBND huyện Cái Bè"]
    assert by_code["3"].owners == []


def test_totals_per_area_and_per_owner_add_up_to_self_less_official(plan, world):
    appraisal = losses(plan, 2018)

    # Over the sub-criteria with both scores: 18,5 self-assessed, 15,75 official.
    assert (appraisal.self_total, appraisal.official_total) == (D("18.5"), D("15.75"))
    assert appraisal.lost == D("3.25") and appraisal.gained == D("0.5")
    assert appraisal.lost - appraisal.gained == appraisal.self_total - appraisal.official_total
    areas = {a.area.code: a for a in appraisal.areas}
    assert {code: (a.lost, a.gained, a.difference) for code, a in areas.items()} == {
        "1": (D("1.5"), D(0), D("1.5")),
        "2": (D("0.75"), D("0.5"), D("0.25")),
        "3": (D(1), D(0), D(1)),
    }
    assert sum(a.difference for a in appraisal.areas) == appraisal.difference
    assert sum(a.lost for a in appraisal.areas) == appraisal.lost
    # The area's stated official score is shown where it differs from its sum.
    assert areas["1"].differing_stated == D(6) and areas["3"].differing_stated is None
    owners = {o.name: (o.lost, o.share) for o in appraisal.owners}
    assert owners == {
        "Sở Tư pháp": (D("1.5"), D(1)),
        "UBND huyện Cái Bè": (D("1.75"), D("0.87")),
        "Các cơ quan chuyên môn cấp tỉnh": (D("0.75"), D("0.38")),
        "Chưa phân công đơn vị chủ trì": (D(1), D(1)),
    }
    assert sum(o.share for o in appraisal.owners) == appraisal.lost


def test_page_shows_the_losses_to_sở_nội_vụ(client, noivu_staff, plan, world):
    client.force_login(noivu_staff)

    response = client.get(reverse("reports:appraisal", args=[2018]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Kế hoạch ban hành chậm" in page
    assert "3,25" in page and "2,75" in page
    assert "Phần chia đều" in page


@pytest.mark.parametrize("role", ["leader", "admin_user"])
def test_readers_see_the_page(client, request, role, plan, world):
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse("reports:appraisal", args=[2018])).status_code == 200


@pytest.mark.parametrize("name", ["reports:appraisal", "reports:appraisal-export"])
def test_an_agency_gets_403(client, agency_user, plan, world, name):
    client.force_login(agency_user)

    assert client.get(reverse(name, args=[2018])).status_code == 403


def test_anonymous_goes_to_login_and_post_is_refused(client, noivu_staff, plan, world):
    url = reverse("reports:appraisal", args=[2018])

    assert client.get(url).headers["Location"].startswith(reverse("login"))
    client.force_login(noivu_staff)
    assert client.post(url).status_code == 405
    assert client.get(reverse("reports:appraisal", args=[2030])).status_code == 404


def test_query_count_does_not_grow_with_the_rows(
    client, noivu_staff, plan, world, other_agency, django_assert_num_queries
):
    client.force_login(noivu_staff)
    url = reverse("reports:appraisal", args=[2018])
    # session, user, role's groups, plan, criteria, scores of the year, responsibilities,
    # their lead agencies, their lead groups
    with django_assert_num_queries(9):
        client.get(url)
    Score.objects.filter(criterion=world["1.1.2"], year=2018, kind="official").update(value=0)
    Score.objects.filter(criterion=world["2.1.2"], year=2018, kind="official").update(value=1)
    lead(plan, world["1.1.2"], other_agency)

    with django_assert_num_queries(9):
        response = client.get(url)

    assert len(response.context["appraisal"].rows) == 6


def test_export_reads_back_with_the_same_figures(client, noivu_staff, plan, world):
    client.force_login(noivu_staff)

    response = client.get(reverse("reports:appraisal-export", args=[2018]))

    assert response.status_code == 200
    assert "diem-bi-tru-tham-dinh-2018.xlsx" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "Mã"
    assert [(r[0], D(str(r[5]))) for r in rows[1:-1]] == [
        ("1.1.1", D("0.5")),
        ("1.2", D(1)),
        ("2.1.1", D("0.75")),
        ("3", D(1)),
    ]
    assert rows[2][6] == "Kế hoạch ban hành chậm"
    assert D(str(rows[-1][5])) == D("3.25")
    areas = list(book.worksheets[1].iter_rows(values_only=True))
    assert [(r[0], D(str(r[4]))) for r in areas[1:-1]] == [
        ("1", D("1.5")),
        ("2", D("0.25")),
        ("3", D(1)),
    ]
    owners = list(book.worksheets[2].iter_rows(values_only=True))
    assert sum(D(str(r[4])) for r in owners[1:-1]) == D("3.25")


def test_overview_links_the_appraisal_for_readers_only(client, noivu_staff, agency_user, plan):
    link = reverse("reports:appraisal", args=[2018])

    client.force_login(noivu_staff)
    assert link in client.get(reverse("reports:overview")).content.decode()
    client.force_login(agency_user)
    assert link not in client.get(reverse("reports:overview")).content.decode()
