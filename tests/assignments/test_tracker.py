"""Sở Nội vụ's tracker: who may read it, extensions, cycles, and the year's consolidated
export for the People's Committee. The tracker's rows, order and sorting:
tests/assignments/test_yearly_tracker.py."""

import datetime

import pytest
from django.urls import reverse

from assignments.models import Agency, Extension, Report, ReportingCycle
from tests.assignments.reporting import make_report

pytestmark = pytest.mark.django_db

TRACKER = reverse("assignments:cycle-detail", args=[2019])
EXPORT = reverse("assignments:cycle-export", args=[2019])


@pytest.fixture
def reports(world) -> dict[str, Report]:
    """agency: 1.1 submitted, 1.2 returned, 2.2 none; other: 1.2 accepted, 2.1 draft, 2.2 none;
    third: 2.2 accepted."""
    return {
        "agency 1.1": make_report(world, "1.1", status=Report.Status.SUBMITTED),
        "agency 1.2": make_report(world, "1.2", status=Report.Status.RETURNED),
        "other 1.2": make_report(world, "1.2", agency=world.other, status=Report.Status.ACCEPTED),
        "other 2.1": make_report(world, "2.1", agency=world.other),
        "third 2.2": make_report(world, "2.2", agency=world.third, status=Report.Status.ACCEPTED),
    }


# -- The tracker ---------------------------------------------------------------------------


def test_tracker_links_each_agency_and_the_export(world, reports, today, leader_client):
    response = leader_client.get(TRACKER)

    assert reverse("assignments:agency-detail", args=[2019, world.other.pk]) in response.text
    assert f'href="{EXPORT}"' in response.text
    assert reverse("assignments:cycle-create") not in response.text  # a leader opens nothing


def test_current_cycle_leads_to_this_years_tracker(world, today, noivu_client):
    response = noivu_client.get(reverse("assignments:cycle-current"))

    assert response.status_code == 302
    assert response.url == TRACKER


@pytest.mark.parametrize("url", [TRACKER, EXPORT, reverse("assignments:cycle-current")])
def test_agency_users_get_403_on_the_tracker_and_export(world, today, agency_client, url):
    response = agency_client.get(url)

    assert response.status_code == 403


@pytest.mark.parametrize("url", [TRACKER, EXPORT, reverse("assignments:cycle-current")])
def test_tracker_and_export_send_anonymous_to_login(world, client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("url", [TRACKER, EXPORT, reverse("assignments:cycle-current")])
def test_tracker_and_export_refuse_post(world, noivu_client, url):
    assert noivu_client.post(url).status_code == 405


def test_tracker_of_a_year_without_cycle_gets_404(world, noivu_client):
    response = noivu_client.get(reverse("assignments:cycle-detail", args=[2020]))

    assert response.status_code == 404


# -- Extensions ----------------------------------------------------------------------------


def test_noivu_grants_an_extension_and_the_agency_is_told(
    world,
    today,
    noivu_client,
    noivu_staff,
    agency_user,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    agency_user.email = "canbo@sotuphap.tiengiang.gov.vn"
    agency_user.save()
    url = reverse("assignments:extension-create", args=[2019, world.agency.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = noivu_client.post(url, {"until": "2019-12-05", "reason": "Chờ số liệu quý IV"})

    assert response.status_code == 302
    extension = Extension.objects.get()
    assert (extension.agency, extension.until, extension.reason, extension.granted_by) == (
        world.agency,
        datetime.date(2019, 12, 5),
        "Chờ số liệu quý IV",
        noivu_staff,
    )
    assert len(mailoutbox) == 1
    assert "đến hết ngày 05/12/2019" in mailoutbox[0].body


def test_a_second_grant_replaces_the_first(world, today, noivu_client):
    url = reverse("assignments:extension-create", args=[2019, world.agency.pk])

    noivu_client.post(url, {"until": "2019-12-05"})
    noivu_client.post(url, {"until": "2019-12-15"})

    assert list(Extension.objects.values_list("until", flat=True)) == [datetime.date(2019, 12, 15)]


def test_extension_before_the_deadline_is_refused(world, today, noivu_client):
    url = reverse("assignments:extension-create", args=[2019, world.agency.pk])

    response = noivu_client.post(url, {"until": "2019-11-20"})

    assert response.status_code == 200
    assert "Ngày gia hạn phải sau hạn báo cáo 25/11/2019." in response.text
    assert not Extension.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("leader_client", 403), ("agency_client", 403)])
def test_only_noivu_grants_extensions(request, world, today, persona, status):
    client = request.getfixturevalue(persona)

    response = client.post(
        reverse("assignments:extension-create", args=[2019, world.agency.pk]),
        {"until": "2019-12-05"},
    )

    assert response.status_code == status
    assert not Extension.objects.exists()


def test_extension_create_refuses_get_and_sends_anonymous_to_login(world, noivu_client, client):
    url = reverse("assignments:extension-create", args=[2019, world.agency.pk])

    assert noivu_client.get(url).status_code == 405
    assert client.post(url, {"until": "2019-12-05"}).url == f"{reverse('login')}?next={url}"


# -- Opening a cycle -----------------------------------------------------------------------


def test_noivu_opens_a_cycle_due_25_11_by_default(world, today, noivu_client):
    response = noivu_client.post(reverse("assignments:cycle-create"), {"year": 2020})

    cycle = ReportingCycle.objects.get(year=2020)
    assert (cycle.plan, cycle.deadline) == (world.plan, datetime.date(2020, 11, 25))
    assert response.url == reverse("assignments:cycle-detail", args=[2020])


def test_a_cycle_may_have_another_deadline(world, today, noivu_client):
    noivu_client.post(reverse("assignments:cycle-create"), {"year": 2020, "deadline": "2020-11-20"})

    assert ReportingCycle.objects.get(year=2020).deadline == datetime.date(2020, 11, 20)


def test_a_year_has_one_cycle(world, today, noivu_client):
    response = noivu_client.post(reverse("assignments:cycle-create"), {"year": 2019})

    assert response.status_code == 200
    assert "Kỳ báo cáo năm 2019 đã có." in response.text
    assert ReportingCycle.objects.count() == 1


def test_a_cycle_outside_the_plan_is_refused(world, today, noivu_client):
    response = noivu_client.post(reverse("assignments:cycle-create"), {"year": 2021})

    assert "nằm ngoài thời gian của kế hoạch" in response.text
    assert not ReportingCycle.objects.filter(year=2021).exists()


def test_without_cycle_noivu_is_offered_to_open_one(world, today, noivu_client, leader_client):
    ReportingCycle.objects.all().delete()

    noivu_page = noivu_client.get(reverse("assignments:cycle-current"))
    leader_page = leader_client.get(reverse("assignments:cycle-current"))

    assert reverse("assignments:cycle-create") in noivu_page.text
    assert reverse("assignments:cycle-create") not in leader_page.text


@pytest.mark.parametrize("persona", ["leader_client", "agency_client"])
def test_only_noivu_opens_cycles(request, world, today, persona):
    client = request.getfixturevalue(persona)

    response = client.post(reverse("assignments:cycle-create"), {"year": 2020})

    assert response.status_code == 403
    assert not ReportingCycle.objects.filter(year=2020).exists()


def test_cycle_create_refuses_get(world, noivu_client):
    assert noivu_client.get(reverse("assignments:cycle-create")).status_code == 405


# The consolidated export: tests/assignments/test_yearly_export.py.


def test_admin_proposes_25_11_of_this_year_for_a_new_cycle(world, today, admin_client):
    response = admin_client.get(reverse("admin:assignments_reportingcycle_add"))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert (form["year"].value(), form["deadline"].value()) == (2019, datetime.date(2019, 11, 25))


def test_tracker_shows_a_hundred_agencies_a_page_and_counts_them_all(
    world, reports, today, noivu_client
):
    # A hundred more departments: each reports on 2.2 through the departments' group.
    Agency.objects.bulk_create(
        Agency(name=f"Sở số {n}", short_name=f"S{n}", kind=Agency.Kind.DEPARTMENT)
        for n in range(100)
    )

    first = noivu_client.get(TRACKER, {"kind": Agency.Kind.DEPARTMENT})
    second = noivu_client.get(TRACKER, {"kind": Agency.Kind.DEPARTMENT, "page": 2})

    assert (len(first.context["rows"]), len(second.context["rows"])) == (100, 2)
    shown = [row.agency.pk for page in (first, second) for row in page.context["rows"]]
    assert len(set(shown)) == 102
    assert first.context["totals"]["agencies"] == second.context["totals"]["agencies"] == 102
    assert 'href="?kind=department&amp;page=2"' in first.text
    assert "Trang 2/2 (101–102 trong 102)" in second.text
    assert 'href="?kind=department&amp;page=1"' in second.text
