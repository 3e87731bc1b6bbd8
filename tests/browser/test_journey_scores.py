"""Sở Nội vụ enter a year's scores in the grid; a leader only reads it."""

import re
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from criteria.models import Criterion, Plan, Score

pytestmark = pytest.mark.browser

YEAR = 2018
OFFICIAL_COLUMN = 4  # code, title, maximum, self-assessment, official, ...
CODE = re.compile(r"\d+(\.\d+)*")


def vn(value: Decimal) -> str:
    """A score as a Vietnamese office writes it: "1,75", "4"."""
    return f"{value.normalize():f}".replace(".", ",")


def criteria_of(plan: Plan, *codes: str) -> list[Criterion]:
    by_code = {
        c.code: c for c in Criterion.objects.filter(framework=plan.framework, code__in=codes)
    }
    return [by_code[code] for code in codes]


def official_input(page: Page, criterion: Criterion) -> Locator:
    return page.get_by_label(f"Bộ Nội vụ thẩm định, tiêu chí {criterion.code}", exact=True)


def official_cell(page: Page, row_id: str) -> Locator:
    return page.locator(f"#{row_id}").get_by_role("cell").nth(OFFICIAL_COLUMN)


def official_scores(plan: Plan, year: int = YEAR) -> dict[str, Decimal]:
    scores = Score.objects.filter(
        criterion__framework=plan.framework, year=year, kind=Score.Kind.OFFICIAL
    )
    return dict(scores.values_list("criterion__code", "value"))


def copy_from_excel(page: Page, column: list[str]) -> None:
    """Put a column of cells on the clipboard the way Excel does: CRLF after every cell."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.evaluate(
        "text => navigator.clipboard.writeText(text)", "".join(f"{cell}\r\n" for cell in column)
    )


def type_score(field: Locator, text: str) -> None:
    """Type over the cell's value and leave it, as a person does: the row saves on change."""
    field.clear()
    field.press_sequentially(text)
    field.press("Tab")


@pytest.fixture
def score_grid(page, live_server, login, noivu_staff, staff_password, seed_plan) -> Page:
    # Sở Nội vụ has declared the year final, so the grid's sums are the year's result (before
    # that they are projections from 2017: tests/reports/test_years_in_progress.py).
    seed_plan.final_years = [YEAR]
    seed_plan.save()
    login(page, live_server, noivu_staff, staff_password)
    page.goto(live_server.url + reverse("reports:score-grid", args=[YEAR]))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bảng điểm năm {YEAR}")
    return page


def test_typed_scores_update_the_sums_without_reloading(score_grid, seed_plan):
    page = score_grid
    area, criterion, first, second = criteria_of(seed_plan, "1", "1.3", "1.3.1", "1.5")
    typed = {first: "0,75", second: "1,5"}
    assert official_scores(seed_plan) == {}
    expect(official_cell(page, f"row-{area.pk}")).to_have_text("")
    expect(official_cell(page, "row-total")).to_have_text("")
    # A reload would drop this; htmx swaps must leave it in place.
    page.evaluate("window.journeyMarker = 'cùng một trang'")

    for field, text in typed.items():
        type_score(official_input(page, field), text)

    # 0,75 + 1,5: criterion 1.3 holds the first, area 1 and the index both.
    expect(official_cell(page, f"row-{criterion.pk}")).to_have_text("0,75")
    expect(official_cell(page, f"row-{area.pk}")).to_have_text("2,25")
    expect(official_cell(page, "row-total")).to_have_text("2,25")
    expect(official_cell(page, f"area-{area.pk}")).to_have_text("2,25")  # the areas' summary
    assert page.evaluate("window.journeyMarker") == "cùng một trang"
    assert official_scores(seed_plan) == {"1.3.1": Decimal("0.75"), "1.5": Decimal("1.5")}


def test_another_area_is_opened_from_the_summary_and_entered(score_grid, seed_plan):
    page = score_grid
    first_area, area, leaf = criteria_of(seed_plan, "1", "2", "2.1.1")
    type_score(official_input(page, criteria_of(seed_plan, "1.2")[0]), "1")
    expect(official_cell(page, "row-total")).to_have_text("1")

    page.get_by_role("link", name=area.title, exact=True).click()

    expect(page.get_by_role("heading", level=2, name=f"Lĩnh vực 2. {area.title}")).to_be_visible()
    expect(official_input(page, criteria_of(seed_plan, "1.2")[0])).to_have_count(0)
    type_score(official_input(page, leaf), "0,5")
    expect(official_cell(page, f"row-{area.pk}")).to_have_text("0,5")
    expect(official_cell(page, f"area-{area.pk}")).to_have_text("0,5")
    expect(official_cell(page, f"area-{first_area.pk}")).to_have_text("1")
    expect(official_cell(page, "row-total")).to_have_text("1,5")
    assert official_scores(seed_plan) == {"1.2": Decimal("1"), "2.1.1": Decimal("0.5")}


def test_a_score_above_the_maximum_is_refused_in_vietnamese(score_grid, seed_plan):
    page = score_grid
    area, leaf = criteria_of(seed_plan, "1", "1.4.1")
    field = official_input(page, leaf)
    status = page.locator(f"#row-{leaf.pk}").get_by_role("status")

    type_score(field, "0,75")

    expect(status).to_have_text(
        f"Điểm 0,75 vượt quá điểm chuẩn {vn(leaf.max_score)} của tiêu chí 1.4.1."
    )
    expect(field).to_have_value("0,75")
    expect(official_cell(page, f"row-{area.pk}")).to_have_text("")
    assert official_scores(seed_plan) == {}

    type_score(field, "0,5")

    expect(status).to_have_text("Đã lưu")
    expect(official_cell(page, f"row-{area.pk}")).to_have_text("0,5")
    assert official_scores(seed_plan) == {"1.4.1": Decimal("0.5")}


def test_a_column_pasted_from_excel_fills_the_following_rows(score_grid, seed_plan):
    page = score_grid
    area, *leaves = criteria_of(seed_plan, "1", "1.1.1", "1.1.2", "1.2", "1.3.1")
    copy_from_excel(page, ["0,5", "1", "0,25"])
    page.evaluate("window.journeyMarker = 'cùng một trang'")

    official_input(page, leaves[0]).focus()
    page.keyboard.press("Control+V")

    expect(official_input(page, leaves[0])).to_have_value("0,5")
    expect(official_input(page, leaves[1])).to_have_value("1")
    expect(official_input(page, leaves[2])).to_have_value("0,25")
    expect(official_input(page, leaves[3])).to_have_value("")
    expect(official_cell(page, f"row-{area.pk}")).to_have_text("1,75")
    expect(official_cell(page, "row-total")).to_have_text("1,75")
    assert page.evaluate("window.journeyMarker") == "cùng một trang"
    assert official_scores(seed_plan) == {
        "1.1.1": Decimal("0.5"),
        "1.1.2": Decimal("1"),
        "1.2": Decimal("0.25"),
    }


def test_entering_an_area_changes_its_status_on_the_overview(
    score_grid, live_server, seed_plan, screenshot
):
    page = score_grid
    area, first_leaf, last_leaf = criteria_of(seed_plan, "1", "1.1.1", "1.6")
    overview_url = live_server.url + reverse("reports:overview")
    page.goto(overview_url)
    areas = page.get_by_role("region", name="Theo lĩnh vực, năm 2017")
    area_row = areas.get_by_role("row").filter(has_text=area.title)
    # 2017, the baseline: 7,5, shown against the 2018 target of 9,5 but not judged by it.
    expect(area_row.get_by_role("cell").nth(5)).to_have_text("7,5")
    expect(area_row.get_by_role("cell").nth(6)).to_have_text("")
    page.goto(live_server.url + reverse("reports:score-grid", args=[YEAR]))
    # Area 1's nine sub-criteria copied from a spreadsheet: all full but 1.3.1 (0,5 of 1).
    copy_from_excel(page, ["0,5", "1", "3", "0,5", "1", "0,5", "0,5", "1,5", "1"])

    official_input(page, first_leaf).focus()
    page.keyboard.press("Control+V")

    expect(official_input(page, last_leaf)).to_have_value("1")
    expect(official_cell(page, f"row-{area.pk}")).to_have_text("9,5")
    assert sum(official_scores(seed_plan).values()) == Decimal("9.5")
    screenshot(page, "score-grid", full_page=False)
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Kết quả chỉ số"
    ).click()
    expect(page).to_have_url(overview_url)
    areas = page.get_by_role("region", name="Theo lĩnh vực, năm 2018")
    area_row = areas.get_by_role("row").filter(has_text=area.title)
    expect(area_row.get_by_role("cell").nth(5)).to_have_text("9,5")
    expect(area_row.get_by_role("cell").nth(6)).to_have_text("Đạt mục tiêu")
    # No 2018 score yet in area 2: no status either, rather than a false "below".
    area_2_row = areas.get_by_role("row").filter(has_text="XÂY DỰNG VÀ TỔ CHỨC THỰC HIỆN VBQPPL")
    expect(area_2_row.get_by_role("cell").nth(6)).to_have_text("")


@pytest.fixture
def scores_2018(seed_plan) -> dict[str, Decimal]:
    """2018 appraised as 2017 was: each sub-criterion keeps its baseline score."""
    leaves = Criterion.objects.filter(framework=seed_plan.framework).leaves()
    baseline = Score.objects.filter(
        criterion__in=leaves, year=seed_plan.baseline_year, kind=Score.Kind.OFFICIAL
    )
    Score.objects.bulk_create(
        Score(criterion_id=score.criterion_id, year=YEAR, kind=score.kind, value=score.value)
        for score in baseline
    )
    return official_scores(seed_plan)


def lost_column(page: Page) -> list[Decimal]:
    """The gap table's "Điểm bị mất" cells, top to bottom, empty ones left out."""
    cells = page.locator("table.gaps tbody tr td:nth-child(7)").all_inner_texts()
    return [Decimal(text.replace(",", ".")) for text in cells if text.strip()]


def test_gap_table_puts_the_most_points_lost_first(
    page, live_server, login, noivu_staff, staff_password, scores_2018, screenshot
):
    login(page, live_server, noivu_staff, staff_password)
    page.goto(live_server.url + reverse("reports:overview"))

    page.get_by_role("link", name=f"Bảng khoảng cách năm {YEAR}").click()

    lost_header = page.get_by_role("columnheader", name="Điểm bị mất")
    expect(lost_header).to_have_attribute("aria-sort", "descending")
    expect(page.locator("table.gaps tbody tr")).not_to_have_count(0)
    lost = lost_column(page)
    assert lost[0] == max(lost) > 0
    assert lost == sorted(lost, reverse=True)
    screenshot(page, "gaps", full_page=False)

    lost_header.get_by_role("link").click()

    expect(lost_header).to_have_attribute("aria-sort", "ascending")
    assert lost_column(page) == sorted(lost)


def test_year_results_download_as_a_workbook_of_every_criterion(
    page, live_server, login, noivu_staff, staff_password, seed_plan, scores_2018, tmp_path
):
    login(page, live_server, noivu_staff, staff_password)
    page.goto(live_server.url + reverse("reports:gap-dashboard", args=[YEAR]))

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải kết quả năm dạng Excel (.xlsx)").click()

    download = download_info.value
    assert download.suggested_filename == f"ket-qua-chi-so-cchc-{YEAR}.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    sheet = openpyxl.load_workbook(path, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(number for number, row in enumerate(rows) if row[0] == "Stt")
    official_column = rows[header].index(f"Kết quả thẩm định năm {YEAR}")
    # The appendix layout: title lines, a two-row header, one row per criterion, the total.
    criteria = {
        str(row[0]): row[official_column]
        for row in rows[header + 2 :]
        if row[0] is not None and CODE.fullmatch(str(row[0]))
    }
    assert len(criteria) == 107
    codes = Criterion.objects.filter(framework=seed_plan.framework).values_list("code", flat=True)
    assert set(criteria) == set(codes)
    leaves_in_file = {code: value for code, value in criteria.items() if code in scores_2018}
    assert leaves_in_file == {code: float(value) for code, value in scores_2018.items()}
    assert any("TỔNG ĐIỂM" in row[:2] for row in rows[header + 2 :])


def test_leader_reads_the_grid_and_cannot_save(
    page, live_server, login, leader, staff_password, seed_plan, scores_2018
):
    leaf = criteria_of(seed_plan, "1.1.1")[0]
    login(page, live_server, leader, staff_password)
    grid_url = live_server.url + reverse("reports:score-grid", args=[YEAR])

    page.goto(grid_url)

    expect(page.get_by_text("Bạn chỉ có quyền xem bảng điểm.")).to_be_visible()
    expect(official_input(page, leaf)).to_be_disabled()
    expect(official_input(page, leaf)).to_have_value(vn(scores_2018["1.1.1"]))
    grid = page.locator("table.score-grid")
    expect(grid.locator("input")).not_to_have_count(0)
    expect(grid.locator("input:enabled")).to_have_count(0)
    expect(grid.get_by_role("button", name="Lưu")).to_have_count(0)

    # Past the disabled cells, straight to the save address with the session's CSRF token.
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        live_server.url + reverse("reports:score-save", args=[YEAR, leaf.pk]),
        form={"official_value": "0", "official_version": "1", "self_version": "0", "note": ""},
        headers={"X-CSRFToken": csrf},
    )

    assert response.status == 403
    assert "Tài khoản của bạn không có quyền thực hiện thao tác này." in response.text()
    assert official_scores(seed_plan) == scores_2018
