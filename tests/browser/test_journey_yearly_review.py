"""Sở Nội vụ opens its queue, returns two sections of Sở Tư pháp's yearly report with a
comment each, then accepts the report the agency corrected and sent again. The agency's
side goes through the services (its own page has its own journey)."""

import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from assignments import yearly
from assignments.models import Report, YearlyReport
from assignments.services import save_report
from tests.assignments.reporting import World, build_world
from tests.assignments.yearly_reports import fill, library_document, send

pytestmark = pytest.mark.browser

TASK_COMMENT = "Cần nêu số, ngày của kế hoạch đã ban hành."
SCORE_COMMENT = "Điểm đề xuất chưa khớp tài liệu kiểm chứng."


@pytest.fixture
def world(agency, other_agency, monkeypatch, settings, tmp_path) -> World:
    """The reporting world of tests/assignments, on 1/11/2019, 24 days before the deadline."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2019, 11, 1))
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world(agency, other_agency)


@pytest.fixture
def open_as(
    browser: Browser, browser_context_args, live_server, login, staff_password
) -> Iterator[Callable[..., Page]]:
    contexts = []

    def open_page(user) -> Page:
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        page = context.new_page()
        login(page, live_server, user, staff_password)
        return page

    yield open_page
    for context in contexts:
        context.close()


def nav_link(page: Page, name: str):
    return page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name=name)


def test_noivu_returns_two_sections_then_accepts_the_report_sent_again(
    open_as, world, agency_user, noivu_staff, screenshot
):
    report = yearly.open_yearly_report(cycle=world.cycle, agency=world.agency)
    fill(report, agency_user, library_document(world.agency))
    report = send(report, agency_user)
    task_report = report.task_reports.get(task=world.tasks["1.1"])
    proposal = report.score_proposals.get()

    # The report waits in the queue; Sở Nội vụ opens it.
    page = open_as(noivu_staff)
    nav_link(page, "Chờ duyệt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Báo cáo chờ duyệt")
    row = page.locator(f"#yearly-{report.pk}")
    expect(row).to_contain_text("Sở Tư pháp")
    row.get_by_role("link", name="Sở Tư pháp").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Báo cáo năm 2019 – Sở Tư pháp")
    scores = page.get_by_role("region", name="III. Điểm tự đánh giá đề xuất")
    expect(scores).to_contain_text("10/KH-UBND")
    expect(scores).to_contain_text("trang 3")

    # Returning with no comment is refused, and says why.
    page.get_by_role("button", name="Trả lại để đơn vị sửa").click()
    expect(page.get_by_role("alert")).to_contain_text("ít nhất một phần cần đơn vị sửa")

    # A comment on the task it leads and one on its proposed score.
    label = "Nhận xét của Sở Nội vụ về phần này"
    page.locator(f"#task-{task_report.pk}").get_by_label(label).fill(TASK_COMMENT)
    page.locator(f"#proposal-{proposal.pk}").get_by_label(label).fill(SCORE_COMMENT)
    page.get_by_role("button", name="Trả lại để đơn vị sửa").click()

    expect(page.get_by_role("status")).to_contain_text("Đã trả lại 2 phần của báo cáo năm")
    expect(page.locator("#yearly-status")).to_have_text("Bị trả lại")
    expect(page.locator(f"#task-{task_report.pk} .review-comment")).to_contain_text(TASK_COMMENT)
    expect(page.locator(f"#proposal-{proposal.pk} .review-comment")).to_contain_text(SCORE_COMMENT)
    expect(page.get_by_role("button", name="Chấp nhận báo cáo")).to_have_count(0)
    report.refresh_from_db()
    assert report.status == YearlyReport.Status.RETURNED
    reopened = {r.pk for r in report.task_reports.filter(status=Report.Status.RETURNED)}
    assert reopened == {task_report.pk}

    # The agency corrects the two sections and sends the report again.
    task_report.refresh_from_db()
    save_report(
        report=task_report,
        by=agency_user,
        progress=Report.Progress.DONE,
        narrative="Đã ban hành Kế hoạch số 10/KH-UBND ngày 15/01/2019.",
        values={},
        version=task_report.version,
    )
    proposal.refresh_from_db()
    yearly.save_proposal(
        proposal=proposal,
        by=agency_user,
        score=Decimal("0.25"),
        evidence_complete=True,
        explanation="",
        version=proposal.version,
    )
    send(report, agency_user)

    # Sở Nội vụ reads the new text and accepts the report with a note.
    page.reload()
    expect(page.get_by_text("Kế hoạch số 10/KH-UBND ngày 15/01/2019")).to_be_visible()
    page.get_by_label("Ghi chú khi chấp nhận").fill("Đạt yêu cầu.")
    page.get_by_role("button", name="Chấp nhận báo cáo").click()

    expect(page.get_by_role("status")).to_contain_text("Đã chấp nhận báo cáo năm của Sở Tư pháp.")
    expect(page.locator("#yearly-status")).to_have_text("Đã chấp nhận")
    history = page.get_by_role("region", name="Quá trình xử lý")
    expect(history.get_by_role("row")).to_have_count(5)
    expect(history.get_by_role("row").filter(has_text="Đã gửi → Bị trả lại")).to_contain_text(
        SCORE_COMMENT
    )
    screenshot(page, "yearly-report-accepted")
    report.refresh_from_db()
    assert report.status == YearlyReport.Status.ACCEPTED
    assert [(s.to_status, s.by) for s in report.transitions.all()] == [
        ("submitted", agency_user),
        ("returned", noivu_staff),
        ("submitted", agency_user),
        ("accepted", noivu_staff),
    ]
