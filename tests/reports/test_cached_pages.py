"""The pages and files of the whole tree, cached until their data changes (criteria/caching.py).

A write through each real path (the score grid, the admin, the appendix import) shows on
the next request; users, roles and languages never get each other's cached output; and
a cached request makes fewer queries, as many at any size.
"""

import io
import re
from collections.abc import Callable
from decimal import Decimal as D

import openpyxl
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from assignments.models import Responsibility
from criteria.exporters import plan_appendix_bytes
from criteria.importers import read_appendix
from criteria.models import Criterion, IndexResult, Plan, Score
from criteria.services import import_appendix
from tests.reports.conftest import add_scores

pytestmark = pytest.mark.django_db

PAGES: dict[str, Callable[[Plan], list]] = {
    "criteria:plan-detail": lambda plan: [plan.pk],
    "criteria:plan-appendix-download": lambda plan: [plan.pk],
    "reports:gap-dashboard": lambda plan: [2018],
    "reports:agency-stakes": lambda plan: [2018],
    "reports:results-print": lambda plan: [2018],
    "reports:route": lambda plan: [2018],
    "reports:results-export": lambda plan: [2018],
}
FILES = {"criteria:plan-appendix-download", "reports:results-export"}


def _url(name: str, plan: Plan) -> str:
    return reverse(name, args=PAGES[name](plan))


def _shown(response) -> str:
    """What a page or file shows, as text: a workbook's cell values one after another."""
    assert response.status_code == 200
    if response["Content-Type"].startswith("text/html"):
        return response.content.decode()
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return " | ".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)


# -- A write shows on the next request ---------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_score_saved_in_the_grid_shows_on_the_next_request(staff_client, scored_plan, tree, name):
    url = _url(name, scored_plan)
    shown = "1.25" if name in FILES else "1,25"
    before = _shown(staff_client.get(url))
    # The plan and its appendix show the baseline year (2017), the results pages 2018.
    for year in (2017, 2018):
        score = Score.objects.get(criterion=tree["2.1.2"], year=year, kind=Score.Kind.OFFICIAL)
        staff_client.post(
            reverse("reports:score-save", args=[year, score.criterion_id]),
            {
                "self_value": "",
                "self_version": 0,
                "official_value": "1,25",
                "official_version": score.version,
                "note": "Thiếu minh chứng",
            },
        )

    after = _shown(staff_client.get(url))

    assert Score.objects.filter(criterion=tree["2.1.2"], value="1.25").count() == 2
    assert shown not in before
    assert shown in after


@pytest.mark.parametrize("name", PAGES)
def test_criterion_changed_in_the_admin_shows_on_the_next_request(
    admin_client, scored_plan, tree, name
):
    url = _url(name, scored_plan)
    criterion = tree["2.1.2"]
    before = _shown(admin_client.get(url))

    admin_client.post(
        reverse("admin:criteria_criterion_change", args=[criterion.pk]),
        {
            "framework": criterion.framework_id,
            "parent": criterion.parent_id,
            "code": "2.1.2",
            "title": "Tiêu chí đổi tên trong trang quản trị",
            "max_score": "2",
            "is_survey": "",
            "kind": "regular",
        },
    )
    after = _shown(admin_client.get(url))

    assert Criterion.objects.get(pk=criterion.pk).title == "Tiêu chí đổi tên trong trang quản trị"
    assert "Tiêu chí 2.1.2" in before
    assert "Tiêu chí đổi tên trong trang quản trị" in after
    assert "Tiêu chí 2.1.2" not in after


@pytest.mark.parametrize("name", PAGES)
def test_appendix_imported_again_shows_on_the_next_request(staff_client, scored_plan, name):
    url = _url(name, scored_plan)
    before = _shown(staff_client.get(url))
    book = openpyxl.load_workbook(io.BytesIO(plan_appendix_bytes(scored_plan)))
    sheet = book.active
    row = next(row for row in sheet.iter_rows() if row[0].value == "2.1.2")
    row[1].value = "Tiêu chí sửa trong phụ lục"
    # The fixture's published 2017 total (73,64) is more than its small framework's maximum.
    total = next(row for row in sheet.iter_rows() if row[0].value == "TỔNG ĐIỂM")
    total[3].value = None
    edited = io.BytesIO()
    book.save(edited)

    import_appendix(table=read_appendix(edited.getvalue()), plan=scored_plan)
    after = _shown(staff_client.get(url))

    assert "Tiêu chí 2.1.2" in before
    assert "Tiêu chí sửa trong phụ lục" in after


# -- Nobody gets someone else's page -----------------------------------------------------------


def test_edit_links_follow_the_role_not_the_cache(
    client, scored_plan, tree, agency, noivu_staff, leader
):
    Responsibility.objects.create(plan=scored_plan, criterion=tree["1.2"]).leads.add(agency)
    url = reverse("criteria:plan-detail", args=[scored_plan.pk])
    edit = reverse("assignments:responsibility-edit", args=[scored_plan.responsibilities.get().pk])
    pages = {}

    for user in (leader, noivu_staff, leader):
        client.force_login(user)
        pages.setdefault(user.username, []).append(client.get(url).content.decode())

    assert all(edit not in page for page in pages[leader.username])
    assert all("Sở TP" in page for page in pages[leader.username])
    assert edit in pages[noivu_staff.username][0]


@pytest.mark.parametrize("name", sorted(PAGES.keys() - FILES))
def test_each_language_gets_its_own_page(leader_client, scored_plan, name):
    url = _url(name, scored_plan)

    vietnamese = leader_client.get(url).content.decode()
    leader_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = leader_client.get(url).content.decode()
    leader_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    vietnamese_again = leader_client.get(url).content.decode()

    assert "Điểm chuẩn" in vietnamese and "Điểm chuẩn" in vietnamese_again
    assert "Điểm chuẩn" not in english
    assert "Maximum score" in english


def test_results_file_is_written_in_each_language(leader_client, scored_plan):
    url = reverse("reports:results-export", args=[2018])

    vietnamese = _shown(leader_client.get(url))
    leader_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _shown(leader_client.get(url))

    assert "Kết quả thẩm định năm 2018" in vietnamese
    assert "Kết quả thẩm định năm 2018" not in english


@pytest.mark.parametrize("name", sorted(PAGES.keys() - FILES))
def test_each_user_gets_their_own_name_and_csrf_token(
    client, scored_plan, agency_user, other_agency_user, name
):
    url = _url(name, scored_plan)
    pages = []

    for user in (agency_user, other_agency_user):
        client.force_login(user)
        pages.append(client.get(url).content.decode())

    tokens = [re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1] for page in pages]
    assert agency_user.username in pages[0] and other_agency_user.username not in pages[0]
    assert other_agency_user.username in pages[1] and agency_user.username not in pages[1]
    assert tokens[0] != tokens[1]


# -- Queries -----------------------------------------------------------------------------------

# Empty cache, then the same request again.
QUERIES = {
    # session, user, plan with framework, the user's permissions and their groups'
    # (may they assign?), the data version, 2017 official scores, targets, actions,
    # criteria, 2017 index result, index history, responsibilities, their leads, lead groups
    # and groups, the groups without members (active kinds, groups; their agencies would be
    # one more, but there is no group here), the user's groups (navigation) | session, user,
    # plan, permissions (2), data version, groups
    "criteria:plan-detail": (19, 7),
    # session, user, plan, the data version, official 2017 scores, targets, actions,
    # criteria, 2017 index result | session, user, plan, data version
    "criteria:plan-appendix-download": (9, 4),
    # session, user, plan, the areas (to check the filters), the data version, criteria,
    # official scores, targets, published index, user's groups (navigation) | session,
    # user, plan, the areas, data version, user's groups; for a leader (who reads every
    # unit's scores) also the version of the units' data (assessments/links.py) and, cold,
    # the units lowest on the related criteria
    "reports:gap-dashboard": (12, 7),
    # session, user, plan, the data version, criteria, official scores, targets, published
    # index, user's groups (navigation) | session, user, plan, data version, user's groups
    "reports:results-print": (9, 5),
    # and the route's standing (cold: data version, provinces, national rows, groups;
    # cached: data version), and the units' as on the gap page (cold 2, cached 1)
    "reports:route": (15, 7),
    # as above, and the agencies, the groups (their chosen agencies would be one more, but
    # there is no group here), the responsibilities' lead agencies and lead groups (a
    # group's points under the group)
    "reports:agency-stakes": (13, 5),
    # session, user, plan, data version; the appendix (5), the grid (2), the results (4)
    # | session, user, plan, data version
    "reports:results-export": (15, 4),
}


@pytest.mark.parametrize(("name", "queries"), QUERIES.items())
def test_cold_and_cached_query_counts_are_pinned(
    leader_client, scored_plan, tree, agency, django_assert_num_queries, name, queries
):
    cold, cached = queries
    Responsibility.objects.create(plan=scored_plan, criterion=tree["1.2"]).leads.add(agency)
    url = _url(name, scored_plan)
    leader_client.get(url)  # the session and permissions, as on any later page
    add_scores(tree, 2019, {"1.2": "1", "2.1.1": "1"})  # a write: the cached page is stale

    with django_assert_num_queries(cold):
        leader_client.get(url)
    with django_assert_num_queries(cached):
        leader_client.get(url)


# -- The overview and the public page share their cached totals and areas ------------------------


def _save_official(client, criterion: Criterion, year: int, value: str) -> None:
    score = Score.objects.get(criterion=criterion, year=year, kind=Score.Kind.OFFICIAL)
    client.post(
        reverse("reports:score-save", args=[year, criterion.pk]),
        {
            "self_value": "",
            "self_version": 0,
            "official_value": value,
            "official_version": score.version,
            "note": "Thiếu minh chứng",
        },
    )


def test_score_saved_shows_on_the_overview_and_the_public_page(
    staff_client, scored_plan, tree, settings
):
    settings.PAR_PUBLIC_PAGE_ENABLED = True
    citizen = Client()
    overview_before = staff_client.get(reverse("reports:overview")).content.decode()
    public_before = citizen.get(reverse("reports:public-overview")).content.decode()

    _save_official(staff_client, tree["2.1.2"], 2018, "1,25")  # 2018's total: 22,5 -> 22,25
    IndexResult.objects.create(province="Tiền Giang", year=2018, total=D("22.25"), rank=40)

    overview_after = staff_client.get(reverse("reports:overview")).content.decode()
    public_after = citizen.get(reverse("reports:public-overview")).content.decode()
    assert "22,5" in overview_before and "22,25" not in overview_before
    # The public page shows published years only: 2018 once the Ministry publishes it.
    assert "22,5" not in public_before and "22,25" not in public_before
    assert "22,25" in overview_after and "22,25" in public_after


def test_overview_in_english_is_not_served_the_vietnamese_figures(leader_client, scored_plan):
    vietnamese = leader_client.get(reverse("reports:overview")).content.decode()
    leader_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    english = leader_client.get(reverse("reports:overview")).content.decode()

    assert "85,51" in vietnamese
    assert "85.51" in english and "85,51" not in english


def test_overview_and_public_page_queries_cold_and_warm(
    leader_client, scored_plan, settings, django_assert_num_queries
):
    settings.PAR_PUBLIC_PAGE_ENABLED = True
    citizen = Client()

    # session, user, plan with framework, data version, published results, criteria,
    # official scores of every year, targets of the plan, user's groups (navigation); the
    # standing (data version, provinces, national rows, published results, rank goals,
    # total targets)
    with django_assert_num_queries(15):
        leader_client.get(reverse("reports:overview"))
    # session, user, plan with framework, data version, user's groups; the standing's data
    # version
    with django_assert_num_queries(6):
        leader_client.get(reverse("reports:overview"))
    # plan with framework, data version, published results, criteria, their scores summed,
    # targets of the plan: the public figures (published years only) are cached apart; the
    # rounds of the units' index made public
    with django_assert_num_queries(7):
        response = citizen.get(reverse("reports:public-overview"))
    # plan with framework, data version, the units' public rounds
    with django_assert_num_queries(3):
        citizen.get(reverse("reports:public-overview"))

    assert response.status_code == 200
    assert "85,51" in response.content.decode()


def test_bad_gap_filters_share_the_default_pages_cache_entry(
    leader_client, scored_plan, django_assert_num_queries
):
    url = reverse("reports:gap-dashboard", args=[2018])
    default = leader_client.get(url).text

    # session, user, plan, the areas, data version, the units' data version, user's groups:
    # no page built again
    with django_assert_num_queries(7):
        junk = leader_client.get(url, {"sort": "junk", "area": "999999", "status": "x"})
    with django_assert_num_queries(7):
        leader_client.get(url, {"sort": "junk-2"})

    assert junk.status_code == 200
    assert junk.text.split("<main", 1)[1] == default.split("<main", 1)[1]
