"""A unit's total under its framework: bonus above the maximum, penalty below, the scaling
of an exempt unit, the classification bands; the national framework as it was."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from criteria.importers import read_appendix
from criteria.models import Criterion, Framework, Plan, UnitBand, classify
from criteria.services import import_appendix
from tests.criteria.sheets import appendix_xlsx

pytestmark = pytest.mark.django_db


def unit_framework(**fields) -> Framework:
    return Framework.objects.create(
        **{
            "code": "QĐ CCHC ngành dọc 2020",
            "name": "Bộ chỉ số ngành dọc",
            "unit_type": Framework.UnitType.BRANCH,
            "first_year": 2020,
            "max_score": Decimal(100),
        }
        | fields
    )


def test_bonus_takes_a_total_above_the_maximum():
    framework = unit_framework()

    # Cục Thuế tỉnh, 2020: 102,50 with its bonus points.
    total = framework.unit_total(regular=Decimal("97.5"), bonus=Decimal("5"))

    assert total == Decimal("102.50")
    assert total > framework.max_score


def test_penalty_is_subtracted():
    framework = unit_framework()

    total = framework.unit_total(regular=Decimal(90), bonus=Decimal(1), penalty=Decimal(3))

    assert total == Decimal(88)


def test_an_exempt_units_regular_points_are_scaled_to_the_maximum_but_not_its_bonus():
    framework = unit_framework()

    # Exempt from an area worth 14: 80 of the 86 that apply is 93,02 of 100, plus 2.
    total = framework.unit_total(
        regular=Decimal(80), bonus=Decimal(2), applicable_maximum=Decimal(86)
    )

    assert total == Decimal("95.02")
    assert framework.unit_total(regular=Decimal(80), applicable_maximum=Decimal(100)) == 80


def test_classification_takes_the_highest_band_reached():
    for name, low in [("Tốt", 90), ("Khá", 80), ("Trung bình", 70), ("Yếu", 0)]:
        UnitBand.objects.create(year=2020, unit_type="district", name=name, min_score=low)
    UnitBand.objects.create(year=2021, unit_type="district", name="Xuất sắc", min_score=95)
    bands = list(UnitBand.objects.for_unit("district", 2020))

    names = [classify(Decimal(value), bands).name for value in ("100.14", "90", "89.99", "12")]

    assert names == ["Tốt", "Tốt", "Khá", "Yếu"]
    assert classify(Decimal(50), []) is None


def test_the_framework_of_a_unit_type_in_a_year():
    old = unit_framework(code="2019", first_year=2017, last_year=2019)
    new = unit_framework(code="2020", first_year=2020)
    Framework.objects.create(code="QĐ 2948/QĐ-BNV", name="Đề án", first_year=2017)

    found = [Framework.objects.for_unit("branch", year) for year in (2016, 2018, 2020, 2030)]

    assert found == [None, old, new, new]
    assert Framework.objects.for_unit("district", 2020) is None
    assert list(Framework.objects.national().values_list("code", flat=True)) == ["QĐ 2948/QĐ-BNV"]


def test_a_child_must_be_of_its_areas_kind():
    framework = unit_framework()
    area = Criterion.objects.create(
        framework=framework, code="7", title="Điểm thưởng", max_score=5, kind="bonus"
    )
    child = Criterion(framework=framework, parent=area, code="7.1", title="Sáng kiến", max_score=5)

    with pytest.raises(ValidationError, match="phải cùng loại với tiêu chí cha 7"):
        child.full_clean()


def test_the_appendix_import_leaves_the_national_framework_as_it_was():
    plan = Plan.objects.create(
        number="252/KH-UBND",
        title="Kế hoạch",
        issued_on=datetime.date(2018, 9, 19),
        province="Tiền Giang",
        framework=Framework.objects.create(code="QĐ 2948/QĐ-BNV", name="Đề án", first_year=2017),
        baseline_year=2017,
        first_year=2018,
        last_year=2020,
    )

    import_appendix(table=read_appendix(appendix_xlsx()), plan=plan)

    framework = Framework.objects.get()
    assert framework.unit_type == ""
    assert not framework.is_unit_framework
    assert framework.exemption_scaling == "proportional"
    assert set(Criterion.objects.values_list("kind", flat=True)) == {"regular"}
    assert framework.max_score == Decimal(20)
