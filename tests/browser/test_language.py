"""The header's language switch moves the whole interface between Vietnamese and English."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def staff(django_user_model, staff_password):
    return django_user_model.objects.create_user(username="noivu.canbo", password=staff_password)


def test_language_switch_goes_to_english_and_back(page, live_server, login, staff, staff_password):
    login(page, live_server, staff, staff_password)
    switch = page.locator("form.lang-switch")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(switch.get_by_role("button", name="VI")).to_have_attribute("aria-pressed", "true")

    switch.get_by_role("button", name="EN").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(switch.get_by_role("button", name="EN")).to_have_attribute("aria-pressed", "true")
    expect(switch.get_by_role("button", name="EN")).to_be_disabled()
    expect(switch.get_by_role("button", name="VI")).to_be_enabled()
    expect(page).to_have_url(live_server.url + reverse("criteria:plan-detail-current"))

    switch.get_by_role("button", name="VI").click()

    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(switch.get_by_role("button", name="VI")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
