"""The dashboards: overview, gap table, route to the target, export, print and public page."""

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from criteria.importers import read_appendix
from criteria.models import Criterion, IndexResult, Score
from criteria.services import import_appendix
from tests.reports.conftest import add_scores, add_target

pytestmark = pytest.mark.django_db

D = Decimal

# Every page of a year with the queries it makes for a logged-in reader, named in order.
# On an empty cache (tests/conftest.py empties it before each test).
YEAR_PAGES = {
    # session, user, plan with framework, the data version (criteria/caching.py), criteria,
    # official scores of the year and the baseline, targets of the plan, the year's
    # published index; the pages also the user's groups, for the navigation's role links;
    # the gap and route pages, for a leader (who reads every unit's scores), the version of
    # the units' data and the units lowest on the related criteria (assessments/links.py)
    "reports:gap-dashboard": 12,  # and the areas, to check the filters
    # the route also (reports/standing.py, RouteStanding): data version, provinces, the
    # national rows of the year and the two before, their groups
    "reports:route": 15,
    "reports:results-print": 9,
    # session, user, plan, the data version; the appendix (official baseline scores,
    # targets, actions, criteria, baseline index result); the grid (criteria, scores of the
    # year); the results (criteria, official scores, targets, the year's published index)
    "reports:results-export": 15,
}


def codes_in_table(html: str) -> list[str]:
    """The codes of a table's rows, in the order shown."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<tr class="level-\d">\s*<td>([\d.]+)</td>', body)


# -- Overview ----------------------------------------------------------------------------------


def test_overview_shows_totals_ranks_targets_and_areas(leader_client, scored_plan):
    response = leader_client.get(reverse("reports:overview"))

    assert response.status_code == 200
    html = response.content.decode()
    for text in ("85,51", "32/63", "70,61", "39/63", "73,64", "51/63"):
        assert text in html
    assert "22,5" in html and "tạm tính" in html  # 2018: no published index yet
    assert "năm 2018: 22 – 23 điểm" in html
    assert "năm 2019–2020: 24 – 26 điểm" in html
    assert "Chưa đạt mục tiêu" in html and "Vượt mục tiêu" in html and "Đạt mục tiêu" in html
    assert html.count('<svg viewBox="0 0 640 260"') == 3


def test_overview_charts_write_coordinates_with_a_dot(leader_client, scored_plan):
    response = leader_client.get(reverse("reports:overview"))

    svg = response.content.decode().split("<svg", 1)[1].split("</svg>", 1)[0]
    coordinates = re.findall(r' (?:x|y|width|height)="([^"]*)"', svg)
    assert coordinates
    assert all(re.fullmatch(r"\d+(\.\d)?", value) for value in coordinates)
    assert ">85,51</text>" in svg  # the numbers people read stay Vietnamese


def test_overview_numbers_follow_the_active_language(leader_client, scored_plan, settings):
    leader_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = leader_client.get(reverse("reports:overview"))

    html = response.content.decode()
    assert "85.51" in html and "85,51" not in html


def test_overview_without_a_plan_says_so(leader_client, db):
    response = leader_client.get(reverse("reports:overview"))

    assert response.status_code == 200
    assert "Chưa có kế hoạch" in response.content.decode()


def test_overview_is_open_to_every_role(client, scored_plan, agency_user):
    client.force_login(agency_user)

    response = client.get(reverse("reports:overview"))

    assert response.status_code == 200


def test_overview_sends_anonymous_to_login(client, scored_plan):
    response = client.get(reverse("reports:overview"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_overview_refuses_post(leader_client, scored_plan):
    response = leader_client.post(reverse("reports:overview"))

    assert response.status_code == 405


def test_leader_reads_score_tables_and_only_staff_enter_scores(
    leader_client, noivu_staff, scored_plan
):
    url = reverse("reports:overview")

    read_only = leader_client.get(url).content.decode()
    leader_client.force_login(noivu_staff)
    staff = leader_client.get(url).content.decode()

    assert "Nhập điểm" not in read_only
    assert '<th scope="col">Bảng điểm</th>' in read_only
    assert '<th scope="col">Nhập điểm</th>' in staff


def test_overview_query_count_is_pinned(leader_client, scored_plan, django_assert_num_queries):
    # session, user, plan with framework, data version (criteria/caching.py), published
    # results, criteria, official scores of every year, targets of the plan, user's groups;
    # the standing (reports/standing.py): data version, provinces, the province's national
    # rows, its published results, the plan's rank goals, the plan's total targets
    with django_assert_num_queries(15):
        response = leader_client.get(reverse("reports:overview"))

    assert response.status_code == 200


# -- Gap table ---------------------------------------------------------------------------------


def test_gap_table_lists_criteria_by_points_lost(leader_client, scored_plan):
    response = leader_client.get(reverse("reports:gap-dashboard", args=[2018]))

    assert response.status_code == 200
    codes = codes_in_table(response.content.decode())
    # Areas are filters, not rows; ties keep the tree order.
    assert codes == ["1.3", "1.3.2", "2.2", "1.2", "2.1", "2.1.2", "1.1", "1.1.1", "1.1.2",
                     "1.3.1", "2.1.1"]  # fmt: skip


def test_gap_table_sorts_by_a_query_parameter(leader_client, scored_plan):
    url = reverse("reports:gap-dashboard", args=[2018])

    by_code = leader_client.get(url, {"sort": "code"})
    by_actual = leader_client.get(url, {"sort": "-actual"})

    assert codes_in_table(by_code.content.decode())[:3] == ["1.1", "1.1.1", "1.1.2"]
    assert codes_in_table(by_actual.content.decode())[:2] == ["1.3", "2.1"]  # 4, then 3,5


def test_gap_table_filters_by_area_survey_and_status(leader_client, scored_plan, tree):
    url = reverse("reports:gap-dashboard", args=[2018])

    area = leader_client.get(url, {"area": tree["2"].pk, "sort": "code"})
    survey = leader_client.get(url, {"survey": "yes", "sort": "code"})
    not_survey = leader_client.get(url, {"survey": "no", "status": "below", "sort": "code"})

    assert codes_in_table(area.content.decode()) == ["2.1", "2.1.1", "2.1.2", "2.2"]
    assert codes_in_table(survey.content.decode()) == ["1.3.2", "2.2"]
    assert codes_in_table(not_survey.content.decode()) == ["2.1", "2.1.2"]


def test_gap_table_ignores_a_bad_filter(leader_client, scored_plan):
    response = leader_client.get(
        reverse("reports:gap-dashboard", args=[2018]), {"sort": "drop table", "area": "x"}
    )

    assert response.status_code == 200
    assert codes_in_table(response.content.decode())[0] == "1.3"


def test_gap_table_shows_max_baseline_target_actual_lost_and_shortfall(leader_client, scored_plan):
    response = leader_client.get(reverse("reports:gap-dashboard", args=[2018]), {"sort": "code"})

    html = response.content.decode()
    row = html.split("<td>2.1</td>", 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    # maximum, 2017, target, actual, points lost, shortfall
    assert cells == ["4", "2", "4", "3,5", "0,5", "0,5"]
    assert "Chưa đạt mục tiêu" in row


def test_gap_table_sends_anonymous_to_login(client, scored_plan):
    response = client.get(reverse("reports:gap-dashboard", args=[2018]))

    assert response.status_code == 302


def test_gap_table_refuses_post(leader_client, scored_plan):
    response = leader_client.post(reverse("reports:gap-dashboard", args=[2018]))

    assert response.status_code == 405


# -- Route to the target -----------------------------------------------------------------------


def test_route_shows_points_needed_and_where_to_find_them(leader_client, plan, tree):
    add_scores(tree, 2018, {"1.2": "1", "3": "5", "2.2": "2"})
    add_target(plan, None, 2018, 2018, "12", "14")

    response = leader_client.get(reverse("reports:route", args=[2018]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "còn cần <strong>4</strong> điểm" in html  # 12 − 8
    assert "còn cần <strong>6</strong> điểm" in html  # 14 − 8
    recoverable = re.findall(r"<td>([\d.]+)</td>\s*<td>Tiêu chí", html)
    assert recoverable == ["3", "1.2", "2.2"]  # 5, 2, 2 points to win


def test_route_can_leave_survey_rows_out(leader_client, plan, tree):
    add_scores(tree, 2018, {"1.2": "1", "3": "5", "2.2": "2"})

    response = leader_client.get(reverse("reports:route", args=[2018]), {"without_survey": "1"})

    recoverable = re.findall(r"<td>([\d.]+)</td>\s*<td>Tiêu chí", response.content.decode())
    assert recoverable == ["3", "1.2"]


def test_route_sends_anonymous_to_login(client, scored_plan):
    response = client.get(reverse("reports:route", args=[2018]))

    assert response.status_code == 302


def test_route_refuses_post(leader_client, scored_plan):
    response = leader_client.post(reverse("reports:route", args=[2018]))

    assert response.status_code == 405


# -- Export and print --------------------------------------------------------------------------


def test_export_writes_the_appendix_with_the_years_actual_columns(leader_client, scored_plan, tree):
    response = leader_client.get(reverse("reports:results-export", args=[2018]))

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="ket-qua-chi-so-cchc-2018.xlsx"' in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[5]]
    assert header[:4] == [
        "Stt",
        "Lĩnh vực/Tiêu chí/Tiêu chí thành phần",
        "Điểm chuẩn",
        "Điểm đạt được năm 2017",
    ]
    assert header[-4:] == [
        "Tự đánh giá năm 2018",
        "Kết quả thẩm định năm 2018",
        "Điểm bị mất năm 2018",
        "So với mục tiêu năm 2018",
    ]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=7, values_only=True)}
    assert len(rows) == Criterion.objects.count() + 1
    assert rows["2.1"][-3:] == (3.5, 0.5, "Chưa đạt mục tiêu")
    assert rows["TỔNG ĐIỂM"][-3] == 22.5


def test_exported_results_import_back_as_the_plan_unchanged(leader_client, scored_plan, tree):
    # This small tree's maximum is 28: its published 2017 index must fit under it.
    IndexResult.objects.filter(year=2017).update(total=D("20.5"))
    response = leader_client.get(reverse("reports:results-export", args=[2018]))

    report = import_appendix(table=read_appendix(response.content), plan=scored_plan, dry_run=True)

    assert not report.has_changes, [str(change) for change in report.changes]


def test_export_neutralises_text_a_spreadsheet_would_run(leader_client, scored_plan, tree):
    tree["1.2"].title = '=HYPERLINK("http://evil.example","bấm")'
    tree["1.2"].save()

    response = leader_client.get(reverse("reports:results-export", args=[2018]))

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cell = next(row[1] for row in sheet.iter_rows(min_row=7) if row[0].value == "1.2")
    assert cell.data_type == "s"
    assert cell.quotePrefix
    assert cell.value == '=HYPERLINK("http://evil.example","bấm")'


def test_print_page_lists_the_whole_tree_with_the_total(leader_client, scored_plan):
    response = leader_client.get(reverse("reports:results-print", args=[2018]))

    assert response.status_code == 200
    html = response.content.decode()
    assert codes_in_table(html)[:3] == ["1", "1.1", "1.1.1"]
    assert '<tr class="total">' in html and "22,5" in html


@pytest.mark.parametrize("name", ["reports:results-export", "reports:results-print"])
def test_export_and_print_send_anonymous_to_login(client, scored_plan, name):
    response = client.get(reverse(name, args=[2018]))

    assert response.status_code == 302


@pytest.mark.parametrize("name", ["reports:results-export", "reports:results-print"])
def test_export_and_print_refuse_post(leader_client, scored_plan, name):
    response = leader_client.post(reverse(name, args=[2018]))

    assert response.status_code == 405


# -- Query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "queries"), YEAR_PAGES.items())
def test_year_page_query_count_is_pinned(
    leader_client, scored_plan, django_assert_num_queries, name, queries
):
    with django_assert_num_queries(queries):
        response = leader_client.get(reverse(name, args=[2018]))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("reports:overview", []),
        ("reports:score-grid", [2018]),
        ("reports:gap-dashboard", [2018]),
        ("reports:route", [2018]),
        ("reports:results-print", [2018]),
        ("reports:results-export", [2018]),
    ],
)
def test_query_count_does_not_grow_with_criteria_or_years(
    staff_client, scored_plan, tree, name, args
):
    url = reverse(name, args=args)
    staff_client.get(url)  # warm the session and the permission cache alike
    cache.clear()  # but build the page each time: tests/reports/test_cached_pages.py for hits
    with CaptureQueriesContext(connection) as before:
        staff_client.get(url)
    for number in range(3, 6):
        Criterion.objects.create(
            framework=scored_plan.framework,
            parent=tree["2.1"],
            code=f"2.1.{number}",
            title="Thêm",
            max_score=1,
        )
    for year in (2019, 2020):
        add_scores(tree, year, {"1.2": "1", "3": "2", "2.1.1": "1"})
        add_scores(tree, year, {"1.2": "1"}, kind=Score.Kind.SELF)
    IndexResult.objects.create(province="Tiền Giang", year=2014, total=D(80), rank=20)
    cache.clear()

    with CaptureQueriesContext(connection) as after:
        staff_client.get(url)

    assert len(after) == len(before)


# -- Public page -------------------------------------------------------------------------------


def test_public_page_is_404_when_off(client, scored_plan, settings):
    settings.PAR_PUBLIC_PAGE_ENABLED = False

    response = client.get(reverse("reports:public-overview"))

    assert response.status_code == 404


def test_public_page_shows_official_results_to_anyone(client, scored_plan, settings):
    settings.PAR_PUBLIC_PAGE_ENABLED = True

    response = client.get(reverse("reports:public-overview"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "85,51" in html and "51/63" in html
    assert "Theo lĩnh vực" in html


def test_public_page_has_no_staff_names_and_no_self_assessment(
    client, scored_plan, tree, settings, noivu_staff
):
    settings.PAR_PUBLIC_PAGE_ENABLED = True
    noivu_staff.first_name, noivu_staff.last_name = "Lan", "Nguyễn Thị"
    noivu_staff.save()
    Score.objects.create(
        criterion=tree["3"],
        year=2018,
        kind=Score.Kind.SELF,
        value=D("9.75"),
        entered_by=noivu_staff,
    )

    response = client.get(reverse("reports:public-overview"))

    html = response.content.decode()
    assert "9,75" not in html
    assert "Tỉnh tự đánh giá" not in html
    for name in (noivu_staff.username, noivu_staff.first_name, noivu_staff.last_name):
        assert name not in html
    assert reverse("reports:score-grid", args=[2018]) not in html


def test_public_page_refuses_post(client, scored_plan, settings):
    settings.PAR_PUBLIC_PAGE_ENABLED = True

    response = client.post(reverse("reports:public-overview"))

    assert response.status_code == 405


def test_public_page_query_count_is_pinned(
    client, scored_plan, settings, django_assert_num_queries
):
    settings.PAR_PUBLIC_PAGE_ENABLED = True

    # plan with framework, data version (criteria/caching.py), published results, criteria,
    # official scores of every year, targets of the plan (no session, no user: anonymous);
    # the rounds of the units' index made public
    with django_assert_num_queries(7):
        response = client.get(reverse("reports:public-overview"))

    assert response.status_code == 200
