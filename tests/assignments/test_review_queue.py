"""Sở Nội vụ's review queue: the reports sent and waiting, the one waiting longest first."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assignments.models import Report, ReportTransition
from tests.assignments.reporting import make_report

pytestmark = pytest.mark.django_db

QUEUE = reverse("assignments:review-list")


def _sent(report: Report, at: datetime.datetime) -> Report:
    transition = ReportTransition.objects.create(
        report=report, from_status=Report.Status.DRAFT, to_status=Report.Status.SUBMITTED
    )
    ReportTransition.objects.filter(pk=transition.pk).update(at=at)
    return report


def _at(day: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2019, 10, day, 9, 30))


@pytest.fixture
def waiting(world) -> list[Report]:
    """Four reports sent (on 20, 5, 28 and 12 October), and some that wait for nothing."""
    sent = Report.Status.SUBMITTED
    reports = [
        _sent(make_report(world, "1.1", status=sent), _at(20)),
        _sent(make_report(world, "1.2", agency=world.other, status=sent), _at(5)),
        _sent(make_report(world, "2.2", agency=world.third, status=sent), _at(28)),
        _sent(make_report(world, "2.1", agency=world.other, status=sent), _at(12)),
    ]
    make_report(world, "1.2", status=Report.Status.RETURNED)
    make_report(world, "2.2", agency=world.other, status=Report.Status.ACCEPTED)
    make_report(world, "2.2")  # a draft
    return reports


def test_queue_lists_the_sent_reports_the_oldest_first(world, waiting, today, noivu_client):
    response = noivu_client.get(QUEUE)

    assert response.status_code == 200
    rows = [
        (report.agency.short_name, str(report.task), report.days_waiting)
        for report in response.context["page"].object_list
    ]
    # Today is 1/11/2019.
    assert [(name, days) for name, _task, days in rows] == [
        ("H. Cái Bè", 27),
        ("H. Cái Bè", 20),
        ("Sở TP", 12),
        ("Sở TC", 4),
    ]
    text = response.text
    assert text.index(reverse("assignments:report-detail", args=[waiting[1].pk])) < text.index(
        reverse("assignments:report-detail", args=[waiting[2].pk])
    )
    assert "05/10/2019" in text
    assert "Báo cáo chờ duyệt" in text


def test_queue_counts_the_last_sending_of_a_report_sent_again(world, waiting, today, noivu_client):
    _sent(waiting[1], _at(30))  # returned, corrected and sent again on 30/10

    response = noivu_client.get(QUEUE)

    assert response.context["page"].object_list[-1] == waiting[1]
    assert response.context["page"].object_list[-1].days_waiting == 2


def test_queue_says_when_nothing_waits(world, today, noivu_client):
    response = noivu_client.get(QUEUE)

    assert response.status_code == 200
    assert "Không có báo cáo nào chờ duyệt." in response.text


def test_tracker_and_navigation_link_the_queue_for_noivu_only(
    world, today, noivu_client, leader_client
):
    tracker = reverse("assignments:cycle-detail", args=[2019])

    noivu_page = noivu_client.get(tracker).text
    leader_page = leader_client.get(tracker).text

    assert noivu_page.count(f'href="{QUEUE}"') == 2  # the navigation and the tracker
    assert f'href="{QUEUE}"' not in leader_page


@pytest.mark.parametrize("client_name", ["agency_client", "leader_client"])
def test_agencies_and_leaders_get_403_on_the_queue(world, waiting, request, client_name):
    assert request.getfixturevalue(client_name).get(QUEUE).status_code == 403


def test_queue_query_count_does_not_grow_with_reports(
    world, waiting, today, noivu_client, django_assert_num_queries
):
    # session, user, user's groups (the role), the count of the reports waiting, the page
    # of them with their agency, task and cycle and the time each was last sent
    with django_assert_num_queries(5):
        response = noivu_client.get(QUEUE)

    assert len(response.context["page"].object_list) == 4
