"""On a phone, Sở Tư pháp writes its yearly report: the task it leads, a note on a task it
coordinates, a proposed score for the sub-criterion it owns with a new document uploaded
and linked in one step; the "still missing" list empties and the report is sent. Then Sở
Nội vụ returns one section, and the agency corrects it and sends it again."""

import datetime
from collections.abc import Iterator

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from assignments import yearly
from assignments.models import EvidenceDocument, Report, YearlyReport
from tests.assignments.reporting import PDF_BYTES, World, build_world
from tests.browser.test_journey_phone import PHONE, WIDE_ELEMENTS

pytestmark = pytest.mark.browser

COMMENT = "Cần nêu số văn bản đã ban hành."


@pytest.fixture
def world(agency, other_agency, monkeypatch, settings, tmp_path) -> World:
    """The reporting world of tests/assignments, on 1/11/2019, 24 days before the deadline."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2019, 11, 1))
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world(agency, other_agency)


@pytest.fixture
def phone(
    browser: Browser, live_server, login, world, agency_user, staff_password
) -> Iterator[Page]:
    """Sở Tư pháp on a phone, logged in once its world is built (it lands on its workspace)."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True)
    page = context.new_page()
    login(page, live_server, agency_user, staff_password)
    yield page
    context.close()


def _fits(page: Page) -> None:
    assert page.evaluate(WIDE_ELEMENTS) == []


def test_an_agency_writes_and_sends_its_yearly_report_on_a_phone(
    phone, live_server, world, agency_user, noivu_staff, tmp_path
):
    plan_file = tmp_path / "ke-hoach-252.pdf"
    plan_file.write_bytes(PDF_BYTES)
    page = phone

    # The workspace leads to the yearly report, with the days left.
    expect(page.get_by_role("heading", level=1)).to_have_text("Việc của tôi")
    expect(page.locator(".callout.deadline")).to_contain_text("Còn 24 ngày")
    page.get_by_role("link", name="Viết báo cáo năm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Báo cáo năm 2019")
    report = YearlyReport.objects.get(agency=world.agency)
    lead = report.task_reports.get(task=world.tasks["1.1"])
    coordinated = report.task_reports.get(task=world.tasks["1.2"])
    proposal = report.score_proposals.get()
    missing = page.locator(".missing-list li")
    expect(missing).to_have_count(3)
    _fits(page)

    # The task it leads, on the task's page, which leads back to the report.
    page.locator(f"#task-{lead.pk}").get_by_role("link", name="Viết, sửa phần này").click()
    expect(page.get_by_role("button", name="Lưu và gửi Sở Nội vụ")).to_have_count(0)
    page.get_by_label("Tiến độ").select_option(label="Hoàn thành")
    page.get_by_label("Tỷ lệ văn bản ban hành đúng hạn").fill("96,5")
    page.get_by_label("Kết quả thực hiện").fill("Đã ban hành kế hoạch CCHC năm 2019.")
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu báo cáo.")
    page.get_by_role("link", name="← Về báo cáo năm của đơn vị").click()
    expect(missing).to_have_count(2)

    # A short note on a task it coordinates.
    page.locator(f"#task-{coordinated.pk}").get_by_role("link", name="Ghi phần phối hợp").click()
    page.get_by_label("Kết quả thực hiện").fill("Cử cán bộ tham gia đoàn kiểm tra.")
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu báo cáo.")
    page.get_by_role("link", name="← Về báo cáo năm của đơn vị").click()

    # The sub-criterion it owns: the score with a comma, and a new document of the
    # library uploaded and linked in one step, with where inside it.
    section = page.locator(f"#proposal-{proposal.pk}")
    section.get_by_label("Điểm tự đánh giá đề xuất").fill("0,5")
    section.get_by_label("Tài liệu kiểm chứng đầy đủ").check()
    section.get_by_text("Tải lên tài liệu mới vào thư viện và gắn vào tiêu chí").click()
    section.get_by_label("Số ký hiệu").fill("252/KH-UBND")
    section.get_by_label("Ngày ban hành").fill("2018-09-19")
    section.get_by_label("Cơ quan ban hành").fill("UBND tỉnh Tiền Giang")
    section.get_by_label("Trích yếu").fill("Kế hoạch nâng cao Chỉ số CCHC")
    section.get_by_label("Tệp").set_input_files(plan_file)
    section.locator(f'[name="p{proposal.pk}-new_location"]').fill("Mục II, trang 4")
    _fits(page)
    section.get_by_role("button", name="Lưu, tải lên và gắn tài liệu").click()

    expect(page.get_by_role("status")).to_contain_text("vào thư viện và gắn vào tiêu chí")
    section = page.locator(f"#proposal-{proposal.pk}")
    expect(section.locator(".evidence-list")).to_contain_text("Mục II, trang 4")
    expect(page.locator(".missing-none")).to_be_visible()
    expect(missing).to_have_count(0)
    _fits(page)
    document = EvidenceDocument.objects.get(agency=world.agency)
    assert document.number == "252/KH-UBND"
    assert list(document.links.values_list("location", flat=True)) == ["Mục II, trang 4"]

    page.get_by_role("button", name="Gửi báo cáo năm đến Sở Nội vụ").click()

    expect(page.get_by_role("status")).to_contain_text("Đã gửi báo cáo năm 2019 đến Sở Nội vụ.")
    expect(page.get_by_role("button", name="Lưu nháp")).to_have_count(0)
    report.refresh_from_db()
    assert report.status == YearlyReport.Status.SUBMITTED

    # Sở Nội vụ returns the lead task's section (its review page is yearreview's).
    yearly.return_yearly_report(
        report=report,
        by=noivu_staff,
        version=report.version,
        comments={f"task-{lead.pk}": COMMENT},
    )

    # The workspace puts the returned section first, with the comment.
    page.goto(live_server.url + reverse("assignments:workspace"))
    returned = page.locator(".returned-sections")
    expect(returned).to_contain_text(COMMENT)
    returned.get_by_role("link", name="Nhiệm vụ 1.1").click()
    expect(page.locator(f"#task-{lead.pk}.is-returned")).to_contain_text(COMMENT)
    # Only the reopened section can be changed.
    expect(page.locator(f"#proposal-{proposal.pk}").get_by_role("button")).to_have_count(0)
    page.locator(f"#task-{lead.pk}").get_by_role("link", name="Viết, sửa phần này").click()
    expect(page.locator(".returned-reason")).to_contain_text(COMMENT)
    page.get_by_label("Kết quả thực hiện").fill("Đã ban hành Kế hoạch 252/KH-UBND ngày 19/9/2018.")
    page.get_by_role("button", name="Lưu nháp").click()
    page.get_by_role("link", name="← Về báo cáo năm của đơn vị").click()
    _fits(page)
    page.get_by_role("button", name="Gửi báo cáo năm đến Sở Nội vụ").click()

    expect(page.get_by_role("status")).to_contain_text("Đã gửi báo cáo năm 2019 đến Sở Nội vụ.")
    report.refresh_from_db()
    lead.refresh_from_db()
    assert report.status == YearlyReport.Status.SUBMITTED
    assert lead.status == Report.Status.SUBMITTED
    assert "252/KH-UBND" in lead.narrative


def test_leaving_a_section_with_unsaved_changes_asks_first(phone, live_server, world):
    page = phone
    page.goto(live_server.url + reverse("assignments:yearly-report", args=[2019]))
    proposal = YearlyReport.objects.get(agency=world.agency).score_proposals.get()
    section = page.locator(f"#proposal-{proposal.pk}")
    section.get_by_label("Giải trình").press_sequentially("Đang soạn")
    dialogs = []

    def dismiss(dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.get_by_role("link", name="← Về Việc của tôi").click(no_wait_after=True)

    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    expect(page.get_by_role("heading", level=1)).to_have_text("Báo cáo năm 2019")
