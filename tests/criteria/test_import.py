"""Importing the appendix from Excel: real layouts accepted, bad files refused whole."""

import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from criteria.importers import AppendixError, read_appendix
from criteria.layout import YearSpan
from criteria.models import Action, Criterion, Framework, IndexResult, Plan, Score, Target
from criteria.services import import_appendix
from tests.criteria.sheets import (
    HEADER_SUB,
    HEADER_TOP,
    ROWS,
    appendix_xlsx,
    row_number,
    with_cell,
)
from tests.hostile_files import with_parts

pytestmark = pytest.mark.django_db

SPAN_2018 = YearSpan(2018, 2018)
SPAN_2019 = YearSpan(2019, 2020)


@pytest.fixture
def plan() -> Plan:
    framework = Framework.objects.create(code="QĐ 2948/QĐ-BNV", name="Đề án", first_year=2017)
    return Plan.objects.create(
        number="252/KH-UBND",
        title="Kế hoạch nâng cao Chỉ số CCHC",
        issued_on=datetime.date(2018, 9, 19),
        province="Tiền Giang",
        framework=framework,
        baseline_year=2017,
        first_year=2018,
        last_year=2020,
    )


def snapshot() -> dict[str, list]:
    """Everything an import may write, to prove that a refused import wrote nothing."""
    return {
        "criteria": list(
            Criterion.objects.values_list("code", "title", "max_score").order_by("code")
        ),
        "scores": list(
            Score.objects.values_list("criterion__code", "value").order_by("criterion__code")
        ),
        "targets": list(
            Target.objects.values_list(
                "criterion__code", "first_year", "min_score", "max_score"
            ).order_by("criterion__code", "first_year")
        ),
        "actions": list(
            Action.objects.values_list("criterion__code", "text").order_by("criterion__code")
        ),
        "results": list(IndexResult.objects.values_list("year", "total")),
    }


def write(tmp_path: Path, data: bytes, name: str = "phu-luc.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# -- Layouts real offices produce ---------------------------------------------------------


def test_official_layout_reads_every_row_with_years_from_the_header():
    table = read_appendix(appendix_xlsx())

    assert table.baseline_year == 2017
    assert table.target_spans == [SPAN_2018, SPAN_2019]
    assert [row.code for row in table.criteria_rows] == [
        "1",
        "1.1",
        "1.1.1",
        "1.1.2",
        "1.2",
        "2",
        "2.1",
    ]
    assert table.total.max_score == Decimal(20)
    assert table.total.targets[SPAN_2019] == (Decimal("18.5"), Decimal(20))


def test_codes_typed_as_numbers_and_text_read_alike():
    table = read_appendix(appendix_xlsx())

    first, second = table.criteria_rows[0], table.criteria_rows[1]
    assert (first.code, first.excel_row) == ("1", row_number("1"))
    assert second.code == "1.1"


def test_vietnamese_decimal_comma_and_ranges_with_either_dash():
    table = read_appendix(appendix_xlsx())

    row = next(row for row in table.rows if row.code == "1.2")
    assert row.targets[SPAN_2018] == (Decimal(8), Decimal("8.5"))
    assert row.targets[SPAN_2019] == (Decimal("8.5"), Decimal("8.5"))
    assert next(r for r in table.rows if r.code == "2.1").targets[SPAN_2018] == (
        Decimal("8.5"),
        Decimal(9),
    )


def test_multi_line_action_text_is_kept_line_by_line():
    table = read_appendix(appendix_xlsx())

    row = next(row for row in table.rows if row.code == "1.2")
    assert row.action == "- Văn phòng UBND tăng cường kiểm tra.\n- Sở Nội vụ rà soát."


def test_blank_rows_signatures_and_no_title_lines_are_handled():
    table = read_appendix(appendix_xlsx(title_lines=False, blank_rows_after=(0, 3, 5)))

    assert len(table.criteria_rows) == 7
    assert table.total is not None


def test_columns_are_found_by_title_not_position():
    order = [1, 0, 3, 2, 6, 4, 5]
    top = [
        "Lĩnh vực/Tiêu chí/Tiêu chí thành phần",
        "Stt",
        "Điểm đạt được năm 2017",
        "Điểm chuẩn",
        "Thực hiện",
        "Mục tiêu",
        None,
    ]
    sub = [None, None, None, None, None, "Năm 2018", "Năm 2019- 2020"]
    rows = [[row[i] for i in order] for row in ROWS]
    data = appendix_xlsx(rows, header_top=top, header_sub=sub, total=None)

    table = read_appendix(data)

    assert [row.code for row in table.criteria_rows][:3] == ["1", "1.1", "1.1.1"]
    assert next(r for r in table.rows if r.code == "2").max_score == Decimal(10)


def test_single_row_header_with_years_in_titles():
    top = [
        "STT",
        "Tiêu chí",
        "Điểm chuẩn",
        "Điểm đạt được năm 2017",
        "Mục tiêu năm 2018",
        "Mục tiêu năm 2019 - 2020",
        "Thực hiện",
    ]

    table = read_appendix(appendix_xlsx(header_top=top, header_sub=None))

    assert table.target_spans == [SPAN_2018, SPAN_2019]


def test_parsing_does_not_depend_on_the_interface_language():
    with translation.override("en"):
        english = read_appendix(appendix_xlsx())
    with translation.override("vi"):
        vietnamese = read_appendix(appendix_xlsx())

    assert english.rows == vietnamese.rows


# -- Writing --------------------------------------------------------------------------------


def test_import_writes_tree_scores_targets_and_actions(plan):
    report = import_appendix(table=read_appendix(appendix_xlsx()), plan=plan)

    assert len(report.created) == 7
    sub = Criterion.objects.get(code="1.1.2")
    assert (sub.parent.code, sub.parent.parent.code, sub.level) == ("1.1", "1", 3)
    assert Criterion.objects.get(code="1.2").is_survey is True
    assert Score.objects.get(
        criterion__code="2", year=2017, kind=Score.Kind.OFFICIAL
    ).value == Decimal("8.37")
    target = Target.objects.get(criterion__code="2", first_year=2019)
    assert (target.last_year, target.min_score, target.max_score) == (2020, Decimal(9), Decimal(10))
    assert Action.objects.get(criterion__code="2.1").text == "Sở Tư pháp duy trì"
    assert IndexResult.objects.get(province="Tiền Giang", year=2017).total == Decimal("15.87")
    assert Target.objects.totals().get(first_year=2018).min_score == Decimal(18)


def test_importing_the_same_file_twice_changes_nothing(plan):
    import_appendix(table=read_appendix(appendix_xlsx()), plan=plan)
    before = snapshot()

    report = import_appendix(table=read_appendix(appendix_xlsx()), plan=plan)

    assert not report.has_changes
    assert report.unchanged == 8
    assert snapshot() == before


def test_revised_file_updates_in_place_and_reports_each_change(plan):
    import_appendix(table=read_appendix(appendix_xlsx()), plan=plan)
    ids = dict(Criterion.objects.values_list("code", "id"))
    revised = with_cell("1.1.2", 1, "Mức độ hoàn thành kế hoạch CCHC năm")
    revised = with_cell("2.1", 4, "8,5 - 9,5", revised)

    report = import_appendix(table=read_appendix(appendix_xlsx(revised)), plan=plan)

    assert [(c.code, c.column, c.old, c.new) for c in report.changes] == [
        (
            "1.1.2",
            "Nội dung",
            "Mức độ hoàn thành kế hoạch CCHC",
            "Mức độ hoàn thành kế hoạch CCHC năm",
        ),
        ("2.1", "Mục tiêu năm 2018", "8,5 - 9", "8,5 - 9,5"),
    ]
    assert dict(Criterion.objects.values_list("code", "id")) == ids
    assert Target.objects.get(criterion__code="2.1", first_year=2018).max_score == Decimal("9.5")


def test_changed_maximum_is_refused_unless_accepted(plan):
    import_appendix(table=read_appendix(appendix_xlsx()), plan=plan)
    revised = read_appendix(appendix_xlsx(with_cell("1.1.1", 2, 55)))

    with pytest.raises(AppendixError, match=r"điểm chuẩn của 1 tiêu chí \(1.1.1: 0,5 → 55\)"):
        import_appendix(table=revised, plan=plan, accept_max_changes=False)
    assert Criterion.objects.get(code="1.1.1").max_score == Decimal("0.5")

    report = import_appendix(table=revised, plan=plan, accept_max_changes=True)

    assert [(c.code, c.old, c.new) for c in report.changed_maximums] == [("1.1.1", "0,5", "55")]
    assert Criterion.objects.get(code="1.1.1").max_score == 55


def test_dry_run_reports_but_writes_nothing(plan):
    report = import_appendix(table=read_appendix(appendix_xlsx()), plan=plan, dry_run=True)

    assert len(report.created) == 7
    assert not Criterion.objects.exists()


def test_stated_sums_are_kept_and_mismatches_warned(plan):
    rows = with_cell("1.1", 2, 2)  # 1.1 says 2 but its children add up to 1.5

    report = import_appendix(table=read_appendix(appendix_xlsx(rows)), plan=plan)

    assert Criterion.objects.get(code="1.1").max_score == Decimal(2)
    assert any("1.1" in warning and "Điểm chuẩn" in warning for warning in report.warnings)


# -- Bad input: a clear message naming row and column, nothing written ------------------


BAD_CELLS = [
    ("1.1.1", 2, "nửa điểm", "“Điểm chuẩn”", "không phải là số"),
    ("1.1.1", 3, 0.75, "“Điểm đạt được năm 2017”", "lớn hơn điểm chuẩn"),
    ("1.1.2", 3, "-1", "“Điểm đạt được năm 2017”", "không được âm"),
    ("2.1", 4, "9 - 8,5", "“Năm 2018”", "cận dưới lớn hơn cận trên"),
    ("2.1", 5, "9 - 12", "“Năm 2019- 2020”", "lớn hơn điểm chuẩn"),
    ("1.1.2", 3, 0.333, "“Điểm đạt được năm 2017”", "2 chữ số thập phân"),
]


@pytest.mark.parametrize(("code", "column", "value", "title", "message"), BAD_CELLS)
def test_bad_cell_names_row_and_column_and_writes_nothing(
    plan, tmp_path, code, column, value, title, message
):
    path = write(tmp_path, appendix_xlsx(with_cell(code, column, value)))
    before = snapshot()

    with pytest.raises(CommandError):
        call_command("import_appendix", str(path), stderr=(err := io.StringIO()))

    assert f"Dòng {row_number(code)}, cột {title}" in err.getvalue()
    assert message in err.getvalue()
    assert snapshot() == before


def test_every_problem_of_a_file_is_listed_at_once(plan):
    rows = with_cell("1.1.1", 2, "x")
    rows = with_cell("2.1", 3, "-2", rows)

    with pytest.raises(AppendixError) as refused:
        read_appendix(appendix_xlsx(rows))

    assert len(refused.value.problems) == 2


def test_a_long_list_of_problems_shows_the_first_fifty_and_counts_the_rest(plan):
    rows = [*ROWS, *([f"3.{n}", f"Tiêu chí {n}", "x", 1, 1, 1, None] for n in range(1, 61))]
    rows.insert(len(ROWS), [3, "Lĩnh vực thứ ba", 60, 60, 60, 60, None])

    with pytest.raises(AppendixError) as refused:
        read_appendix(appendix_xlsx(rows, total=None))

    problems = refused.value.problems
    assert (len(problems), refused.value.count) == (51, 60)
    assert problems[0].startswith("Dòng 15, cột “Điểm chuẩn”: “x” không phải là số")
    assert problems[-1] == "… và 10 lỗi khác."


def test_a_sheet_longer_than_the_row_limit_is_refused_and_the_limit_is_a_setting(settings):
    sheet_rows = openpyxl.load_workbook(io.BytesIO(appendix_xlsx())).active.max_row
    settings.APPENDIX_MAX_ROWS = sheet_rows
    assert len(read_appendix(appendix_xlsx()).rows) == len(ROWS) + 1
    settings.APPENDIX_MAX_ROWS = sheet_rows - 1

    with pytest.raises(AppendixError, match=f"“Phụ lục” có hơn {sheet_rows - 1} dòng"):
        read_appendix(appendix_xlsx())


def test_a_sheet_that_understates_its_size_is_read_to_its_last_row():
    """Read-only openpyxl stops at the sheet's stated dimension: the table would lose rows."""
    data = with_parts(
        appendix_xlsx(),
        edit={
            "xl/worksheets/sheet1.xml": lambda xml: re.sub(
                rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:G8"/>', xml
            )
        },
    )

    table = read_appendix(data)

    assert [row.code for row in table.rows] == [row[0] and str(row[0]) for row in ROWS] + [""]


def test_code_without_parent_is_refused(plan):
    rows = [*ROWS, ["3.1.1", "Tiêu chí mồ côi", 1, 1, 1, 1, None]]

    with pytest.raises(
        AppendixError, match=r"Dòng 14, cột “Stt”: mã “3.1.1” không có dòng cha “3.1”"
    ):
        read_appendix(appendix_xlsx(rows))


def test_duplicate_code_is_refused(plan):
    rows = [*ROWS, ["2.1", "Bản sao", 1, 1, 1, 1, None]]

    with pytest.raises(AppendixError, match=r"mã “2.1” bị trùng với dòng 13"):
        read_appendix(appendix_xlsx(rows))


def test_missing_required_column_is_named(plan):
    top = [title for title in HEADER_TOP if title != "Điểm đạt được năm 2017"]
    sub = HEADER_SUB[:3] + HEADER_SUB[4:]
    rows = [row[:3] + row[4:] for row in ROWS]

    with pytest.raises(AppendixError, match="thiếu cột bắt buộc “Điểm đạt được năm …”"):
        read_appendix(appendix_xlsx(rows, header_top=top, header_sub=sub, total=None))


def test_formula_without_saved_value_is_refused(plan):
    rows = with_cell("1", 2, "=SUM(C8:C11)")

    with pytest.raises(
        AppendixError, match=r"Dòng 7, cột “Điểm chuẩn”: ô có công thức =SUM\(C8:C11\)"
    ):
        read_appendix(appendix_xlsx(rows))


def test_text_where_a_code_belongs_is_refused_when_the_row_has_scores(plan):
    rows = [*ROWS, ["ba", "Lĩnh vực thứ ba", 1, 1, 1, 1, None]]

    with pytest.raises(AppendixError, match="“ba” không phải là mã tiêu chí"):
        read_appendix(appendix_xlsx(rows))


def test_no_table_at_all_is_refused():
    with pytest.raises(AppendixError, match="Không tìm thấy bảng phụ lục"):
        read_appendix(appendix_xlsx([], header_top=["Tên", "Ghi chú"], header_sub=None, total=None))


def test_table_without_rows_is_refused():
    with pytest.raises(AppendixError, match="không có dòng dữ liệu"):
        read_appendix(appendix_xlsx([], total=None, signature=False))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Tệp rỗng"),
        (b"Stt;Tieu chi;Diem\n1;A;10\n", "không phải là tệp Excel .xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "không phải là tệp Excel .xlsx"),
    ],
    ids=["empty", "csv-renamed", "old-xls"],
)
def test_file_that_is_not_an_xlsx_is_refused(plan, tmp_path, data, message):
    path = write(tmp_path, data)
    before = snapshot()

    with pytest.raises(CommandError):
        call_command("import_appendix", str(path), stderr=(err := io.StringIO()))

    assert message in err.getvalue()
    assert snapshot() == before


def test_file_above_the_size_limit_is_refused_before_parsing(settings):
    settings.XLSX_MAX_UPLOAD_BYTES = 1000

    with pytest.raises(AppendixError, match="Tệp quá lớn"):
        read_appendix(appendix_xlsx())


def test_file_that_unpacks_far_larger_than_any_appendix_is_refused(settings):
    settings.XLSX_MAX_UNPACKED_BYTES = 2000

    with pytest.raises(AppendixError, match="khi giải nén lớn tới"):
        read_appendix(appendix_xlsx())


def test_macro_enabled_workbook_is_refused():
    with pytest.raises(AppendixError, match="macro"):
        read_appendix(with_parts(appendix_xlsx(), {"xl/vbaProject.bin": b"macro"}))


def test_xml_with_entity_declarations_is_refused():
    declared = with_parts(
        appendix_xlsx(),
        edit={"xl/worksheets/sheet1.xml": lambda xml: b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + xml},
    )

    with pytest.raises(AppendixError, match="DOCTYPE/ENTITY"):
        read_appendix(declared)


def test_command_dry_run_prints_changes_and_writes_nothing(plan, tmp_path):
    path = write(tmp_path, appendix_xlsx())

    call_command("import_appendix", str(path), "--dry-run", stdout=(out := io.StringIO()))

    assert "+ 1.1.1" in out.getvalue()
    assert "7 tiêu chí mới" in out.getvalue()
    assert not Criterion.objects.exists()


def test_command_with_unknown_plan_fails(plan, tmp_path):
    path = write(tmp_path, appendix_xlsx())

    with pytest.raises(CommandError, match="Không có kế hoạch số “1/KH”"):
        call_command("import_appendix", str(path), "--plan", "1/KH")


def test_file_for_another_baseline_year_is_refused(plan):
    plan.baseline_year, plan.first_year = 2016, 2017
    plan.save()

    with pytest.raises(AppendixError, match="năm gốc của kế hoạch 252/KH-UBND là 2016"):
        import_appendix(table=read_appendix(appendix_xlsx()), plan=plan)

    assert not Criterion.objects.exists()


def test_command_refuses_a_changed_maximum_without_accept_max_changes(plan, tmp_path):
    import_appendix(table=read_appendix(appendix_xlsx()), plan=plan)
    revised = with_cell("1.1.2", 2, 2, with_cell("1.1.1", 2, 55))
    path = write(tmp_path, appendix_xlsx(revised))
    before = snapshot()

    with pytest.raises(CommandError, match="--accept-max-changes"):
        call_command("import_appendix", str(path), stderr=(err := io.StringIO()))

    assert "1.1.1: 0,5 → 55" in err.getvalue()
    assert "1.1.2: 1 → 2" in err.getvalue()
    assert snapshot() == before


def test_command_with_accept_max_changes_changes_the_maximum(plan, tmp_path):
    import_appendix(table=read_appendix(appendix_xlsx()), plan=plan)
    path = write(tmp_path, appendix_xlsx(with_cell("1.1.1", 2, 55)))

    call_command("import_appendix", str(path), "--accept-max-changes", stdout=io.StringIO())

    assert Criterion.objects.get(code="1.1.1").max_score == 55


def test_command_dry_run_says_a_changed_maximum_needs_accept_max_changes(plan, tmp_path):
    import_appendix(table=read_appendix(appendix_xlsx()), plan=plan)
    path = write(tmp_path, appendix_xlsx(with_cell("1.1.1", 2, 55)))

    call_command(
        "import_appendix",
        str(path),
        "--dry-run",
        stdout=io.StringIO(),
        stderr=(err := io.StringIO()),
    )

    assert "1.1.1: 0,5 → 55" in err.getvalue()
    assert "--accept-max-changes" in err.getvalue()
    assert Criterion.objects.get(code="1.1.1").max_score == Decimal("0.5")
