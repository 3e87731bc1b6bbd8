"""The units' criteria related to the national index's sub-criteria (criteria.CriterionLink):
read from the unit framework's .xlsx column, checked against the national framework of the
year, written whole or not at all; checked the same way in the admin."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from criteria.importers import AppendixError, read_appendix
from criteria.models import Criterion, CriterionLink, Framework
from criteria.unit_frameworks import import_unit_framework, read_unit_framework
from tests.criteria.unit_sheets import DEPARTMENTS_FILE, DISTRICTS_FILE, unit_xlsx

APPENDIX = Path(settings.BASE_DIR) / "fixtures" / "appendix_252_KH-UBND.xlsx"

pytestmark = pytest.mark.django_db

RELATED = "Tiêu chí thành phần Bộ chỉ số tỉnh liên quan"
HEADER = ["STT", "Lĩnh vực, tiêu chí, tiêu chí thành phần", "Điểm tối đa", RELATED]
TITLE_LINES = 3
ROWS = [
    [1, "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC", 6, None],
    [1.1, "Kế hoạch CCHC năm", 4, "1.1.1"],
    [1.2, "Báo cáo CCHC", 2, "1.2; 2.1.1"],
    [2, "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", 4, None],
    [2.1, "Công khai TTHC", 4, 2.2],  # a single code typed as a number
    [3, "ĐIỂM THƯỞNG", 2, None],
    [3.1, "Sáng kiến CCHC được công nhận", 2, None],
]
UNITS = {
    "code": "QĐ CCHC sở 2020",
    "name": "Bộ chỉ số CCHC sở, ban, ngành năm 2020",
    "unit_type": Framework.UnitType.DEPARTMENT,
    "first_year": 2020,
}


def line(code) -> int:
    return TITLE_LINES + 2 + [row[0] for row in ROWS].index(code)


def with_cell(code, value, rows=ROWS) -> list[list]:
    return [[*row[:3], value] if row[0] == code else list(row) for row in rows]


@pytest.fixture
def national() -> Framework:
    """A national framework in force in 2020: 1 > 1.1 > 1.1.1; 1.2; 2 > 2.1 > 2.1.1; 2.2."""
    framework = Framework.objects.create(code="QĐ 2948/QĐ-BNV", name="Đề án", first_year=2017)
    parents: dict[str, Criterion] = {}
    for code in ("1", "1.1", "1.1.1", "1.2", "2", "2.1", "2.1.1", "2.2"):
        parents[code] = Criterion.objects.create(
            framework=framework,
            parent=parents.get(code.rpartition(".")[0]),
            code=code,
            title=f"Tiêu chí {code}",
            max_score=1,
        )
    return framework


def links(framework_code: str = UNITS["code"]) -> set[tuple[str, str]]:
    return set(
        CriterionLink.objects.filter(unit_criterion__framework__code=framework_code).values_list(
            "unit_criterion__code", "national_criterion__code"
        )
    )


def import_rows(rows, **options):
    sheet = read_unit_framework(unit_xlsx(rows, header=HEADER))
    return import_unit_framework(sheet=sheet, **UNITS, **options)


def test_the_column_relates_each_criterion_to_national_sub_criteria(national):
    report = import_rows(ROWS)

    assert links() == {("1.1", "1.1.1"), ("1.2", "1.2"), ("1.2", "2.1.1"), ("2.1", "2.2")}
    assert report.warnings == []


def test_unknown_and_parent_codes_are_refused_whole_naming_row_and_column(national):
    rows = with_cell(2.1, "9.9", with_cell(1.2, "1.2; 2.1"))

    with pytest.raises(AppendixError) as raised:
        import_rows(rows)

    assert raised.value.problems == [
        f"Dòng {line(1.2)}, cột “{RELATED}”: tiêu chí 2.1 của bộ chỉ số QĐ 2948/QĐ-BNV có "
        "tiêu chí thành phần; hãy ghi mã tiêu chí thành phần (ví dụ 2.1.1).",
        f"Dòng {line(2.1)}, cột “{RELATED}”: không có tiêu chí 9.9 trong bộ chỉ số QĐ 2948/QĐ-BNV.",
    ]
    assert not Framework.objects.filter(code=UNITS["code"]).exists()
    assert not CriterionLink.objects.exists()


def test_bad_codes_and_links_from_parents_or_bonus_are_read_errors():
    rows = with_cell(1.1, "3.4.1; ba", with_cell(1, "1.1", with_cell(3.1, "1.2")))

    with pytest.raises(AppendixError) as raised:
        read_unit_framework(unit_xlsx(rows, header=HEADER))

    where = f"cột “{RELATED}”"
    assert raised.value.problems == [
        f"Dòng {line(1.1)}, {where}: “ba” không phải là mã tiêu chí thành phần của Bộ chỉ số "
        "tỉnh (ví dụ 3.4.1; ghi nhiều mã cách nhau bởi dấu chấm phẩy).",
        f"Dòng {line(1)}, {where}: chỉ ghi tiêu chí liên quan ở tiêu chí chấm điểm không có "
        "tiêu chí con; 1 có tiêu chí con.",
        f"Dòng {line(3.1)}, {where}: chỉ ghi tiêu chí liên quan ở tiêu chí chấm điểm không có "
        "tiêu chí con; 3.1 là điểm thưởng.",
    ]


def test_importing_again_replaces_the_mapping_and_reports_it(national):
    import_rows(ROWS)

    report = import_rows(with_cell(1.2, "2.1.1", with_cell(1.1, None)))

    assert links() == {("1.2", "2.1.1"), ("2.1", "2.2")}
    assert [str(change) for change in report.changes] == [
        f"1.1 · {RELATED}: 1.1.1 → ",
        f"1.2 · {RELATED}: 1.2; 2.1.1 → 2.1.1",
    ]
    assert report.updated == ["1.1", "1.2"]
    # The criteria themselves are unchanged: no history row written for them.
    assert Criterion.history.filter(code="1.1", framework__code=UNITS["code"]).count() == 1


def test_a_dry_run_checks_the_codes_and_writes_no_link(national):
    import_rows(ROWS)

    report = import_rows(with_cell(1.1, "2.2"), dry_run=True)

    assert [str(change) for change in report.changes] == [f"1.1 · {RELATED}: 1.1.1 → 2.2"]
    assert ("1.1", "1.1.1") in links()


def test_without_a_national_framework_the_criteria_are_imported_and_the_reader_told():
    report = import_rows(ROWS)

    assert Framework.objects.get(code=UNITS["code"]).criteria.count() == len(ROWS)
    assert not CriterionLink.objects.exists()
    assert report.warnings == [
        "Chưa có bộ chỉ số của Bộ Nội vụ áp dụng năm 2020: chưa ghi các tiêu chí liên quan của "
        f"cột “{RELATED}”; hãy nhập lại tệp sau khi có bộ chỉ số đó."
    ]


def test_the_example_files_relate_to_the_seed_national_framework():
    """The departments' and districts' example files name sub-criteria of the seed plan's
    appendix (QĐ 2948/QĐ-BNV), every one of which exists and has no children."""
    seed = Framework.objects.create(code="QĐ 2948/QĐ-BNV", name="Đề án", first_year=2017)
    created: dict[str, Criterion] = {}
    for row in read_appendix(APPENDIX.read_bytes()).rows:
        if row.code:
            created[row.code] = Criterion.objects.create(
                framework=seed,
                parent=created.get(row.code.rpartition(".")[0]),
                code=row.code,
                title=row.title,
                max_score=row.max_score,
            )

    for path, unit_type in ((DEPARTMENTS_FILE, "department"), (DISTRICTS_FILE, "district")):
        import_unit_framework(
            sheet=read_unit_framework(path.read_bytes()),
            code=f"{unit_type}-2020",
            name=unit_type,
            unit_type=unit_type,
            first_year=2020,
        )

    assert ("3.4", "3.4.1") in links("department-2020")
    assert ("3.3.1", "3.4.2") in links("district-2020")
    assert len(links("department-2020")) == 34
    assert len(links("district-2020")) == 31


# -- The model's own check (the admin) ---------------------------------------------------


def _link_error(unit: Criterion, national: Criterion) -> str:
    with pytest.raises(ValidationError) as raised:
        CriterionLink(unit_criterion=unit, national_criterion=national).full_clean()
    return " ".join(raised.value.messages)


def test_a_link_goes_from_a_scored_unit_leaf_to_a_national_leaf(national):
    import_rows([[*row[:3], None] for row in ROWS])
    unit = Framework.objects.get(code=UNITS["code"])
    leaf, area, bonus = (unit.criteria.get(code=code) for code in ("1.1", "1", "3.1"))
    national_leaf = national.criteria.get(code="1.1.1")

    CriterionLink(unit_criterion=leaf, national_criterion=national_leaf).full_clean()
    assert "có tiêu chí con" in _link_error(area, national_leaf)
    assert "là điểm thưởng" in _link_error(bonus, national_leaf)
    assert "có tiêu chí thành phần" in _link_error(leaf, national.criteria.get(code="1.1"))
    assert "bộ chỉ số đơn vị" in _link_error(leaf, unit.criteria.get(code="2.1"))
    assert "của Bộ Nội vụ" in _link_error(national_leaf, national.criteria.get(code="2.2"))


def test_a_link_to_a_national_framework_of_other_years_is_refused(national):
    import_rows([[*row[:3], None] for row in ROWS])
    later = Framework.objects.create(code="QĐ 876/QĐ-BNV", name="Đề án mới", first_year=2023)
    sub = Criterion.objects.create(framework=later, code="1", title="Lĩnh vực", max_score=1)
    leaf = Framework.objects.get(code=UNITS["code"]).criteria.get(code="1.1")

    assert _link_error(leaf, sub) == (
        "Bộ chỉ số QĐ 876/QĐ-BNV không áp dụng năm 2020, năm đầu của bộ chỉ số QĐ CCHC sở 2020."
    )
