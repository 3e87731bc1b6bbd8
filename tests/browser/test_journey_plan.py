"""Sở Nội vụ staff read the seed plan 252/KH-UBND: the criteria tree, folded areas, print."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from criteria.models import Criterion

pytestmark = pytest.mark.browser

# The button's name may start with the arrow its style draws.
AREA_1_TOGGLE = re.compile(r"Thu gọn hoặc mở rộng lĩnh vực 1$")


@pytest.fixture
def plan_page(page, live_server, login, noivu_staff, staff_password, seed_plan):
    login(page, live_server, noivu_staff, staff_password)
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Kế hoạch"
    ).click()
    expect(page).to_have_url(live_server.url + reverse("criteria:plan-detail", args=[seed_plan.pk]))
    return page


def test_plan_page_shows_the_whole_tree_in_vietnamese_numbers(plan_page, seed_plan, screenshot):
    areas = Criterion.objects.filter(framework=seed_plan.framework).areas()
    table = plan_page.locator("table.plan-table")

    expect(plan_page.get_by_role("heading", level=1)).to_have_text(
        "Kế hoạch số 252/KH-UBND ngày 19/09/2018"
    )
    # One fold button per area of the database, all of them open.
    expect(table.locator("button.area-toggle")).to_have_count(areas.count())
    expect(table.locator("button.area-toggle[aria-expanded='true']")).to_have_count(areas.count())
    expect(table.get_by_role("row").filter(has_text="Ban hành kế hoạch CCHC")).to_be_visible()
    # The 2017 result and the 2018 target of area 2, as a Vietnamese office writes them.
    total_row = table.get_by_role("row").filter(has_text="TỔNG ĐIỂM")
    expect(total_row.get_by_role("cell", name="73,64", exact=True)).to_be_visible()
    area_2 = table.get_by_role("row").filter(has_text="XÂY DỰNG VÀ TỔ CHỨC THỰC HIỆN VBQPPL")
    expect(area_2.get_by_role("cell", name="8,5 – 9", exact=True)).to_be_visible()
    screenshot(plan_page, "plan")


def test_an_area_folds_and_unfolds_alone(plan_page):
    table = plan_page.locator("table.plan-table")
    toggle = table.get_by_role("button", name=AREA_1_TOGGLE)
    area_1_row = table.get_by_role("row").filter(has_text="CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC")
    area_1_leaf = table.get_by_role("row").filter(has_text="Ban hành kế hoạch CCHC")
    area_2_leaf = table.get_by_role("row").filter(has_text="Theo dõi thi hành pháp luật").first
    expect(area_1_leaf).to_be_visible()

    toggle.click()

    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(area_1_leaf).to_be_hidden()
    expect(area_1_row).to_be_visible()
    expect(area_2_leaf).to_be_visible()

    toggle.click()

    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(area_1_leaf).to_be_visible()


def test_printed_plan_has_no_navigation_and_every_row(plan_page):
    table = plan_page.locator("table.plan-table")
    leaf = table.get_by_role("row").filter(has_text="Ban hành kế hoạch CCHC")
    table.get_by_role("button", name=AREA_1_TOGGLE).click()
    expect(leaf).to_be_hidden()
    expect(plan_page.get_by_role("navigation", name="Điều hướng chính")).to_be_visible()

    plan_page.emulate_media(media="print")

    expect(plan_page.get_by_role("navigation", name="Điều hướng chính")).to_be_hidden()
    expect(plan_page.get_by_role("button", name="Đăng xuất")).to_be_hidden()
    expect(plan_page.locator("form.lang-switch")).to_be_hidden()
    # Paper cannot be unfolded: a folded area prints whole.
    expect(leaf).to_be_visible()
    expect(table.get_by_role("row").filter(has_text="TỔNG ĐIỂM")).to_be_visible()
