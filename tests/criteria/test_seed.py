"""The seed plan 252/KH-UBND: its appendix imports whole, and its own inconsistencies show."""

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Sum

from criteria.importers import read_appendix
from criteria.layout import AppendixTable
from criteria.models import Criterion, IndexResult, Plan, Score, Target
from criteria.services import import_appendix

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SEED_XLSX = FIXTURES / "appendix_252_KH-UBND.xlsx"

# Parents whose stated figure differs from the sum of their children in the printed
# appendix, worked out by hand from the seed text (e.g. 6.2: 0 + 0 + 1 = 1, printed 2).
SEED_MISMATCHES = {
    ("3.4", "Điểm đạt được năm 2017", Decimal("1.99"), Decimal("1.98")),
    ("4", "Mục tiêu năm 2019 - 2020 (cận dưới)", Decimal(10), Decimal("10.5")),
    ("4.1", "Mục tiêu năm 2019 - 2020 (cận dưới)", Decimal("2.5"), Decimal(2)),
    ("5.5", "Mục tiêu năm 2018 (cận dưới)", Decimal(1), Decimal("0.75")),
    ("5.5", "Mục tiêu năm 2018 (cận trên)", Decimal(1), Decimal("0.75")),
    ("5.5", "Mục tiêu năm 2019 - 2020 (cận dưới)", Decimal(1), Decimal("0.75")),
    ("5.5", "Mục tiêu năm 2019 - 2020 (cận trên)", Decimal(1), Decimal("0.75")),
    ("6.2", "Điểm đạt được năm 2017", Decimal(2), Decimal(1)),
    ("", "Mục tiêu năm 2019 - 2020 (cận dưới)", Decimal("93.1"), Decimal("95.1")),
}


@pytest.fixture
def seed_plan() -> Plan:
    call_command("loaddata", FIXTURES / "seed_plan.json", verbosity=0)
    return Plan.objects.select_related("framework").get(number="252/KH-UBND")


@pytest.fixture
def imported(seed_plan: Plan) -> Plan:
    call_command("import_appendix", str(SEED_XLSX), stdout=io.StringIO(), stderr=io.StringIO())
    return seed_plan


def test_seed_appendix_gives_8_areas_38_criteria_61_sub_criteria(imported):
    levels = [Criterion.objects.filter(level=level).count() for level in (1, 2, 3)]

    assert levels == [8, 38, 61]
    assert Criterion.objects.leaves().count() == 76
    assert Criterion.objects.get(code="3.4.1").parent.code == "3.4"
    assert Criterion.objects.get(code="3.4").parent.code == "3"
    assert not Criterion.objects.filter(level__gt=1, parent__isnull=True).exists()


def test_seed_totals_match_the_printed_total_row(imported):
    areas = Criterion.objects.areas().aggregate(total=Sum("max_score"))["total"]

    assert areas == Decimal(100)
    assert IndexResult.objects.get(province="Tiền Giang", year=2017).total == Decimal("73.64")
    baseline = Score.objects.filter(criterion__level=1, year=2017).aggregate(total=Sum("value"))
    assert baseline["total"] == Decimal("73.64")


def test_seed_targets_span_2018_and_2019_to_2020(imported):
    total_2018, total_2019 = Target.objects.totals().filter(plan=imported).order_by("first_year")

    assert (total_2018.min_score, total_2018.max_score) == (Decimal("89.2"), Decimal("93.1"))
    assert (total_2019.first_year, total_2019.last_year) == (2019, 2020)
    target = Target.objects.get(criterion__code="4.1.2", first_year=2019)
    assert (target.min_score, target.max_score) == (Decimal(1), Decimal("1.5"))


def test_seed_survey_rows_are_marked(imported):
    survey = set(Criterion.objects.filter(is_survey=True).values_list("code", flat=True))

    assert survey == {"2.4", "4.4", "5.8", "5.9", "6.3", "7.5", "8.1"}


def test_check_plan_lists_every_inconsistency_of_the_seed(imported, capsys):
    with pytest.raises(CommandError) as exited:
        call_command("check_plan", "--plan", "252/KH-UBND")

    output = capsys.readouterr().out
    assert exited.value.returncode == 1
    for code, column, _stated, _sum in SEED_MISMATCHES:
        assert column in output
        assert (code or "TỔNG ĐIỂM") in output


def test_import_of_the_seed_warns_of_each_inconsistency(seed_plan):
    from criteria.consistency import find_mismatches

    table = read_appendix(SEED_XLSX.read_bytes())

    found = {(m.code, m.column, m.stated, m.children_sum) for m in find_mismatches(table)}
    report = import_appendix(table=table, plan=seed_plan, dry_run=True)
    assert found == SEED_MISMATCHES
    assert len([w for w in report.warnings if "tổng các dòng con" in w]) == len(SEED_MISMATCHES)


def test_export_of_the_imported_seed_imports_back_with_no_change(imported, tmp_path):
    out = tmp_path / "xuat.xlsx"
    call_command("export_appendix", str(out), stdout=io.StringIO())

    report = import_appendix(table=read_appendix(out.read_bytes()), plan=imported, dry_run=True)

    assert not report.has_changes
    assert report.unchanged == 108


def office_copy() -> bytes:
    """The seed as an office might retype it: numbers for codes, commas, en dashes, gaps."""
    book = openpyxl.load_workbook(SEED_XLSX)
    sheet = book.active
    sheet.delete_rows(1, 4)  # no title lines
    for row in sheet.iter_rows(min_row=3):
        code = row[0].value
        if isinstance(code, str) and code.count(".") <= 1 and code[0].isdigit():
            row[0].value = int(code) if "." not in code else float(code)
        for cell in row[2:6]:
            if isinstance(cell.value, float):
                cell.value = str(cell.value).replace(".", ",")
            elif isinstance(cell.value, str) and " - " in cell.value:
                cell.value = cell.value.replace(" - ", " – ").replace(".", ",")
    sheet.insert_rows(20)  # a blank spacer row inside the table
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_office_copy_of_the_seed_imports_to_the_same_tree_and_targets(imported):
    before = AppendixTable.from_plan(imported)

    report = import_appendix(table=read_appendix(office_copy()), plan=imported, dry_run=True)

    assert not report.has_changes, [str(change) for change in report.changes]
    assert len(before.criteria_rows) == 107
