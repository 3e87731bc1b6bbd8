"""The issue's "done when", page by page, as a department's user and then as Sở Nội vụ."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assignments import yearly
from assignments.models import Extension, Report, YearlyReport
from tests.assignments.reporting import (
    PDF_BYTES,
    post_evidence,
    send_yearly,
    upload,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


def _write(client, report: Report, narrative: str) -> None:
    """Save a task's section on its page."""
    report.refresh_from_db()
    response = client.post(
        reverse("assignments:report-update", args=[report.pk]),
        {"progress": "done", "narrative": narrative, "version": report.version, "save": ""},
    )
    assert response.status_code == 302


def _statuses(report: YearlyReport) -> list[tuple[str, str]]:
    """Each task section's number and status, in the plan's order."""
    sections = report.task_reports.select_related("task__content_area").order_by(
        "task__content_area__number", "task__number"
    )
    return [
        (f"{r.task.content_area.number}.{r.task.number}.", r.get_status_display()) for r in sections
    ]


def test_department_reports_and_noivu_follows_the_year(
    world, today, media, agency_client, noivu_client, noivu_staff
):
    # A department's user sees exactly its sub-criteria and tasks, with their targets.
    page = agency_client.get(reverse("assignments:workspace"))
    workspace = page.context["workspace"]
    assert [row.criterion.code for row in workspace.criteria] == ["1.1.1", "1.1.2", "1.2"]
    assert [row.task for row in workspace.tasks] == [
        world.tasks["1.1"],
        world.tasks["1.2"],
        world.tasks["2.2"],
    ]
    assert "ít nhất 95%" in page.text

    # Its yearly report has a section for each of its tasks and the sub-criterion it owns.
    agency_client.get(reverse("assignments:yearly-report", args=[2019]))
    report = YearlyReport.objects.get(agency=world.agency)
    first = report.task_reports.get(task=world.tasks["1.1"])
    second = report.task_reports.get(task=world.tasks["1.2"])
    late = report.task_reports.get(task=world.tasks["2.2"])

    # It writes task 1.1 with two files, a note on 1.2, and proposes a score for 1.1.1.
    post_evidence(
        agency_client,
        first,
        upload("quyết định.pdf", PDF_BYTES),
        upload("số liệu.xlsx", xlsx_bytes()),
    )
    _write(agency_client, first, "Đã ban hành kế hoạch ngày 20/12.")
    _write(agency_client, second, "Đã kiểm tra 12 đơn vị.")
    _write(agency_client, late, "Đã góp ý dự thảo.")
    proposal = report.score_proposals.get()
    saved = agency_client.post(
        reverse("assignments:yearly-proposal", args=[2019, proposal.pk]),
        {
            f"p{proposal.pk}-score": "0,5",
            f"p{proposal.pk}-explanation": "Kế hoạch đang trình ký.",
            f"p{proposal.pk}-version": proposal.version,
        },
    )
    assert saved.status_code == 302
    assert first.evidence.count() == 2

    # After the deadline the report is refused.
    today(datetime.date(2019, 11, 26))
    refused = send_yearly(agency_client, world, follow=True)
    assert "Đã quá hạn báo cáo ngày 25/11/2019" in refused.text
    report.refresh_from_db()
    assert report.status == YearlyReport.Status.DRAFT

    # Sở Nội vụ sees who has not reported: neither has sent its yearly report, both are
    # overdue. (It reviews the yearly reports: tests/assignments/test_yearly_review.py.)
    tracker = noivu_client.get(reverse("assignments:cycle-detail", args=[2019]))
    rows = {row.agency.short_name: row for row in tracker.context["rows"]}
    assert rows["H. Cái Bè"].is_overdue and rows["H. Cái Bè"].status == "not_started"
    assert rows["Sở TP"].is_overdue

    # It grants the department an extension, and the late report goes in.
    noivu_client.post(
        reverse("assignments:extension-create", args=[2019, world.agency.pk]),
        {"until": "2019-12-05", "reason": "Chờ ý kiến thẩm định"},
    )
    assert Extension.objects.get().until == datetime.date(2019, 12, 5)
    sent = send_yearly(agency_client, world, follow=True)
    assert "Đã gửi báo cáo năm 2019 đến Sở Nội vụ." in sent.text
    assert _statuses(report) == [("1.1.", "Đã gửi"), ("1.2.", "Đã gửi"), ("2.2.", "Đã gửi")]

    # It returns one section with a comment (its review page is another's), and the
    # department corrects that section only and sends the report again.
    report.refresh_from_db()
    yearly.return_yearly_report(
        report=report,
        by=noivu_staff,
        version=report.version,
        comments={f"task-{second.pk}": "Thiếu danh sách đơn vị được kiểm tra."},
    )
    assert _statuses(report) == [
        ("1.1.", "Đã gửi"),
        ("1.2.", "Bị trả lại"),
        ("2.2.", "Đã gửi"),
    ]
    workspace = agency_client.get(reverse("assignments:workspace"))
    assert "Thiếu danh sách đơn vị được kiểm tra." in workspace.text
    _write(agency_client, second, "Đã kiểm tra 12 đơn vị, danh sách kèm theo.")
    send_yearly(agency_client, world)
    report.refresh_from_db()
    yearly.accept_yearly_report(report=report, by=noivu_staff, version=report.version)

    # It downloads the year's consolidated reports.
    export = noivu_client.get(reverse("assignments:cycle-export", args=[2019]))
    sheet = load_workbook(io.BytesIO(export.content))["Nhiệm vụ"]
    rows = {
        (row[2].value, row[4].value): (row[5].value, row[9].value)
        for row in sheet.iter_rows(min_row=5)
    }
    # Its own task with its status; its part in the district's task as a coordinator's note.
    assert rows[("1.1", "Sở Tư pháp")][0] == "Đã chấp nhận"
    assert rows[("2.2", "UBND huyện Cái Bè")] == ("Chưa báo cáo", "Sở Tư pháp: Đã góp ý dự thảo.")
