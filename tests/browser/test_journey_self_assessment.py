"""Sở Nội vụ decides a sub-criterion of the province's self-assessment from the owners'
proposals; a leader approves it, which locks the year."""

from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from assessments.models import Assessment, Entry
from criteria.models import Score
from tests.assessments.conftest import province  # noqa: F401  (the small province)

pytestmark = pytest.mark.browser


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


def test_staff_decide_a_row_and_a_leader_approves(
    open_as,
    live_server,
    province,  # noqa: F811
    noivu_staff,
    leader,
    screenshot,
):
    criterion = province.tree["1.1"]
    assert not Score.objects.filter(criterion=criterion, year=2019).exists()

    # Sở Nội vụ opens the year's self-assessment from the navigation.
    staff = open_as(noivu_staff)
    staff.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Tự đánh giá"
    ).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Tỉnh tự đánh giá năm 2019")
    row = staff.locator(f"#row-{criterion.pk}")
    expect(row).to_contain_text("Sở TP: 0,75")
    expect(row.get_by_role("link", name="10/KH-UBND")).to_be_visible()

    # It decides 1.1 lower than proposed, with an explanation, evidence not complete.
    row.get_by_label("Điểm tỉnh tự đánh giá, tiêu chí 1.1").fill("0,5")
    row.get_by_label("Đủ tài liệu kiểm chứng").uncheck()
    row.get_by_label("Giải trình, tiêu chí 1.1").fill("Thiếu văn bản triển khai.")
    row.get_by_role("button", name="Lưu").click()

    expect(staff.get_by_role("status")).to_contain_text("Đã lưu điểm tự đánh giá tiêu chí 1.1.")
    expect(staff.locator("#decided-total")).to_have_text("0,5")
    score = Score.objects.get(criterion=criterion, year=2019, kind=Score.Kind.SELF)
    assert score.value == Decimal("0.5")
    entry = Entry.objects.get(criterion=criterion)
    assert (entry.explanation, entry.evidence_complete) == ("Thiếu văn bản triển khai.", False)
    screenshot(staff, "self-assessment", full_page=False)

    # The leader reads it without forms and approves it.
    chief = open_as(leader)
    chief.goto(live_server.url + reverse("assessments:assessment-detail", args=[2019]))
    expect(chief.locator(".decide-form")).to_have_count(0)
    chief.get_by_role("button", name="Phê duyệt bản tự đánh giá").click()

    expect(chief.get_by_role("status")).to_contain_text("Đã phê duyệt bản tự đánh giá năm 2019.")
    expect(chief.get_by_text("điểm tự đánh giá của năm đã khóa")).to_be_visible()
    assert Assessment.objects.get().status == Assessment.Status.APPROVED

    # Sở Nội vụ's page has no forms any more.
    staff.reload()
    expect(staff.locator(".decide-form")).to_have_count(0)
