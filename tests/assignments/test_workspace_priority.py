"""The workspace puts first what needs the agency: the reports returned to it, then the tasks
it leads, then those it coordinates; the reason for a return at the top of the report; and a
notice on logging in when something of the agency was returned."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from assignments.models import Report, ReportTransition
from tests.assignments.reporting import make_report

pytestmark = pytest.mark.django_db

WORKSPACE = reverse("assignments:workspace")
REASON = "Thiếu số liệu quý IV, đề nghị bổ sung bảng tổng hợp."


def _returned(world, task_key: str, noivu_staff) -> Report:
    report = make_report(world, task_key, status=Report.Status.RETURNED)
    ReportTransition.objects.create(
        report=report,
        from_status=Report.Status.SUBMITTED,
        to_status=Report.Status.RETURNED,
        by=noivu_staff,
        note=REASON,
    )
    return report


def _order(response) -> list[str]:
    return [
        f"{row.task.content_area.number}.{row.task.number}"
        for row in response.context["workspace"].tasks
    ]


def test_tasks_it_leads_come_before_those_it_coordinates(world, today, agency_client):
    world.tasks["2.2"].lead_agencies.add(world.agency)  # led, though after 1.2 in the plan

    response = agency_client.get(WORKSPACE)

    assert _order(response) == ["1.1", "2.2", "1.2"]


def test_returned_reports_come_first_highlighted(world, today, agency_client, noivu_staff):
    report = _returned(world, "2.2", noivu_staff)  # a task it only coordinates

    response = agency_client.get(WORKSPACE)

    assert _order(response) == ["2.2", "1.1", "1.2"]
    assert f'<tr id="task-{world.tasks["2.2"].pk}" class="is-returned">' in response.text
    assert "1 báo cáo bị Sở Nội vụ trả lại, cần sửa và gửi lại" in response.text
    assert reverse("assignments:report-detail", args=[report.pk]) in response.text


def test_the_order_holds_across_pages(world, today, agency_client, noivu_staff, monkeypatch):
    from assignments import progress

    monkeypatch.setattr(progress, "WORKSPACE_PAGE_SIZE", 2)
    _returned(world, "2.2", noivu_staff)

    first = agency_client.get(WORKSPACE)
    second = agency_client.get(WORKSPACE, {"page": 2})

    assert _order(first) + _order(second) == ["2.2", "1.1", "1.2"]


def test_the_reason_of_a_return_is_at_the_top_of_the_report(
    world, today, agency_client, noivu_staff
):
    report = _returned(world, "1.1", noivu_staff)

    text = agency_client.get(reverse("assignments:report-detail", args=[report.pk])).text

    top = text.index("Sở Nội vụ trả lại báo cáo để sửa:")
    assert text.index(REASON) < text.index(
        'action="' + reverse("assignments:report-update", args=[report.pk])
    )
    assert top < text.index(REASON)


def test_a_report_sent_again_shows_no_return_reason_at_the_top(
    world, today, agency_client, noivu_staff
):
    report = _returned(world, "1.1", noivu_staff)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.SUBMITTED)

    text = agency_client.get(reverse("assignments:report-detail", args=[report.pk])).text

    assert "Sở Nội vụ trả lại báo cáo để sửa:" not in text
    assert REASON in text  # still in the history below


def _log_in(client, user, password):
    return client.post(
        reverse("login"), {"username": user.get_username(), "password": password}, follow=True
    )


def test_login_tells_the_agency_of_its_returned_reports(
    world, today, client, agency_user, staff_password, noivu_staff
):
    _returned(world, "1.1", noivu_staff)
    _returned(world, "1.2", noivu_staff)

    response = _log_in(client, agency_user, staff_password)

    assert response.status_code == 200
    assert (
        "2 phần báo cáo của đơn vị bị Sở Nội vụ trả lại, cần sửa và gửi lại: "
        "xem ở đầu trang Việc của tôi."
    ) in response.text


def test_login_says_nothing_when_nothing_was_returned(
    world, today, client, agency_user, other_agency_user, staff_password, noivu_staff
):
    make_report(world, "1.2", agency=world.other, status=Report.Status.RETURNED)  # not its own

    response = _log_in(client, agency_user, staff_password)

    assert response.status_code == 200
    assert not [m for m in get_messages(response.wsgi_request) if "trả lại" in str(m)]
    assert "bị Sở Nội vụ trả lại" not in response.text
