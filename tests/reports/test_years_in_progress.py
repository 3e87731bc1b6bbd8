"""A year in progress is a projection until Sở Nội vụ declares it final or the Ministry
publishes it; pages work on official scores where they exist, self-assessed ones before."""

from decimal import Decimal

import pytest
from django.urls import reverse

from criteria.models import IndexResult, Plan, Score
from reports.figures import Basis
from reports.rollups import Overview, Route, YearResults
from tests.reports.conftest import BASELINE, add_scores, add_target

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def baseline_plan(plan: Plan, tree) -> Plan:
    """2017 official scores of every leaf and a stated 2.1 (3, where its leaves add to 2);
    the published 2017 total is the areas' stated sum, 17; nothing of 2018 yet."""
    add_scores(tree, 2017, BASELINE)
    add_scores(tree, 2017, {"2.1": "3"})
    IndexResult.objects.create(province=plan.province, year=2017, total=D("17"), rank=30)
    return plan


def test_a_year_with_a_few_scores_is_projected_from_last_year(baseline_plan, tree):
    add_scores(tree, 2018, {"1.2": "3", "1.1.1": "1"})

    results = YearResults.build(baseline_plan, 2018)

    rows = {row.criterion.code: row for row in results.rows}
    # Area 2 has nothing entered: last year's stated 5 (2.1's stated 3 + 2.2's 2), not 4.
    assert rows["2"].figure.value == D("5") and rows["2"].figure.is_projection
    # Area 1: 1.2 and 1.1.1 entered, the rest as in 2017: 1 + 1 + 3 + 1 + 1.5.
    assert rows["1"].figure.value == D("7.5")
    assert rows["1.2"].figure.value == D("3") and not rows["1.2"].figure.is_projection
    assert rows["1.3.1"].figure.value == D("1") and rows["1.3.1"].figure.is_projection
    # The total: 7.5 + 5 + area 3's 6; never the entered 4 alone.
    assert results.total.total == D("18.5")
    assert results.total.is_projection and results.total.status is None
    assert (results.total.entered, results.total.leaf_count) == (2, 9)


def test_a_year_with_every_leaf_entered_projects_its_own_sum(baseline_plan, tree):
    add_scores(tree, 2018, dict.fromkeys(BASELINE, "1"))

    results = YearResults.build(baseline_plan, 2018)

    assert results.total.total == D("9") and results.total.is_projection


def test_overview_projects_the_year_as_the_year_pages_do(baseline_plan, tree):
    add_scores(tree, 2018, {"1.2": "3", "1.1.1": "1"})

    overview = Overview.build(baseline_plan)

    year = {total.year: total for total in overview.years}[2018]
    assert (year.total, year.is_projection, year.entered) == (D("18.5"), True, 2)
    areas = {area.criterion.code: area.figure.value for area in overview.areas}
    assert areas == {"1": D("7.5"), "2": D("5"), "3": D("6")}


def test_staff_declare_a_year_final_and_its_total_becomes_the_result(
    staff_client, baseline_plan, tree, noivu_staff
):
    add_scores(tree, 2018, dict.fromkeys(BASELINE, "1"))
    before = staff_client.get(reverse("reports:gap-dashboard", args=[2018])).content.decode()

    response = staff_client.post(reverse("reports:year-final", args=[2018]), {"is_final": "1"})

    assert response.status_code == 302
    baseline_plan.refresh_from_db()
    assert baseline_plan.final_years == [2018]
    assert baseline_plan.history.latest().history_user == noivu_staff
    after = staff_client.get(reverse("reports:gap-dashboard", args=[2018])).content.decode()
    assert "đã nhập 9/9 tiêu chí thành phần" in before and "dự kiến" in before
    assert "đã nhập 9/9" not in after and "tạm tính" in after


def test_staff_open_a_final_year_again(staff_client, baseline_plan):
    baseline_plan.final_years = [2018]
    baseline_plan.save()

    staff_client.post(reverse("reports:year-final", args=[2018]), {"is_final": "0"})

    baseline_plan.refresh_from_db()
    assert baseline_plan.final_years == []


def test_a_leader_cannot_declare_a_year_final(leader_client, baseline_plan):
    response = leader_client.post(reverse("reports:year-final", args=[2018]), {"is_final": "1"})

    assert response.status_code == 403
    baseline_plan.refresh_from_db()
    assert baseline_plan.final_years == []


def test_the_grid_offers_the_final_mark_to_staff_only_and_not_for_the_baseline(
    client, baseline_plan, noivu_staff, leader
):
    client.force_login(noivu_staff)
    staff_grid = client.get(reverse("reports:score-grid", args=[2018])).content.decode()
    baseline = client.get(reverse("reports:score-grid", args=[2017])).content.decode()
    client.force_login(leader)
    leader_grid = client.get(reverse("reports:score-grid", args=[2018])).content.decode()

    assert "Chốt điểm năm" in staff_grid
    assert "chưa chốt" in leader_grid and "Chốt điểm năm" not in leader_grid
    assert "chưa chốt" not in baseline and "Chốt điểm năm" not in baseline


def test_public_page_shows_published_years_only(client, baseline_plan, tree, settings):
    settings.PAR_PUBLIC_PAGE_ENABLED = True
    add_scores(tree, 2018, {"1.2": "2.75"})

    html = client.get(reverse("reports:public-overview")).content.decode()

    assert '<th scope="row">2017</th>' in html
    assert '<th scope="row">2018</th>' not in html and "dự kiến" not in html


# -- Self-assessed or official -----------------------------------------------------------------


def test_a_year_without_official_scores_works_on_the_self_assessment(baseline_plan, tree):
    add_scores(tree, 2018, {"1.2": "3"}, kind=Score.Kind.SELF)

    results = YearResults.build(baseline_plan, 2018)
    official = YearResults.build(baseline_plan, 2018, basis=Basis.OFFICIAL)

    assert results.basis == Basis.SELF
    assert results.total.total == D("18") and results.total.entered == 1
    assert official.basis == Basis.OFFICIAL and official.total.total == D("17")


def test_pages_label_the_basis_and_switch_it(leader_client, baseline_plan, tree):
    add_scores(tree, 2018, {"1.2": "3"}, kind=Score.Kind.SELF)
    url = reverse("reports:gap-dashboard", args=[2018])

    default = leader_client.get(url).content.decode()
    official = leader_client.get(url, {"basis": "official"}).content.decode()
    stakes = leader_client.get(reverse("reports:agency-stakes", args=[2018]), {"basis": "self"})

    assert 'Tổng điểm <span class="badge basis">tự đánh giá</span>' in default
    assert "<dd>18 " in default
    assert 'Tổng điểm <span class="badge basis">chính thức</span>' in official
    assert "<dd>17 " in official
    assert '<strong aria-current="true">tự đánh giá</strong>' in stakes.content.decode()


# -- The route explains itself -----------------------------------------------------------------


def test_route_says_where_a_target_above_its_sub_targets_must_find_its_points(
    leader_client, baseline_plan, tree
):
    # The sub-criteria's own 2018 targets add up to 20; the total's target is 21.
    add_target(baseline_plan, None, 2018, 2018, "21", "22")
    for code, low in {"1.1.1": "1", "1.1.2": "1", "1.2": "2.5", "1.3.1": "1.5", "1.3.2": "2",
                      "2.1.1": "1.5", "2.1.2": "1.5", "2.2": "3", "3": "6"}.items():  # fmt: skip
        add_target(baseline_plan, tree[code], 2018, 2018, low, low)
    add_scores(tree, 2018, dict(BASELINE))
    baseline_plan.final_years = [2018]
    baseline_plan.save()

    route = Route.build(YearResults.build(baseline_plan, 2018), without_survey=False)
    html = leader_client.get(reverse("reports:route", args=[2018])).content.decode()

    assert route.projected_lower == D("20")
    [gap] = route.target_gaps
    assert (gap.criterion, gap.target, gap.reachable, gap.missing) == (
        None,
        D("21"),
        D("20"),
        D("1"),
    )
    # Where the point must come from: the most room above their own targets first.
    assert [(item.row.criterion.code, item.points) for item in gap.headroom][:2] == [
        ("3", D("4")),
        ("1.3.2", D("1")),
    ]
    assert "chỉ cho 20 điểm; còn thiếu <strong>1</strong> điểm" in html
    assert "3. Tiêu chí 3: còn 4 điểm trên mục tiêu" in html


def test_gap_table_shows_points_lost_at_appraisal_with_the_reason(leader_client, scored_plan, tree):
    add_scores(tree, 2018, {"1.2": "3", "2.1.1": "2"}, kind=Score.Kind.SELF)
    Score.objects.filter(criterion=tree["1.2"], year=2018, kind=Score.Kind.OFFICIAL).update(
        note="Thiếu văn bản chứng minh"
    )

    results = YearResults.build(scored_plan, 2018)
    html = leader_client.get(reverse("reports:gap-dashboard", args=[2018])).content.decode()

    rows = {row.criterion.code: row for row in results.rows}
    assert (rows["1.2"].lost_at_appraisal, rows["1.2"].appraisal_note) == (
        D("0.5"),
        "Thiếu văn bản chứng minh",
    )
    assert rows["2.1.1"].lost_at_appraisal is None  # appraised as self-assessed
    assert results.total.lost_at_appraisal == D("0.5")
    assert "(bị trừ 0,5 khi thẩm định)" in html and "Thiếu văn bản chứng minh" in html
    assert "<dt>Bị trừ khi thẩm định</dt><dd>0,5</dd>" in html


def test_overview_marks_an_areas_stated_baseline_beside_its_childrens_sum(
    leader_client, baseline_plan, tree
):
    Score.objects.filter(criterion=tree["2.1"], year=2017).update(value=D("2.5"))
    Score.objects.create(criterion=tree["2"], year=2017, kind=Score.Kind.OFFICIAL, value=D("5"))

    html = leader_client.get(reverse("reports:overview")).content.decode()

    # Area 2 states 5 where 2.1 (stated 2,5) and 2.2 (2) add up to 4,5.
    assert "5 <span" in html and "≠ tổng các dòng con 4,5, chênh lệch +0,5" in html
