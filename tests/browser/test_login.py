"""A visitor reaches the plan only through the login form."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def staff(django_user_model, staff_password):
    return django_user_model.objects.create_user(
        username="noivu.canbo", password=staff_password, first_name="Cán bộ Sở Nội vụ"
    )


def test_anonymous_visitor_is_sent_to_the_login_form(page, live_server, screenshot):
    plan_url = reverse("criteria:plan-detail-current")

    page.goto(live_server.url + plan_url)

    expect(page).to_have_url(re.compile(re.escape(reverse("login")) + r"\?next="))
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    expect(page.get_by_role("button", name="Đăng xuất")).to_have_count(0)
    screenshot(page, "login")


def test_wrong_password_shows_the_error_and_logs_nobody_in(page, live_server, staff):
    page.goto(live_server.url + reverse("criteria:plan-detail-current"))

    page.get_by_label("Tên đăng nhập").fill("noivu.canbo")
    page.get_by_label("Mật khẩu").fill("không-phải-mật-khẩu")
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page.get_by_role("alert")).to_have_text(
        "Tên đăng nhập hoặc mật khẩu không đúng. Vui lòng thử lại."
    )
    expect(page.get_by_label("Tên đăng nhập")).to_have_value("noivu.canbo")
    staff.refresh_from_db()
    assert staff.last_login is None


def test_correct_login_lands_on_the_plan_page(page, live_server, staff, staff_password):
    page.goto(live_server.url + reverse("criteria:plan-detail-current"))
    assert staff.last_login is None

    page.get_by_label("Tên đăng nhập").fill("noivu.canbo")
    page.get_by_label("Mật khẩu").fill(staff_password)
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page).to_have_url(live_server.url + reverse("criteria:plan-detail-current"))
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    expect(page.get_by_text("Cán bộ Sở Nội vụ")).to_be_visible()
    staff.refresh_from_db()
    assert staff.last_login is not None
