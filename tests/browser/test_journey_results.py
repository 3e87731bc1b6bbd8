"""A leader reads the index results and the route to the plan's target, in Vietnamese."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


@pytest.fixture
def overview(page, live_server, login, leader, staff_password, seed_plan) -> Page:
    login(page, live_server, leader, staff_password)
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Kết quả chỉ số"
    ).click()
    expect(page).to_have_url(live_server.url + reverse("reports:overview"))
    return page


def test_overview_reads_in_vietnamese_with_vietnamese_numbers(overview, screenshot):
    page = overview
    totals = page.get_by_role("region", name="Tổng điểm và xếp hạng qua các năm")
    year_2017 = totals.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="2017", exact=True)
    )
    areas = page.get_by_role("region", name="Theo lĩnh vực, năm 2017")
    area_2 = areas.get_by_role("row").filter(has_text="XÂY DỰNG VÀ TỔ CHỨC THỰC HIỆN VBQPPL")

    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kết quả Chỉ số CCHC tỉnh Tiền Giang")
    # The published result of 2017, the plan's baseline: 73.64 points, 51st of 63 provinces.
    expect(year_2017.get_by_role("cell").nth(0)).to_have_text("73,64 chính thức")
    expect(year_2017.get_by_role("cell").nth(1)).to_have_text("51/63")
    expect(totals).to_contain_text("năm 2018: 89,2 – 93,1 điểm; năm 2019–2020: 93,1 – 99,5 điểm")
    expect(area_2.get_by_role("cell").nth(3)).to_have_text("8,37")
    expect(area_2.get_by_role("cell").nth(4)).to_have_text("8,5 – 9 (2018)")
    # The baseline comes before the plan: shown against the 2018 target, not judged by it.
    expect(area_2.get_by_role("cell").nth(6)).to_have_text("")
    expect(page.get_by_role("img", name="Tổng điểm Chỉ số CCHC qua các năm")).to_be_visible()
    screenshot(page, "overview")


def test_route_shows_the_points_missing_to_reach_the_target(overview, screenshot):
    page = overview

    page.get_by_role("link", name="Lộ trình năm 2017").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Lộ trình đạt mục tiêu năm 2017")
    summary = page.locator("dl.summary")
    expect(summary).to_contain_text("73,64")
    expect(summary).to_contain_text("51/63")
    expect(summary).to_contain_text("Mục tiêu năm 2018" + "89,2 – 93,1")
    needed = page.get_by_role("region", name="Số điểm còn cần")
    # 89,2 − 73,64 and 93,1 − 73,64.
    expect(needed.get_by_role("listitem").first).to_have_text(
        "Để đạt cận dưới của mục tiêu (89,2 điểm): còn cần 15,56 điểm."
    )
    expect(needed.get_by_role("listitem").nth(1)).to_have_text(
        "Để đạt cận trên của mục tiêu (93,1 điểm): còn cần 19,46 điểm."
    )
    # The styles of the report pages reach the screen (they once sat inside a print block).
    expect(summary).to_have_css("display", "flex")
    screenshot(page, "route")
