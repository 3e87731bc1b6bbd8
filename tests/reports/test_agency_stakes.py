"""Points at stake per lead agency: who owns the lost points and the distance to the target."""

from decimal import Decimal

import pytest
from django.urls import reverse

from assignments.models import Agency, AgencyGroup, Responsibility
from reports.rollups import YearResults, agency_stakes
from tests.reports.conftest import add_scores

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def assigned(scored_plan, tree):
    justice = Agency.objects.create(
        name="Sở Tư pháp", short_name="STP", kind=Agency.Kind.DEPARTMENT
    )
    office = Agency.objects.create(
        name="Văn phòng UBND tỉnh", short_name="VPUB", kind=Agency.Kind.DEPARTMENT
    )
    leaves = [row.criterion for row in YearResults.build(scored_plan, 2018).leaves]
    for index, criterion in enumerate(leaves):
        lead = justice if index % 2 == 0 else office
        Responsibility.objects.create(
            plan=scored_plan, criterion=criterion, is_recognised=True
        ).leads.add(lead)
    return {"justice": justice, "office": office, "leaves": leaves}


def test_stakes_sum_lost_points_over_the_sub_criteria_each_agency_leads(scored_plan, assigned):
    results = YearResults.build(scored_plan, 2018)

    stakes = agency_stakes(results)

    by_name = {stake.agency.name: stake for stake in stakes if stake.agency}
    for name, agency in (
        ("Sở Tư pháp", assigned["justice"]),
        ("Văn phòng UBND tỉnh", assigned["office"]),
    ):
        led = [
            row
            for row in results.leaves
            if list(Responsibility.objects.get(criterion=row.criterion).leads.all()) == [agency]
        ]
        assert by_name[name].points_lost == sum((r.points_lost for r in led if r.points_lost), D(0))
    assert stakes[0].points_lost >= stakes[-1].points_lost


def test_unassigned_sub_criteria_are_grouped_not_dropped(scored_plan, assigned):
    Responsibility.objects.filter(criterion=assigned["leaves"][0]).delete()

    stakes = agency_stakes(YearResults.build(scored_plan, 2018))

    unassigned = [stake for stake in stakes if not stake.owners]
    assert len(unassigned) == 1
    assert unassigned[0].rows[0].criterion == assigned["leaves"][0]
    assert sum(len(stake.rows) for stake in stakes) == len(assigned["leaves"])


def test_stakes_page_shows_agencies_most_lost_first(leader_client, scored_plan, assigned):
    response = leader_client.get(reverse("reports:agency-stakes", args=[2018]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Điểm bị mất theo đơn vị chủ trì năm 2018" in page
    first = agency_stakes(YearResults.build(scored_plan, 2018))[0].agency.name
    assert page.index(first) < page.index("Chi tiết theo đơn vị")


def test_stakes_page_query_count_does_not_grow(
    leader_client, scored_plan, assigned, tree, django_assert_num_queries
):
    url = reverse("reports:agency-stakes", args=[2018])
    AgencyGroup.objects.create(name="UBND cấp huyện", kinds=[Agency.Kind.DISTRICT])
    # session, user, plan, the data version (criteria/caching.py), criteria, official
    # scores, targets, published index, the agencies, the groups, their chosen agencies,
    # the responsibilities' lead agencies and lead groups, the user's groups (navigation);
    # the new scores are a write, so the page is built again
    with django_assert_num_queries(14):
        leader_client.get(url)
    add_scores(tree, 2019, {code: "0.5" for code in list(tree)[-2:]})

    with django_assert_num_queries(14):
        leader_client.get(url)


def test_stakes_page_without_lost_points_says_so_instead_of_an_empty_chart(leader_client, plan):
    response = leader_client.get(reverse("reports:agency-stakes", args=[2018]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Chưa có số liệu để vẽ biểu đồ “Điểm bị mất theo đơn vị chủ trì”." in page
    assert '<svg viewBox="0 0' not in page
    assert "grid-line" not in page


def test_a_group_leading_counts_its_points_once_under_the_group_with_its_members(
    leader_client, scored_plan, assigned
):
    districts = AgencyGroup.objects.create(name="UBND cấp huyện", kinds=[Agency.Kind.DISTRICT])
    cai_be = Agency.objects.create(
        name="UBND huyện Cái Bè", short_name="Cái Bè", kind=Agency.Kind.DISTRICT
    )
    cho_gao = Agency.objects.create(
        name="UBND huyện Chợ Gạo", short_name="Chợ Gạo", kind=Agency.Kind.DISTRICT
    )
    led = Responsibility.objects.get(criterion=assigned["leaves"][0])
    led.leads.clear()
    led.lead_groups.add(districts)
    results = YearResults.build(scored_plan, 2018)

    stakes = agency_stakes(results)

    (group_stake,) = [stake for stake in stakes if stake.owners == [districts]]
    assert [row.criterion for row in group_stake.rows] == [assigned["leaves"][0]]
    ((group, members),) = group_stake.groups
    assert (group, set(members)) == (districts, {cai_be, cho_gao})
    assert all(stake.owners for stake in stakes)
    assert sum(len(stake.rows) for stake in stakes) == len(results.leaves)
    page = leader_client.get(reverse("reports:agency-stakes", args=[2018])).content.decode()
    assert "UBND cấp huyện: 2 thành viên (" in page
    assert "Cái Bè" in page and "Chợ Gạo" in page
    assert "Chưa phân công" not in page


def test_a_sub_criterion_with_two_leads_is_counted_once_under_both(scored_plan, assigned):
    shared = Responsibility.objects.get(criterion=assigned["leaves"][0])
    shared.leads.set([assigned["justice"], assigned["office"]])

    stakes = agency_stakes(YearResults.build(scored_plan, 2018))

    (both,) = [stake for stake in stakes if len(stake.owners) == 2]
    assert both.name == "Sở Tư pháp; Văn phòng UBND tỉnh"
    assert [row.criterion for row in both.rows] == [assigned["leaves"][0]]
    assert sum(len(stake.rows) for stake in stakes) == len(assigned["leaves"])
