"""The issue's "done when", page by page, as a department's user and then as Sở Nội vụ."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assignments.models import Extension, Report
from tests.assignments.reporting import PDF_BYTES, post_evidence, upload, xlsx_bytes

pytestmark = pytest.mark.django_db


def _submit(client, report: Report, narrative: str):
    report.refresh_from_db()
    return client.post(
        reverse("assignments:report-update", args=[report.pk]),
        {"progress": "done", "narrative": narrative, "version": report.version, "submit": ""},
        follow=True,
    )


def test_department_reports_and_noivu_reviews_the_year(
    world, today, media, agency_client, noivu_client
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

    # It writes a report on task 1.1, attaches two files and submits before the deadline.
    start = agency_client.post(
        reverse("assignments:report-create", args=[2019, world.tasks["1.1"].pk])
    )
    first = Report.objects.get(task=world.tasks["1.1"], agency=world.agency)
    assert start.url == reverse("assignments:report-detail", args=[first.pk])
    post_evidence(
        agency_client,
        first,
        upload("quyết định.pdf", PDF_BYTES),
        upload("số liệu.xlsx", xlsx_bytes()),
    )
    _submit(agency_client, first, "Đã ban hành kế hoạch ngày 20/12.")
    first.refresh_from_db()
    assert (first.status, first.evidence.count()) == (Report.Status.SUBMITTED, 2)

    # A second report, on task 1.2, also goes in before the deadline.
    agency_client.post(reverse("assignments:report-create", args=[2019, world.tasks["1.2"].pk]))
    second = Report.objects.get(task=world.tasks["1.2"], agency=world.agency)
    _submit(agency_client, second, "Đã kiểm tra 12 đơn vị.")

    # After the deadline its last report (task 2.2) is refused.
    today(datetime.date(2019, 11, 26))
    agency_client.post(reverse("assignments:report-create", args=[2019, world.tasks["2.2"].pk]))
    late = Report.objects.get(task=world.tasks["2.2"], agency=world.agency)
    refused = _submit(agency_client, late, "Đã góp ý dự thảo.")
    assert "Đã quá hạn báo cáo ngày 25/11/2019" in refused.text
    late.refresh_from_db()
    assert late.status == Report.Status.DRAFT

    # Sở Nội vụ sees who has not reported: the district has sent nothing and is overdue.
    tracker = noivu_client.get(reverse("assignments:cycle-detail", args=[2019]))
    rows = {row.agency.short_name: row for row in tracker.context["rows"]}
    assert rows["H. Cái Bè"].is_overdue and rows["H. Cái Bè"].missing == 3
    assert (rows["Sở TP"].reported, rows["Sở TP"].missing) == (2, 1)

    # It returns one report with a reason and accepts the other, each as its page shows it.
    first.refresh_from_db()
    second.refresh_from_db()
    noivu_client.post(
        reverse("assignments:report-return", args=[second.pk]),
        {"reason": "Thiếu danh sách đơn vị được kiểm tra.", "version": second.version},
    )
    noivu_client.post(
        reverse("assignments:report-accept", args=[first.pk]), {"version": first.version}
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Report.Status.ACCEPTED, Report.Status.RETURNED)
    assert second.transitions.last().note == "Thiếu danh sách đơn vị được kiểm tra."

    # It grants the department an extension, and the late report goes in.
    noivu_client.post(
        reverse("assignments:extension-create", args=[2019, world.agency.pk]),
        {"until": "2019-12-05", "reason": "Chờ ý kiến thẩm định"},
    )
    assert Extension.objects.get().until == datetime.date(2019, 12, 5)
    _submit(agency_client, late, "Đã góp ý dự thảo.")
    late.refresh_from_db()
    assert late.status == Report.Status.SUBMITTED

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
