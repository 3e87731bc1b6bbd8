"""Sở Nội vụ opens an account for an agency's officer, who sets a password through the
reset mail and reaches the agency's workspace: no admin screen, no password passed by hand."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from assignments.models import Role, user_agency

pytestmark = pytest.mark.browser

NEW_PASSWORD = "mật-khẩu-tự-đặt-2026"


def test_new_agency_officer_gets_an_account_and_sets_the_password(
    page, live_server, seed_plan, noivu_staff, staff_password, login
):
    login(page, live_server, noivu_staff, staff_password)

    page.get_by_role("link", name="Người dùng").click()
    page.get_by_role("link", name="Thêm người dùng").click()
    page.get_by_label("Tên đăng nhập").fill("canbo.sotuphap2")
    page.get_by_label("Họ và tên").fill("Đỗ Thị Hồng")
    page.get_by_label("Thư điện tử").fill("hong.stp@tiengiang.gov.vn")
    page.get_by_label("Đơn vị", exact=False).select_option(label="Sở Tư pháp")
    page.get_by_role("button", name="Lưu").click()

    row = page.get_by_role("row", name=re.compile("canbo.sotuphap2"))
    expect(row).to_contain_text("Cán bộ đơn vị")
    expect(row).to_contain_text("Sở Tư pháp")
    officer = get_user_model().objects.get(username="canbo.sotuphap2")
    assert officer.groups.get().name == Role.AGENCY_USER.value
    assert user_agency(officer).name == "Sở Tư pháp"
    page.get_by_role("button", name="Đăng xuất").click()

    page.get_by_role("link", name="Quên mật khẩu?").click()
    page.get_by_label("Thư điện tử").fill("hong.stp@tiengiang.gov.vn")
    page.get_by_role("button", name="Gửi liên kết đặt lại mật khẩu").click()
    expect(page.get_by_role("heading", name="Đã gửi hướng dẫn")).to_be_visible()
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+", mail.outbox[0].body).group(0)

    page.goto(link)
    page.get_by_label(re.compile(r"^Mật khẩu mới:?$")).fill(NEW_PASSWORD)
    page.get_by_label("Xác nhận mật khẩu mới").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Lưu mật khẩu mới").click()
    expect(page.get_by_role("heading", name="Đã đặt mật khẩu mới")).to_be_visible()
    officer.refresh_from_db()
    login(page, live_server, officer, NEW_PASSWORD)

    page.get_by_role("link", name="Việc của tôi").click()
    expect(page).to_have_url(live_server.url + reverse("assignments:workspace"))
    expect(page.get_by_text("Không có quyền")).to_have_count(0)
