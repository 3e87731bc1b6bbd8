"""An agency reports on its task and sends it; another agency's report does not exist for
it. Sở Nội vụ reviews the whole yearly report: test_journey_yearly_review.py."""

import datetime
from collections.abc import Callable, Iterator

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from assignments.models import Report, YearlyReport
from tests.assignments.reporting import PDF_BYTES, World, build_world, make_report

pytestmark = pytest.mark.browser


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
    """A fresh browser context per person, logged in through the form: `open_as(user)`."""
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


def test_an_agency_writes_and_sends_its_task_report(
    open_as, live_server, world, agency_user, tmp_path
):
    own_task, foreign_task = world.tasks["1.1"], world.tasks["2.1"]
    foreign_report = make_report(world, "2.1", agency=world.other)
    evidence = tmp_path / "ke-hoach-cchc-2019.pdf"
    evidence.write_bytes(PDF_BYTES)
    assert not Report.objects.filter(agency=world.agency).exists()

    # Sở Tư pháp sees its own tasks only and opens its yearly report.
    agency_page = open_as(agency_user)
    nav_link(agency_page, "Việc của tôi").click()
    tasks = agency_page.get_by_role("region", name="Nhiệm vụ chủ trì và báo cáo bị trả lại")
    expect(tasks.get_by_text(own_task.text)).to_be_visible()
    expect(agency_page.get_by_text(foreign_task.text)).to_have_count(0)
    agency_page.get_by_role("link", name="Viết báo cáo năm").click()
    expect(agency_page.get_by_role("heading", level=1)).to_have_text("Báo cáo năm 2019")
    yearly_report = YearlyReport.objects.get(agency=world.agency)
    report = yearly_report.task_reports.get(task=own_task)
    proposal = yearly_report.score_proposals.get()
    agency_page.locator(f"#task-{report.pk}").get_by_role("link", name="Viết, sửa phần này").click()
    expect(agency_page.get_by_role("heading", level=1)).to_have_text(
        "Báo cáo nhiệm vụ 1.1 năm 2019"
    )

    # The text, the values and the evidence file go together with one button.
    agency_page.get_by_label("Tiến độ").select_option(label="Hoàn thành")
    agency_page.get_by_label("Tỷ lệ văn bản ban hành đúng hạn").fill("96,5")
    agency_page.get_by_label("Kết quả thực hiện").fill("Đã ban hành kế hoạch CCHC năm 2019.")
    evidence_group = agency_page.get_by_role("group", name="Tài liệu minh chứng")
    expect(evidence_group).to_contain_text("mỗi tệp tối đa 10 MB")
    evidence_group.get_by_label("Thêm tài liệu minh chứng").set_input_files(evidence)
    agency_page.get_by_role("button", name="Lưu nháp").click()

    expect(agency_page.get_by_role("status")).to_contain_text(f"Đã tải lên “{evidence.name}”.")
    expect(agency_page.get_by_role("status")).to_contain_text("Đã lưu báo cáo.")
    expect(agency_page.get_by_role("link", name=evidence.name)).to_be_visible()

    # Back on the yearly report: the sub-criterion it owns, then the whole report is sent.
    agency_page.get_by_role("link", name="← Về báo cáo năm của đơn vị").click()
    section = agency_page.locator(f"#proposal-{proposal.pk}")
    section.get_by_label("Điểm tự đánh giá đề xuất").fill("0,5")
    section.get_by_label("Giải trình").fill("Kế hoạch đã ban hành, đang bổ sung tài liệu.")
    section.get_by_role("button", name="Lưu nháp").click()
    expect(agency_page.get_by_role("status")).to_contain_text("Đã lưu tiêu chí 1.1.1.")
    expect(agency_page.locator(".missing-none")).to_be_visible()
    agency_page.get_by_role("button", name="Gửi báo cáo năm đến Sở Nội vụ").click()
    expect(agency_page.get_by_role("status")).to_contain_text(
        "Đã gửi báo cáo năm 2019 đến Sở Nội vụ."
    )
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    assert [e.original_name for e in report.evidence.all()] == [evidence.name]

    # Another agency's report, typed into the address bar, does not exist for Sở Tư pháp.
    response = agency_page.goto(
        live_server.url + reverse("assignments:report-detail", args=[foreign_report.pk])
    )
    assert response.status == 404
    expect(agency_page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy trang")
