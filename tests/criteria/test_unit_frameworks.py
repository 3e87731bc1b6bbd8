"""The province's own frameworks for its units: read from messy .xlsx tables like the
appendix, written whole or not at all, with bonus and penalty criteria."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from criteria.importers import AppendixError
from criteria.models import Criterion, Framework
from criteria.unit_frameworks import import_unit_framework, read_unit_framework
from tests.criteria.unit_sheets import (
    BRANCHES_FILE,
    DEPARTMENTS_FILE,
    DISTRICTS_FILE,
    ROWS,
    line_of,
    replaced,
    unit_xlsx,
)

pytestmark = pytest.mark.django_db

DEPARTMENT = {
    "code": "QĐ CCHC sở 2020",
    "name": "Bộ chỉ số CCHC sở, ban, ngành năm 2020",
    "unit_type": Framework.UnitType.DEPARTMENT,
    "first_year": 2020,
}


def problems_of(data: bytes) -> list[str]:
    with pytest.raises(AppendixError) as raised:
        read_unit_framework(data)
    return raised.value.problems


def kinds(framework: Framework) -> dict[str, str]:
    return dict(framework.criteria.values_list("code", "kind"))


# -- The example files -------------------------------------------------------------------


def test_departments_file_imports_with_a_bonus_and_a_penalty_area():
    sheet = read_unit_framework(DEPARTMENTS_FILE.read_bytes())

    report = import_unit_framework(sheet=sheet, **DEPARTMENT)

    framework = Framework.objects.get(code=DEPARTMENT["code"])
    assert framework.unit_type == "department"
    assert (framework.first_year, framework.last_year) == (2020, None)
    assert framework.max_score == Decimal(100)
    assert framework.criteria.count() == len(report.created) == 45
    assert framework.criteria.filter(parent__isnull=True).count() == 10
    assert kinds(framework)["9"] == kinds(framework)["9.2"] == Criterion.Kind.BONUS
    assert kinds(framework)["10"] == kinds(framework)["10.1"] == Criterion.Kind.PENALTY
    # Written "-2" in the file: kept as the deduction, 2.
    assert framework.criteria.get(code="10.1").max_score == Decimal(2)
    assert framework.criteria.get(code="8.1").is_survey
    assert (report.maximum, report.bonus_maximum, report.penalty_maximum) == (100, 3, 5)
    # The file relates its criteria to the national index, not loaded here: said, not written
    # (tests/criteria/test_criterion_links.py).
    assert report.warnings == [
        "Chưa có bộ chỉ số của Bộ Nội vụ áp dụng năm 2020: chưa ghi các tiêu chí liên quan của "
        "cột “Tiêu chí thành phần Bộ chỉ số tỉnh liên quan”; hãy nhập lại tệp sau khi có bộ chỉ "
        "số đó."
    ]


def test_districts_file_with_roman_areas_a_two_row_header_and_a_kind_column():
    sheet = read_unit_framework(DISTRICTS_FILE.read_bytes())

    import_unit_framework(
        sheet=sheet,
        code="QĐ CCHC huyện 2020",
        name="Bộ chỉ số CCHC cấp huyện năm 2020",
        unit_type=Framework.UnitType.DISTRICT,
        first_year=2020,
        last_year=2020,
    )

    framework = Framework.objects.get(unit_type="district")
    codes = kinds(framework)
    # Area III's criterion 3 and its sub-criterion 3.1: 3.3 and 3.3.1.
    assert {"3", "3.3", "3.3.1", "3.3.2", "8.2"} <= set(codes)
    assert framework.criteria.get(code="1.1.1").title == "Ban hành kế hoạch CCHC năm đúng thời hạn"
    assert codes["9"] == codes["9.1"] == codes["9.2"] == Criterion.Kind.BONUS
    assert {codes[code] for code in codes if not code.startswith("9")} == {"regular"}
    assert framework.max_score == Decimal(100)
    assert sheet.titles["max_score"] == "Điểm – Tối đa"
    # The scoring levels under 1.1.1 are not criteria, and the reader is told so.
    assert sheet.warnings == [
        "2 dòng mức chấm (bắt đầu bằng “-”, “+”, “a)” …) không phải là tiêu chí, không được nhập."
    ]


def test_branch_agencies_file_has_bonus_areas_under_a_heading_line():
    sheet = read_unit_framework(BRANCHES_FILE.read_bytes())

    assert [(row.code, row.kind) for row in sheet.rows if row.depth == 1] == [
        ("1", "regular"),
        ("2", "regular"),
        ("3", "regular"),
        ("4", "regular"),
        ("5", "regular"),
        ("6", "regular"),
        ("7", "bonus"),
        ("8", "bonus"),
    ]
    assert (sheet.maximum(), sheet.maximum("bonus")) == (Decimal(100), Decimal(5))


# -- Messy layouts -----------------------------------------------------------------------


def test_the_framework_maximum_excludes_bonus_and_penalty():
    sheet = read_unit_framework(unit_xlsx())

    import_unit_framework(sheet=sheet, **DEPARTMENT)

    framework = Framework.objects.get()
    assert framework.max_score == Decimal(10)
    assert sheet.maximum("bonus") == 2
    assert sheet.maximum("penalty") == 3


@pytest.mark.parametrize(
    ("header", "sub_header"),
    [
        (["Mã", "Nội dung", "Điểm chuẩn"], None),
        (["STT/Mã", "Lĩnh vực/Tiêu chí/Tiêu chí thành phần", "Điểm tối đa", "Ghi chú"], None),
        (["TT", "Tiêu chí", "Điểm", "Ghi chú"], [None, None, "Tối đa", None]),
        (["Số TT", "Nội dung đánh giá", "Thang điểm"], ["(1)", "(2)", "(3)"]),
    ],
)
def test_headers_are_found_by_their_titles(header, sub_header):
    sheet = read_unit_framework(unit_xlsx(header=header, sub_header=sub_header))

    assert [row.code for row in sheet.rows] == [
        "1",
        "1.1",
        "1.2",
        "2",
        "2.1",
        "3",
        "3.1",
        "4",
        "4.1",
    ]
    assert sheet.maximum() == Decimal(10)


def test_header_below_many_title_lines_and_figures_typed_as_text():
    rows = [
        ["1", "CÔNG TÁC CHỈ ĐẠO", "6"],
        ["1.1.", "Kế hoạch", "4,5"],
        ["1.2", "Báo cáo", "1.5"],
        [None, None, None],
        ["2", "Điểm trừ", "−2"],
        ["2.1", "Trễ hạn", "- 2"],
    ]

    sheet = read_unit_framework(unit_xlsx(rows, title_lines=True))

    assert [(row.code, row.max_score, row.kind) for row in sheet.rows] == [
        ("1", Decimal(6), "regular"),
        ("1.1", Decimal("4.5"), "regular"),
        ("1.2", Decimal("1.5"), "regular"),
        ("2", Decimal(2), "penalty"),
        ("2.1", Decimal(2), "penalty"),
    ]


def test_kind_column_marks_bonus_and_penalty_areas_whatever_their_titles():
    rows = [
        [1, "Chỉ đạo, điều hành", 10, None],
        [1.1, "Kế hoạch", 10, "Chấm điểm"],
        [2, "Sáng kiến", 1, "Điểm thưởng"],
        [2.1, "Sáng kiến được công nhận", 1, None],
        [3, "Vi phạm", 1, "Trừ"],
        [3.1, "Trễ hạn", 1, "điểm trừ"],
    ]

    sheet = read_unit_framework(unit_xlsx(rows, header=[*HEADER_WITH_KIND]))

    assert [row.kind for row in sheet.rows] == [
        "regular",
        "regular",
        "bonus",
        "bonus",
        "penalty",
        "penalty",
    ]


HEADER_WITH_KIND = ["STT", "Lĩnh vực, tiêu chí, tiêu chí thành phần", "Điểm tối đa", "Loại"]


def test_section_lines_mark_the_areas_below_them():
    rows = [
        ["A", "TIÊU CHÍ CHẤM ĐIỂM", 10],
        [1, "Chỉ đạo, điều hành", 10],
        ["B", "ĐIỂM THƯỞNG", 1],
        [2, "Sáng kiến CCHC", 1],
        ["C.", "ĐIỂM TRỪ", 1],
        [3, "Vi phạm kỷ luật", 1],
    ]

    sheet = read_unit_framework(unit_xlsx(rows))

    assert [(row.code, row.kind) for row in sheet.rows] == [
        ("1", "regular"),
        ("2", "bonus"),
        ("3", "penalty"),
    ]


def test_a_total_row_that_states_the_maximum_is_checked_against_the_regular_areas():
    good = read_unit_framework(unit_xlsx(total=["TỔNG ĐIỂM", None, 10]))

    problems = problems_of(unit_xlsx(total=["TỔNG ĐIỂM", None, 12]))

    assert good.maximum() == Decimal(10)
    assert problems == [
        f"Dòng {line_of(4.1) + 1}, cột “Điểm tối đa”: tổng điểm ghi 12 nhưng tổng điểm tối đa "
        "của các lĩnh vực chấm điểm (không kể điểm thưởng, điểm trừ) là 10."
    ]


def test_parent_not_the_sum_of_its_children_is_a_warning():
    sheet = read_unit_framework(unit_xlsx(replaced(1, 2, 7)))

    assert sheet.warnings == ["1 · Điểm tối đa: ghi 7 nhưng tổng các dòng con là 6."]


# -- Row errors --------------------------------------------------------------------------


def test_bad_cells_are_named_by_row_and_column_in_vietnamese():
    rows = replaced(1.1, 2, "bốn")
    rows = replaced(2.1, 2, -1, rows)
    rows = replaced(3.1, 1, None, rows)

    problems = problems_of(unit_xlsx(rows))

    assert problems == [
        f"Dòng {line_of(1.1)}, cột “Điểm tối đa”: “bốn” không phải là số (viết ví dụ 7,5 "
        "hoặc 7.5).",
        f"Dòng {line_of(2.1)}, cột “Điểm tối đa”: Điểm không được âm (-1).",
        f"Dòng {line_of(3.1)}, cột “Lĩnh vực, tiêu chí, tiêu chí thành phần”: thiếu nội dung.",
    ]


def test_tree_errors_name_row_and_column():
    rows = [*ROWS, [2.1, "Trùng mã", 1], ["5.1", "Không có lĩnh vực", 1], ["x9", "Sai mã", 1]]

    problems = problems_of(unit_xlsx(rows))

    last = line_of(4.1) + 1
    assert problems == [
        f"Dòng {last + 2}, cột “STT”: “x9” không phải là mã tiêu chí (ví dụ 1, 2.1, 3.4.1 "
        "hoặc I, II).",
        f"Dòng {last}, cột “STT”: mã “2.1” bị trùng với dòng {line_of(2.1)}.",
        f"Dòng {last + 1}, cột “STT”: mã “5.1” không có dòng cha “5”.",
    ]


def test_kind_errors_name_row_and_column():
    rows = [
        [1, "Chỉ đạo, điều hành", 10, None],
        [1.1, "Kế hoạch", 10, "Điểm thưởng"],
        [2, "ĐIỂM THƯỞNG", 1, "Điểm trừ"],
        [2.1, "Sáng kiến", 1, "khác"],
    ]

    problems = problems_of(unit_xlsx(rows, header=HEADER_WITH_KIND))

    assert problems == [
        "Dòng 6, cột “Loại”: tiêu chí 1.1 ghi “Điểm thưởng” nhưng thuộc 1 là “Tiêu chí chấm điểm”.",
        "Dòng 7, cột “Loại”: ghi “Điểm trừ” nhưng tên lĩnh vực là điểm thưởng.",
        "Dòng 8, cột “Loại”: “khác” không phải là loại tiêu chí (để trống hoặc ghi “Chấm "
        "điểm”, “Điểm thưởng”, “Điểm trừ”).",
    ]


def test_missing_columns_and_missing_table_are_said():
    no_maximum = problems_of(unit_xlsx(header=["STT", "Nội dung", "Ghi chú"]))
    no_table = problems_of(unit_xlsx(header=["A", "B", "C"]))

    assert no_maximum == ["Dòng tiêu đề (dòng 4) thiếu cột bắt buộc “Điểm tối đa”."]
    assert no_table[0].startswith("Không tìm thấy bảng tiêu chí")


def test_a_sheet_past_the_row_limit_is_refused(settings):
    settings.APPENDIX_MAX_ROWS = 20
    rows = ROWS + [[f"2.{n}", "Tiêu chí", 0] for n in range(2, 30)]

    problems = problems_of(unit_xlsx(rows))

    assert problems == [
        "Trang tính “Bộ chỉ số” có hơn 20 dòng, quá giới hạn của một bộ chỉ số (một bộ chỉ số "
        "chỉ có vài trăm dòng). Hãy xóa các dòng thừa bên dưới bảng, lưu lại rồi nhập lại."
    ]


def test_a_file_that_is_not_xlsx_is_refused():
    problems = problems_of(b"STT;Noi dung;Diem\n1;A;10\n")

    assert problems[0].startswith("Tệp không phải là tệp Excel .xlsx")


# -- All or nothing, and imports again ---------------------------------------------------


def test_a_bad_row_writes_nothing():
    with pytest.raises(AppendixError):
        import_unit_framework(
            sheet=read_unit_framework(unit_xlsx(replaced(2.1, 2, "?"))), **DEPARTMENT
        )

    assert not Framework.objects.exists()
    assert not Criterion.objects.exists()


def test_dry_run_reports_and_writes_nothing():
    report = import_unit_framework(
        sheet=read_unit_framework(unit_xlsx()), dry_run=True, **DEPARTMENT
    )

    assert report.is_new
    assert len(report.created) == len(ROWS)
    assert not Framework.objects.exists()


def test_importing_again_changes_only_what_changed():
    import_unit_framework(sheet=read_unit_framework(unit_xlsx()), **DEPARTMENT)
    same = import_unit_framework(sheet=read_unit_framework(unit_xlsx()), **DEPARTMENT)
    rows = replaced(1.2, 1, "Báo cáo CCHC định kỳ", replaced(3.1, 2, 1.5, replaced(3, 2, 1.5)))

    revised = import_unit_framework(sheet=read_unit_framework(unit_xlsx(rows)), **DEPARTMENT)

    assert (same.created, same.changes, same.unchanged) == ([], [], len(ROWS))
    assert [str(change) for change in revised.changes] == [
        "1.2 · Nội dung: Báo cáo CCHC → Báo cáo CCHC định kỳ",
        "3 · Điểm tối đa: 2 → 1,5",
        "3.1 · Điểm tối đa: 2 → 1,5",
    ]
    assert Criterion.objects.get(code="3.1").max_score == Decimal("1.5")
    assert Framework.objects.get().max_score == Decimal(10)  # bonus is not in the maximum


def test_a_file_without_an_existing_criterion_is_refused_whole():
    import_unit_framework(sheet=read_unit_framework(unit_xlsx()), **DEPARTMENT)
    rows = [row for row in replaced(1.1, 2, 3) if row[0] != 1.2]

    with pytest.raises(AppendixError, match="Tệp thiếu các tiêu chí đã có .*: 1.2\\."):
        import_unit_framework(sheet=read_unit_framework(unit_xlsx(rows)), **DEPARTMENT)

    assert Criterion.objects.get(code="1.1").max_score == Decimal(4)


def test_another_framework_for_the_same_unit_type_and_year_is_refused():
    import_unit_framework(sheet=read_unit_framework(unit_xlsx()), **DEPARTMENT)
    sheet = read_unit_framework(unit_xlsx())

    with pytest.raises(AppendixError, match="đã có bộ chỉ số QĐ CCHC sở 2020 cho Sở, ban"):
        import_unit_framework(sheet=sheet, **(DEPARTMENT | {"code": "Khác", "first_year": 2019}))
    import_unit_framework(sheet=sheet, **(DEPARTMENT | {"code": "Huyện", "unit_type": "district"}))

    assert Framework.objects.count() == 2


def test_the_national_framework_cannot_be_overwritten_by_a_unit_framework():
    Framework.objects.create(code="QĐ 2948/QĐ-BNV", name="Đề án", first_year=2017)

    with pytest.raises(AppendixError, match="là bộ chỉ số của Bộ Nội vụ đánh giá tỉnh"):
        import_unit_framework(
            sheet=read_unit_framework(unit_xlsx()), **(DEPARTMENT | {"code": "QĐ 2948/QĐ-BNV"})
        )

    assert not Criterion.objects.exists()


def test_an_existing_framework_keeps_its_unit_type_and_years():
    import_unit_framework(sheet=read_unit_framework(unit_xlsx()), **DEPARTMENT)
    sheet = read_unit_framework(unit_xlsx())

    with pytest.raises(AppendixError, match="đã có và áp dụng cho Sở, ban, ngành tỉnh"):
        import_unit_framework(sheet=sheet, **(DEPARTMENT | {"unit_type": "commune"}))
    with pytest.raises(AppendixError, match="đã có và áp dụng từ năm 2020 đến năm …"):
        import_unit_framework(sheet=sheet, **(DEPARTMENT | {"last_year": 2021}))


# -- The command -------------------------------------------------------------------------


def test_command_dry_run_then_import(tmp_path):
    out = io.StringIO()
    args = [str(DEPARTMENTS_FILE), "--type", "department", "--year", "2020", "--code", "SBN-2020"]

    call_command("import_unit_framework", *args, "--dry-run", stdout=out)
    assert not Framework.objects.exists()
    call_command("import_unit_framework", *args, stdout=out)

    framework = Framework.objects.get(code="SBN-2020")
    assert framework.name == "Bộ chỉ số CCHC Sở, ban, ngành tỉnh năm 2020"
    assert framework.criteria.count() == 45
    assert out.getvalue().splitlines() == [
        "(chạy thử, không ghi) Bộ chỉ số SBN-2020: 45 tiêu chí mới, 0 tiêu chí thay đổi, 0 tiêu "
        "chí không đổi; điểm tối đa 100, điểm thưởng tối đa 3, điểm trừ tối đa 5.",
        "Bộ chỉ số SBN-2020: 45 tiêu chí mới, 0 tiêu chí thay đổi, 0 tiêu chí không đổi; "
        "điểm tối đa 100, điểm thưởng tối đa 3, điểm trừ tối đa 5.",
    ]


def test_command_reports_row_errors_on_stderr_and_fails(tmp_path):
    path = tmp_path / "bo-chi-so.xlsx"
    path.write_bytes(unit_xlsx(replaced(2.1, 2, "abc")))
    err = io.StringIO()

    with pytest.raises(CommandError, match="Không nhập: 1 lỗi"):
        call_command(
            "import_unit_framework",
            str(path),
            "--type",
            "district",
            "--year",
            "2020",
            "--code",
            "H-2020",
            stderr=err,
        )

    assert f"Dòng {line_of(2.1)}, cột “Điểm tối đa”" in err.getvalue()
    assert not Framework.objects.exists()
