"""A round of the province's index of its units, in the browser: on a phone, Sở Tư pháp
scores its two criteria with a document of its library and sends; Sở Nội vụ appraises one
criterion lower with a reason; the unit reads it and answers; Sở Nội vụ sets the final score
and closes; the leader approves, and the results page ranks the unit."""

import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from assessments.models import Assessment, AssessmentRound
from assignments.models import Agency
from criteria.models import Criterion, Framework
from tests.assessments.conftest import _document
from tests.assessments.test_unit_pages import approved
from tests.browser.test_journey_phone import PHONE, WIDE_ELEMENTS

pytestmark = pytest.mark.browser

REASON = "Chưa có báo cáo kết quả kiểm tra."
RESPONSE = "Báo cáo số 15/BC-STP ngày 20/11, đính kèm trong thư viện."


@pytest.fixture
def unit_round(db) -> AssessmentRound:
    """The departments' round of 2020, open today: areas 1 (1.1: 60) and 2 (2.1: 40)."""
    framework = Framework.objects.create(
        code="SBN-2020", name="Bộ chỉ số sở, ban, ngành", unit_type="department",
        first_year=2020, max_score=100,
    )  # fmt: skip
    for code, title, maximum in [
        ("1", "Công tác chỉ đạo, điều hành CCHC", 60),
        ("1.1", "Ban hành và thực hiện kế hoạch CCHC năm", 60),
        ("2", "Kiểm tra, báo cáo CCHC", 40),
        ("2.1", "Kiểm tra CCHC đối với các phòng, đơn vị trực thuộc", 40),
    ]:
        Criterion.objects.create(
            framework=framework, code=code, title=title, max_score=maximum,
            parent=framework.criteria.filter(code=code.partition(".")[0]).first()
            if "." in code else None,
        )  # fmt: skip
    today = timezone.localdate()
    return AssessmentRound.objects.create(
        year=2020, unit_type="department", framework=framework,
        opens_on=today - datetime.timedelta(days=3), deadline=today + datetime.timedelta(days=3),
        response_days=5,
    )  # fmt: skip


@pytest.fixture
def open_as(browser: Browser, live_server, login, staff_password) -> Iterator[Callable[..., Page]]:
    """A fresh browser context per person, logged in: `open_as(user, viewport)`."""
    contexts = []

    def open_page(user, viewport: dict) -> Page:
        context = browser.new_context(
            viewport=viewport, locale="vi-VN", is_mobile=viewport == PHONE
        )
        contexts.append(context)
        page = context.new_page()
        login(page, live_server, user, staff_password)
        return page

    yield open_page
    for context in contexts:
        context.close()


def _fits(page: Page) -> None:
    assert page.evaluate(WIDE_ELEMENTS) == []


def test_a_department_self_assesses_on_a_phone_is_appraised_answers_and_is_ranked(
    open_as, live_server, unit_round, agency, agency_user, noivu_staff, leader
):
    document = _document(agency, "12/KH-STP")
    # A long name, as many are: the results table is then wider than a phone.
    labour = Agency.objects.create(
        name="Sở Lao động - Thương binh và Xã hội", short_name="SLĐTBXH", kind="department"
    )
    approved(unit_round, labour, {"1.1": "55", "2.1": "35"})  # 90
    desktop = {"width": 1366, "height": 768}

    # Sở Tư pháp, on a phone, opens the round from the navigation and starts.
    unit = open_as(agency_user, PHONE)
    unit.goto(live_server.url + reverse("assessments:unit-rounds"))
    unit.get_by_role("link", name="2020").click()
    expect(unit.get_by_role("heading", level=1)).to_have_text("Chỉ số CCHC năm 2020: Sở Tư pháp")
    unit.get_by_role("button", name="Bắt đầu tự đánh giá").click()
    assessment = Assessment.objects.get(agency=agency)
    rows = {
        e.criterion.code: f"#entry-{e.pk}" for e in assessment.entries.select_related("criterion")
    }
    _fits(unit)

    # Both criteria, with a comma, an explanation and the library's document.
    for code, score in [("1.1", "58,5"), ("2.1", "40")]:
        row = unit.locator(rows[code])
        row.get_by_label("Điểm", exact=True).fill(score)
        row.get_by_label("Giải trình", exact=True).fill(f"Đã thực hiện tiêu chí {code}.")
        row.get_by_label("Tài liệu kiểm chứng đầy đủ").check()
        row.get_by_label("Thêm tài liệu từ thư viện").select_option(str(document.pk))
        row.get_by_label("Vị trí trong tài liệu").fill("trang 3")
        _fits(unit)
        row.get_by_role("button", name="Lưu nháp").click()
        expect(unit.get_by_role("status")).to_contain_text(f"Đã lưu bản nháp tiêu chí {code}.")
        expect(unit.locator(rows[code]).locator(".evidence")).to_contain_text("12/KH-STP (trang 3)")
    _fits(unit)
    unit.get_by_role("button", name="Gửi thẩm định").click()
    expect(unit.get_by_role("status")).to_contain_text("Đã gửi bản tự đánh giá để thẩm định.")
    expect(unit.locator("#status")).to_have_text("Đã gửi thẩm định")
    expect(unit.get_by_role("button", name="Lưu nháp")).to_have_count(0)

    # Sở Nội vụ, on a desktop, accepts 1.1 and cuts 2.1 with a reason.
    staff = open_as(noivu_staff, desktop)
    staff.goto(live_server.url + reverse("assessments:unit-round", args=[unit_round.pk]))
    staff.get_by_role("link", name="Sở Tư pháp").click()
    staff.locator(rows["1.1"]).get_by_role("button", name="Thẩm định").click()
    expect(staff.get_by_role("status")).to_contain_text("Đã thẩm định tiêu chí 1.1.")
    row = staff.locator(rows["2.1"])
    row.get_by_label("Điểm thẩm định (để trống: chấp nhận)").fill("30")
    row.get_by_label("Lý do").fill(REASON)
    row.get_by_role("button", name="Thẩm định").click()
    expect(staff.get_by_role("status")).to_contain_text("Đã thẩm định tiêu chí 2.1.")
    staff.get_by_role("button", name="Hoàn thành thẩm định").click()
    expect(staff.get_by_role("status")).to_contain_text("Đã hoàn thành thẩm định.")

    # The unit reads the appraisal and answers within the window.
    unit.reload()
    row = unit.locator(rows["2.1"])
    expect(row.locator(".appraised")).to_have_text("30")
    expect(row.locator(".reason")).to_have_text(REASON)
    expect(unit.locator(rows["1.1"]).get_by_role("button", name="Gửi giải trình")).to_have_count(0)
    row.get_by_label("Giải trình sau thẩm định, tiêu chí 2.1").fill(RESPONSE)
    _fits(unit)
    row.get_by_role("button", name="Gửi giải trình").click()
    expect(unit.get_by_role("status")).to_contain_text("Đã gửi giải trình tiêu chí 2.1.")
    expect(unit.locator(rows["2.1"]).locator(".response")).to_have_text(RESPONSE)
    expect(unit.get_by_role("button", name="Gửi giải trình")).to_have_count(0)
    _fits(unit)

    # Sở Nội vụ gives back 5 points and closes the final scores.
    staff.reload()
    expect(staff.locator(rows["2.1"]).locator(".response")).to_have_text(RESPONSE)
    staff.get_by_label("Điểm cuối cùng, tiêu chí 2.1").fill("35")
    staff.locator(rows["2.1"]).get_by_role("button", name="Đặt điểm").click()
    expect(staff.get_by_role("status")).to_contain_text("Đã đặt điểm cuối cùng tiêu chí 2.1.")
    staff.get_by_role("button", name="Chốt điểm cuối cùng").click()
    expect(staff.get_by_role("status")).to_contain_text("Đã chốt điểm cuối cùng.")

    # The leader approves; the results rank Sở Tư pháp first: 58,5 + 35 = 93,50.
    chief = open_as(leader, desktop)
    chief.goto(
        live_server.url + reverse("assessments:unit-assessment", args=[unit_round.pk, agency.pk])
    )
    # It reads what it approves: the final scores and the reason of the cut.
    expect(chief.locator(rows["2.1"]).locator(".final")).to_have_text("35")
    expect(chief.locator(rows["2.1"]).locator(".reason")).to_have_text(REASON)
    chief.get_by_role("button", name="Phê duyệt kết quả").click()
    expect(chief.get_by_role("status")).to_contain_text("Đã phê duyệt kết quả; điểm đã khóa.")
    chief.goto(live_server.url + reverse("assessments:unit-round", args=[unit_round.pk]))
    chief.get_by_role("link", name="Bảng xếp hạng").click()
    table = chief.locator("table#department")
    expect(table.locator("tbody tr")).to_have_count(2)
    first = table.locator("tbody tr").first
    expect(first.locator("td").nth(0)).to_have_text("1")
    expect(first.locator("td").nth(1)).to_have_text("Sở Tư pháp")
    expect(first.locator("td.total")).to_have_text("93,50")
    expect(table.locator("tbody tr").nth(1).locator("td.total")).to_have_text("90,00")
    first.get_by_role("link", name="Sở Tư pháp").click()
    expect(chief.locator("#total")).to_have_text("93,50")
    expect(chief.locator("#rank")).to_have_text("1/2")
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.APPROVED
    assert assessment.entries.get(criterion__code="2.1").final_score == Decimal(35)

    # On a phone the leader reads the results: the wide table scrolls inside the page.
    phone = open_as(leader, PHONE)
    phone.goto(live_server.url + reverse("reports:unit-results", args=[unit_round.year]))
    expect(phone.locator("table#department tbody tr")).to_have_count(2)
    _fits(phone)
