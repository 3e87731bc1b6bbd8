"""An administrator imports the appendix of plan 252/KH-UBND through the admin."""

import os
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from criteria.models import Criterion, Plan

pytestmark = pytest.mark.browser

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
APPENDIX = FIXTURES / "appendix_252_KH-UBND.xlsx"
# A folder for pages a person checks by eye, apart from the tracked screenshots; nothing
# is written unless it is set.
SHOTS = os.environ.get("PAR_JOURNEY_SHOTS")


def look(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(SHOTS) / f"{name}.png")


@pytest.fixture
def plan_without_criteria() -> Plan:
    """The seed's framework and plan and the agencies, but not yet its appendix."""
    call_command("loaddata", FIXTURES / "seed_plan.json", verbosity=0)
    call_command("loaddata", FIXTURES / "agencies.json", verbosity=0)
    return Plan.objects.get(number="252/KH-UBND")


def test_administrator_imports_the_appendix_after_a_preview(
    page, live_server, login, admin_user, plan_without_criteria, screenshot
):
    plan = plan_without_criteria
    assert not Criterion.objects.filter(framework=plan.framework).exists()
    login(page, live_server, admin_user, "password")
    import_url = live_server.url + reverse("admin:criteria_criterion_import")
    page.goto(import_url)
    # No one-time code is asked for: the tests turn PAR_REQUIRE_2FA_FOR_ADMINS off, and the
    # live server reads it on each request.
    expect(page).to_have_url(import_url)
    # The format select is a plain text with one format only: the appendix's own.
    expect(page.locator("#content")).to_contain_text("xlsx (mẫu phụ lục kế hoạch)")

    page.get_by_label("Kế hoạch").select_option(label=plan.number)
    page.locator("input[type=file][name=import_file]").set_input_files(APPENDIX)
    page.locator("#content form input[type=submit]").click()

    # The preview: every criterion new, the sums that do not add up listed first.
    warnings = page.locator("ul.appendix-warnings")
    expect(page.get_by_role("heading", name="Cảnh báo")).to_be_visible()
    expect(warnings.get_by_role("listitem").filter(has_text="3.4 · ")).to_have_text(
        "3.4 · Điểm đạt được năm 2017: ghi 1,99 nhưng tổng các dòng con là 1,98."
    )
    # What the import will do is said above the button that does it.
    expect(page.locator("p.import-summary")).to_contain_text("107 tiêu chí mới")
    summary_top = page.locator("p.import-summary").bounding_box()["y"]
    assert summary_top < page.locator("input[name=confirm]").bounding_box()["y"]
    preview = page.locator("table.import-preview")
    expect(preview.locator("tbody tr.new")).to_have_count(107)
    expect(preview.locator("tbody tr.new").first).to_contain_text(
        "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC"
    )
    assert not Criterion.objects.filter(framework=plan.framework).exists()
    screenshot(page, "admin-import-preview", full_page=False)

    page.locator("input[type=submit][name=confirm]").click()

    expect(page.locator("ul.messagelist")).to_contain_text("Đã nhập phụ lục: 107 tiêu chí mới")
    assert Criterion.objects.filter(framework=plan.framework).count() == 107

    page.goto(live_server.url + reverse("criteria:plan-detail", args=[plan.pk]))

    table = page.locator("table.plan-table")
    total_row = table.get_by_role("row").filter(has_text="TỔNG ĐIỂM")
    expect(total_row.get_by_role("cell", name="73,64", exact=True)).to_be_visible()
    area_2 = table.get_by_role("row").filter(has_text="XÂY DỰNG VÀ TỔ CHỨC THỰC HIỆN VBQPPL")
    expect(area_2.get_by_role("cell", name="8,5 – 9", exact=True)).to_be_visible()


def test_a_changed_maximum_is_imported_only_once_the_administrator_ticks_its_box(
    page, live_server, login, admin_user, seed_plan, tmp_path
):
    """Criterion 1.1.1 of the national index is worth 0,5; a file says 55."""
    book = openpyxl.load_workbook(APPENDIX)
    sheet = book.active
    row = next(r for r in sheet.iter_rows() if r[0].value == "1.1.1")
    row[2].value = 55
    revised = tmp_path / "phu-luc-sua.xlsx"
    book.save(revised)
    login(page, live_server, admin_user, "password")
    page.goto(live_server.url + reverse("admin:criteria_criterion_import"))
    page.get_by_label("Kế hoạch").select_option(label=seed_plan.number)
    page.locator("input[type=file][name=import_file]").set_input_files(revised)
    page.locator("#content form input[type=submit]").click()

    changes = page.locator("fieldset.max-score-changes")
    expect(changes).to_contain_text("1.1.1 · Điểm chuẩn: 0,5 → 55")
    preview = page.locator("table.import-preview")
    expect(preview.locator("tbody tr.skip").first).to_contain_text("Không đổi")
    expect(page.locator("#content")).not_to_contain_text("Bỏ qua")
    look(page, "max-change-preview")

    page.locator("input[type=submit][name=confirm]").click()

    expect(changes.locator("ul.errorlist")).to_contain_text(
        "Tệp thay đổi điểm chuẩn của 1 tiêu chí (1.1.1: 0,5 → 55) nên chưa được nhập"
    )
    assert Criterion.objects.get(code="1.1.1").max_score == Decimal("0.5")
    look(page, "max-change-refused")

    changes.get_by_label("Tôi xác nhận thay đổi điểm chuẩn").check()
    page.locator("input[type=submit][name=confirm]").click()

    expect(page.locator("ul.messagelist")).to_contain_text("1 dòng thay đổi")
    assert Criterion.objects.get(code="1.1.1").max_score == 55
