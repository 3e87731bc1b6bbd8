"""The appendix export: official layout, inert text cells, the command and the download."""

import dataclasses
import datetime
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command, load_command_class
from django.db import connections
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from criteria.exporters import FIRST_DATA_ROW, HEADER_ROW, plan_appendix_bytes, write_appendix
from criteria.importers import read_appendix
from criteria.layout import AppendixRow, AppendixTable, YearSpan
from criteria.models import Action, Criterion, Framework, IndexResult, Plan, Score, Target

pytestmark = pytest.mark.django_db

SPAN_2018 = (2018, 2018)
SPAN_2019_2020 = (2019, 2020)


def _criterion(framework: Framework, code: str, title: str, max_score: str) -> Criterion:
    return Criterion.objects.create(
        framework=framework, code=code, title=title, max_score=Decimal(max_score)
    )


def _targets(plan: Plan, criterion: Criterion | None, t2018: str, t2019: tuple[str, str]) -> None:
    Target.objects.create(
        plan=plan,
        criterion=criterion,
        first_year=2018,
        last_year=2018,
        min_score=Decimal(t2018),
        max_score=Decimal(t2018),
    )
    Target.objects.create(
        plan=plan,
        criterion=criterion,
        first_year=2019,
        last_year=2020,
        min_score=Decimal(t2019[0]),
        max_score=Decimal(t2019[1]),
    )


def _make_plan(number: str, framework: Framework) -> Plan:
    return Plan.objects.create(
        number=number,
        title=f"Kế hoạch {number}",
        issued_on=datetime.date(2018, 9, 19),
        province="Tiền Giang",
        framework=framework,
        baseline_year=2017,
        first_year=2018,
        last_year=2020,
    )


@pytest.fixture
def plan() -> Plan:
    """Two areas, criteria down to sub-criteria, a code "1.10", scores, targets and actions."""
    framework = Framework.objects.create(
        code="QĐ 2948/QĐ-BNV", name="Đề án", first_year=2017, max_score=Decimal(100)
    )
    plan = _make_plan("252/KH-UBND", framework)
    area_1 = _criterion(framework, "1", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC", "10")
    plan_1_1 = _criterion(framework, "1.1", "Kế hoạch CCHC", "1.5")
    issue = _criterion(framework, "1.1.1", "Ban hành kế hoạch CCHC", "0.5")
    tenth = _criterion(framework, "1.10", "Tiêu chí thứ mười", "1")
    area_2 = _criterion(framework, "2", "XÂY DỰNG VÀ TỔ CHỨC THỰC HIỆN VBQPPL", "10")
    survey = _criterion(framework, "2.4", "Tác động của cải cách (qua điều tra XHH)", "5")
    survey.is_survey = True
    survey.save()

    for criterion, baseline in [
        (area_1, "7.5"),
        (plan_1_1, "1.5"),
        (issue, "0.5"),
        (area_2, "8.37"),
        (survey, "3.41"),
    ]:
        Score.objects.create(
            criterion=criterion, year=2017, kind=Score.Kind.OFFICIAL, value=Decimal(baseline)
        )
    # A self-assessment of the same year must not be taken for the official baseline.
    Score.objects.create(criterion=tenth, year=2017, kind=Score.Kind.SELF, value=Decimal("0.9"))

    _targets(plan, area_1, "9.5", ("10", "10"))
    _targets(plan, area_2, "8.5", ("9", "10"))
    _targets(plan, survey, "3.5", ("4.00", "5.00"))
    _targets(plan, None, "89.2", ("93.1", "99.5"))
    Action.objects.create(
        plan=plan, criterion=issue, text="Sở Nội vụ tiếp tục tham mưu thực hiện đúng tiến độ"
    )
    Action.objects.create(
        plan=plan,
        criterion=survey,
        text="- Sở Tư pháp tăng cường kiểm tra.\n- Các sở, ngành rà soát văn bản.",
    )
    IndexResult.objects.create(province="Tiền Giang", year=2017, total=Decimal("73.64"), rank=51)
    IndexResult.objects.create(province="Bến Tre", year=2017, total=Decimal("80.10"), rank=20)
    return plan


def _sheet(content: bytes) -> Worksheet:
    return load_workbook(io.BytesIO(content)).active


def _rows_by_code(sheet: Worksheet) -> dict[str, tuple]:
    return {row[0].value: row for row in sheet.iter_rows(min_row=FIRST_DATA_ROW) if row[0].value}


def test_export_writes_the_title_lines_above_the_table(plan):
    sheet = _sheet(plan_appendix_bytes(plan))

    assert [sheet.cell(row, 1).value for row in (1, 2, 3)] == [
        "PHỤ LỤC",
        "MỤC TIÊU PHẤN ĐẤU NÂNG CAO CHỈ SỐ CẢI CÁCH HÀNH CHÍNH TỈNH TIỀN GIANG GIAI ĐOẠN 2018-2020",
        "(Kèm theo Kế hoạch số 252/KH-UBND ngày 19/9/2018 của Ủy ban nhân dân tỉnh)",
    ]
    assert {"A1:G1", "A2:G2", "A3:G3"} <= {str(merged) for merged in sheet.merged_cells.ranges}


def test_export_title_gives_the_plan_period_even_without_targets(plan):
    Target.objects.filter(plan=plan).delete()

    sheet = _sheet(plan_appendix_bytes(plan))

    assert sheet.cell(2, 1).value.endswith("GIAI ĐOẠN 2018-2020")
    assert [cell.value for cell in sheet[HEADER_ROW]][-1] == "Thực hiện"


def test_export_header_spans_two_rows_with_the_targets_grouped(plan):
    sheet = _sheet(plan_appendix_bytes(plan))

    top = [cell.value for cell in sheet[HEADER_ROW]]
    bottom = [cell.value for cell in sheet[HEADER_ROW + 1]]
    assert top == [
        "Stt",
        "Lĩnh vực/Tiêu chí/Tiêu chí thành phần",
        "Điểm chuẩn",
        "Điểm đạt được năm 2017",
        "Mục tiêu",
        None,
        "Thực hiện",
    ]
    assert bottom == [None, None, None, None, "Năm 2018", "Năm 2019 - 2020", None]
    merged = {str(cell_range) for cell_range in sheet.merged_cells.ranges}
    assert {"A5:A6", "B5:B6", "C5:C6", "D5:D6", "E5:F5", "G5:G6"} <= merged
    assert sheet.freeze_panes == f"A{FIRST_DATA_ROW}"


def test_export_writes_one_row_per_criterion_in_code_order_then_the_total(plan):
    sheet = _sheet(plan_appendix_bytes(plan))

    codes = [row[0].value for row in sheet.iter_rows(min_row=FIRST_DATA_ROW)]
    assert codes == ["1", "1.1", "1.1.1", "1.10", "2", "2.4", "TỔNG ĐIỂM"]
    assert sheet.max_row == FIRST_DATA_ROW + 6


def test_export_writes_codes_and_ranges_as_text_and_scores_as_numbers(plan):
    rows = _rows_by_code(_sheet(plan_appendix_bytes(plan)))

    tenth = rows["1.10"]
    assert (tenth[0].value, tenth[0].data_type) == ("1.10", "s")
    assert [cell.value for cell in tenth[2:]] == [1, None, None, None, None]
    area_2 = rows["2"]
    assert [cell.value for cell in area_2[2:6]] == [10, 8.37, 8.5, "9 - 10"]
    assert [cell.data_type for cell in area_2[2:6]] == ["n", "n", "n", "s"]
    # Stored as 4.00 - 5.00; the appendix prints "4 - 5".
    assert rows["2.4"][5].value == "4 - 5"
    # Area 1 aims at exactly 10 over 2019-2020: a number, not the range "10 - 10".
    assert rows["1"][5].value == 10


def test_export_keeps_multi_line_actions_wrapped(plan):
    rows = _rows_by_code(_sheet(plan_appendix_bytes(plan)))

    action = rows["2.4"][6]
    assert action.value == "- Sở Tư pháp tăng cường kiểm tra.\n- Các sở, ngành rà soát văn bản."
    assert action.alignment.wrap_text
    assert rows["1.1"][6].value is None


def test_export_makes_area_rows_bold_and_others_plain(plan):
    rows = _rows_by_code(_sheet(plan_appendix_bytes(plan)))

    assert rows["1"][1].font.bold
    assert rows["2"][1].font.bold
    assert not rows["1.1"][1].font.bold
    assert not rows["1.1.1"][1].font.bold


def test_export_total_row_spans_code_and_title_with_the_index_figures(plan):
    sheet = _sheet(plan_appendix_bytes(plan))

    total = sheet[sheet.max_row]
    assert [cell.value for cell in total] == [
        "TỔNG ĐIỂM",
        None,
        100,
        73.64,
        89.2,
        "93,1 - 99,5",  # text: written with the Vietnamese decimal comma
        None,
    ]
    assert f"A{sheet.max_row}:B{sheet.max_row}" in {
        str(cell_range) for cell_range in sheet.merged_cells.ranges
    }
    assert total[0].font.bold


def test_export_writes_formula_looking_text_as_inert_text(plan):
    formula = _criterion(plan.framework, "3", "=1+1", "5")
    Action.objects.create(plan=plan, criterion=formula, text="@SUM(A1)")

    content = plan_appendix_bytes(plan)

    row = _rows_by_code(_sheet(content))["3"]
    assert (row[1].value, row[1].data_type, row[1].quotePrefix) == ("=1+1", "s", True)
    assert (row[6].value, row[6].data_type, row[6].quotePrefix) == ("@SUM(A1)", "s", True)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml


def test_export_marks_bulleted_actions_without_changing_their_text(plan):
    rows = _rows_by_code(_sheet(plan_appendix_bytes(plan)))

    bulleted, plain = rows["2.4"][6], rows["1.1.1"][6]
    assert bulleted.quotePrefix
    assert bulleted.value.startswith("- Sở Tư pháp")
    assert not plain.quotePrefix


def test_exported_appendix_reads_back_unchanged_including_formula_looking_text(plan):
    formula = _criterion(plan.framework, "3", "=1+1", "5")
    Action.objects.create(plan=plan, criterion=formula, text="@SUM(A1)")
    exported = AppendixTable.from_plan(plan)

    imported = read_appendix(plan_appendix_bytes(plan))

    assert imported.baseline_year == exported.baseline_year
    assert imported.target_spans == exported.target_spans
    assert [dataclasses.replace(row, excel_row=0) for row in imported.rows] == exported.rows
    assert imported.criteria_rows[-1].title == "=1+1"
    assert imported.criteria_rows[-1].action == "@SUM(A1)"


@pytest.mark.parametrize("text", ["+1", "-1", '=HYPERLINK("x")', "\tTab", "#N/A"])
def test_write_appendix_never_writes_text_as_formula_or_error(text):
    table = AppendixTable(
        baseline_year=2017,
        target_spans=[YearSpan(2018, 2018)],
        rows=[
            AppendixRow(
                excel_row=0,
                code="1",
                title=text,
                max_score=Decimal(1),
                baseline=Decimal("-1.5"),
                targets={YearSpan(2018, 2018): (Decimal("-2"), Decimal("-2"))},
            )
        ],
    )
    out = io.BytesIO()

    write_appendix(
        table,
        province="Tiền Giang",
        plan_number="252/KH-UBND",
        issued_on=datetime.date(2018, 9, 19),
        out=out,
    )

    row = _sheet(out.getvalue())[FIRST_DATA_ROW]
    assert (row[1].value, row[1].data_type) == (text, "s")
    # Negative-looking numbers stay numbers.
    assert (row[3].value, row[3].data_type) == (-1.5, "n")
    assert (row[4].value, row[4].data_type) == (-2, "n")


def _run_command(argv: list[str], monkeypatch) -> None:
    # run_from_argv is what manage.py runs: errors go to stderr and exit non-zero. It closes
    # the connections when done, which would end the test's transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    load_command_class("criteria", "export_appendix").run_from_argv(
        ["manage.py", "export_appendix", *argv]
    )


def test_export_command_help_is_readable():
    parser = load_command_class("criteria", "export_appendix").create_parser(
        "manage.py", "export_appendix"
    )

    assert "--plan" in parser.format_help()


def test_export_command_writes_the_only_plan(plan, tmp_path, capsys, monkeypatch):
    out = tmp_path / "phu-luc.xlsx"
    assert not out.exists()

    _run_command([str(out)], monkeypatch)

    sheet = load_workbook(out).active
    assert sheet.cell(FIRST_DATA_ROW, 1).value == "1"
    assert sheet[sheet.max_row][0].value == "TỔNG ĐIỂM"
    assert "252/KH-UBND" in capsys.readouterr().out


def test_export_command_picks_the_plan_named(plan, tmp_path):
    other = _make_plan("99/KH-UBND", plan.framework)
    other.province = "Bến Tre"
    other.save()
    out = tmp_path / "ben-tre.xlsx"

    call_command("export_appendix", str(out), plan="99/KH-UBND")

    subtitle = load_workbook(out).active.cell(3, 1).value
    assert "99/KH-UBND" in subtitle
    assert "BẾN TRE" in load_workbook(out).active.cell(2, 1).value


def test_export_command_with_unknown_plan_exits_non_zero(plan, tmp_path, capsys, monkeypatch):
    out = tmp_path / "phu-luc.xlsx"

    with pytest.raises(SystemExit) as exit_info:
        _run_command([str(out), "--plan", "1/KH-XYZ"], monkeypatch)

    assert exit_info.value.code != 0
    assert "1/KH-XYZ" in capsys.readouterr().err
    assert not out.exists()


def test_export_command_without_plan_among_several_exits_non_zero(
    plan, tmp_path, capsys, monkeypatch
):
    _make_plan("99/KH-UBND", plan.framework)
    out = tmp_path / "phu-luc.xlsx"

    with pytest.raises(SystemExit) as exit_info:
        _run_command([str(out)], monkeypatch)

    assert exit_info.value.code != 0
    assert "--plan" in capsys.readouterr().err
    assert not out.exists()


@pytest.fixture
def staff_client(client, django_user_model, staff_password):
    user = django_user_model.objects.create_user(username="noivu", password=staff_password)
    client.force_login(user)
    return client


def test_download_gives_the_plan_appendix_as_xlsx(plan, staff_client):
    response = staff_client.get(reverse("criteria:plan-appendix-download", args=[plan.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="phu-luc-252-KH-UBND.xlsx"'
    sheet = _sheet(response.content)
    assert sheet[sheet.max_row][3].value == 73.64


def test_download_of_unknown_plan_gets_404(plan, staff_client):
    response = staff_client.get(reverse("criteria:plan-appendix-download", args=[plan.pk + 1]))

    assert response.status_code == 404


def test_download_sends_anonymous_to_login(plan, client):
    url = reverse("criteria:plan-appendix-download", args=[plan.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_download_refuses_post(plan, staff_client):
    response = staff_client.post(reverse("criteria:plan-appendix-download", args=[plan.pk]))

    assert response.status_code == 405


def test_download_query_count_does_not_grow_with_the_plan(
    plan, staff_client, django_assert_num_queries
):
    url = reverse("criteria:plan-appendix-download", args=[plan.pk])

    # session, user, plan with framework, the data version (criteria/caching.py), official
    # baseline scores, targets, actions, criteria in code order, the province's index result
    # of the baseline year
    with django_assert_num_queries(9):
        response = staff_client.get(url)

    assert response.status_code == 200


def test_seed_plan_fixture_loads():
    assert not Plan.objects.exists()

    call_command(
        "loaddata", str(Path(settings.BASE_DIR) / "fixtures" / "seed_plan.json"), verbosity=0
    )

    plan = Plan.objects.select_related("framework").get()
    assert (plan.number, plan.province, plan.issued_on) == (
        "252/KH-UBND",
        "Tiền Giang",
        datetime.date(2018, 9, 19),
    )
    assert (plan.baseline_year, plan.first_year, plan.last_year) == (2017, 2018, 2020)
    assert (plan.framework.code, plan.framework.max_score) == ("QĐ 2948/QĐ-BNV", Decimal(100))
    assert list(IndexResult.objects.values_list("year", "total", "rank", "province_count")) == [
        (2015, Decimal("85.51"), 32, 63),
        (2016, Decimal("70.61"), 39, 63),
        (2017, Decimal("73.64"), 51, 63),
    ]


def test_committed_seed_appendix_holds_every_row_and_the_printed_total():
    path = Path(settings.BASE_DIR) / "fixtures" / "appendix_252_KH-UBND.xlsx"

    sheet = load_workbook(path).active

    rows = list(sheet.iter_rows(min_row=FIRST_DATA_ROW, values_only=True))
    assert len(rows) == 107 + 1
    assert [rows[0][0], rows[-2][0]] == ["1", "8.2.3"]
    assert rows[-1][:6] == ("TỔNG ĐIỂM", None, 100, 73.64, "89.2 - 93.1", "93.1 - 99.5")


def test_committed_seed_appendix_imports_whole():
    path = Path(settings.BASE_DIR) / "fixtures" / "appendix_252_KH-UBND.xlsx"

    table = read_appendix(path.read_bytes())

    assert len(table.criteria_rows) == 107
    assert (table.total.max_score, table.total.baseline) == (Decimal(100), Decimal("73.64"))
    assert list(table.total.targets.values()) == [
        (Decimal("89.2"), Decimal("93.1")),
        (Decimal("93.1"), Decimal("99.5")),
    ]
