"""The header's language switch moves the whole interface between Vietnamese and English."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_language_switch_goes_to_english_and_back(
    page, live_server, login, noivu_staff, staff_password, seed_plan
):
    login(page, live_server, noivu_staff, staff_password)
    plan_url = live_server.url + reverse("criteria:plan-detail", args=[seed_plan.pk])
    page.goto(plan_url)
    switch = page.locator("form.lang-switch")
    # Area 2's target for 2018: the decimal mark follows the language.
    area_2 = page.get_by_role("row").filter(has_text="XÂY DỰNG VÀ TỔ CHỨC THỰC HIỆN VBQPPL")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(switch.get_by_role("button", name="VI")).to_have_attribute("aria-pressed", "true")
    expect(area_2.get_by_role("cell", name="8,5 – 9", exact=True)).to_be_visible()

    switch.get_by_role("button", name="EN").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(plan_url)
    expect(switch.get_by_role("button", name="EN")).to_have_attribute("aria-pressed", "true")
    expect(switch.get_by_role("button", name="EN")).to_be_disabled()
    expect(switch.get_by_role("button", name="VI")).to_be_enabled()
    expect(area_2.get_by_role("cell", name="8.5 – 9", exact=True)).to_be_visible()
    expect(page.get_by_role("columnheader", name="Maximum score")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    switch.get_by_role("button", name="VI").click()

    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page).to_have_url(plan_url)
    expect(switch.get_by_role("button", name="VI")).to_have_attribute("aria-pressed", "true")
    expect(area_2.get_by_role("cell", name="8,5 – 9", exact=True)).to_be_visible()
    expect(page.get_by_role("columnheader", name="Điểm chuẩn")).to_be_visible()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
