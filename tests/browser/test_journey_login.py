"""A visitor reaches the plan only through the login form."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_anonymous_visitor_is_sent_to_the_login_form(page, live_server, seed_plan, screenshot):
    plan_url = reverse("criteria:plan-detail", args=[seed_plan.pk])

    page.goto(live_server.url + plan_url)

    expect(page).to_have_url(re.compile(re.escape(reverse("login") + "?next=" + plan_url)))
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    expect(page.get_by_role("button", name="Đăng xuất")).to_have_count(0)
    expect(page.get_by_text("CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC")).to_have_count(0)
    screenshot(page, "login")


def test_wrong_password_shows_the_error_and_logs_nobody_in(
    page, live_server, seed_plan, noivu_staff
):
    page.goto(live_server.url + reverse("criteria:plan-detail", args=[seed_plan.pk]))

    page.get_by_label("Tên đăng nhập").fill(noivu_staff.username)
    page.get_by_label("Mật khẩu").fill("không-phải-mật-khẩu")
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page.get_by_role("alert")).to_have_text(
        "Tên đăng nhập hoặc mật khẩu không đúng. Vui lòng thử lại."
    )
    expect(page.get_by_label("Tên đăng nhập")).to_have_value(noivu_staff.username)
    expect(page.get_by_role("button", name="Đăng xuất")).to_have_count(0)
    noivu_staff.refresh_from_db()
    assert noivu_staff.last_login is None


def test_correct_login_lands_on_the_plan_page(
    page, live_server, seed_plan, noivu_staff, staff_password
):
    plan_url = reverse("criteria:plan-detail", args=[seed_plan.pk])
    page.goto(live_server.url + plan_url)
    assert noivu_staff.last_login is None

    page.get_by_label("Tên đăng nhập").fill(noivu_staff.username)
    page.get_by_label("Mật khẩu").fill(staff_password)
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page).to_have_url(live_server.url + plan_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Kế hoạch số 252/KH-UBND ngày 19/09/2018"
    )
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    expect(page.locator(".who")).to_have_text(noivu_staff.username)
    noivu_staff.refresh_from_db()
    assert noivu_staff.last_login is not None


def test_login_from_the_login_page_lands_noivu_staff_on_the_reports_tracker(
    page, live_server, login, seed_plan, noivu_staff, staff_password
):
    login(page, live_server, noivu_staff, staff_password)

    # No reporting cycle is open yet: the tracker offers to open one.
    expect(page).to_have_url(live_server.url + reverse("assignments:cycle-current"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Chưa có kỳ báo cáo")
