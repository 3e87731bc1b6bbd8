"""The database itself refuses impossible scores and targets, on SQLite and PostgreSQL."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from criteria.models import Criterion, Framework, Plan, Score, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def criterion() -> Criterion:
    framework = Framework.objects.create(code="QĐ 2948/QĐ-BNV", name="Đề án", first_year=2017)
    return Criterion.objects.create(
        framework=framework, code="1.1", title="Kế hoạch CCHC", max_score=Decimal("1.5")
    )


@pytest.fixture
def plan(criterion: Criterion) -> Plan:
    return Plan.objects.create(
        number="252/KH-UBND",
        title="Kế hoạch",
        issued_on=datetime.date(2018, 9, 19),
        province="Tiền Giang",
        framework=criterion.framework,
        baseline_year=2017,
        first_year=2018,
        last_year=2020,
    )


def test_score_at_maximum_is_accepted(criterion):
    Score.objects.create(
        criterion=criterion, year=2018, kind=Score.Kind.OFFICIAL, value=Decimal("1.5")
    )

    assert Score.objects.get().value == Decimal("1.5")


def test_score_above_maximum_is_refused_by_the_database(criterion):
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(
            criterion=criterion, year=2018, kind=Score.Kind.OFFICIAL, value=Decimal("1.51")
        )

    assert not Score.objects.exists()


def test_score_raised_above_maximum_by_update_is_refused(criterion):
    score = Score.objects.create(
        criterion=criterion, year=2018, kind=Score.Kind.SELF, value=Decimal("1")
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.filter(pk=score.pk).update(value=Decimal("2"))

    score.refresh_from_db()
    assert score.value == Decimal("1")


def test_negative_score_is_refused(criterion):
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(
            criterion=criterion, year=2018, kind=Score.Kind.SELF, value=Decimal("-0.5")
        )

    assert not Score.objects.exists()


def test_second_score_of_same_kind_and_year_is_refused(criterion):
    Score.objects.create(criterion=criterion, year=2018, kind=Score.Kind.SELF, value=Decimal("1"))

    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(
            criterion=criterion, year=2018, kind=Score.Kind.SELF, value=Decimal("0.5")
        )

    assert Score.objects.count() == 1


def test_target_with_min_above_max_is_refused(plan, criterion):
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(
            plan=plan,
            criterion=criterion,
            first_year=2018,
            last_year=2018,
            min_score=Decimal("1.5"),
            max_score=Decimal("1"),
        )

    assert not Target.objects.exists()


def test_target_above_criterion_maximum_is_refused(plan, criterion):
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(
            plan=plan,
            criterion=criterion,
            first_year=2018,
            last_year=2018,
            min_score=Decimal("1"),
            max_score=Decimal("2"),
        )

    assert not Target.objects.exists()


def test_total_target_may_exceed_any_single_criterion(plan):
    Target.objects.create(
        plan=plan,
        criterion=None,
        first_year=2018,
        last_year=2018,
        min_score=Decimal("89.2"),
        max_score=Decimal("93.1"),
    )

    assert Target.objects.totals().get().max_score == Decimal("93.1")


def test_duplicate_code_in_a_framework_is_refused(criterion):
    with pytest.raises(IntegrityError), transaction.atomic():
        Criterion.objects.create(
            framework=criterion.framework, code="1.1", title="Bản sao", max_score=1
        )

    assert Criterion.objects.count() == 1


def test_codes_sort_numerically(criterion):
    for code in ["1.10", "1.9", "1.2"]:
        Criterion.objects.create(framework=criterion.framework, code=code, title=code, max_score=1)

    codes = list(Criterion.objects.for_tree().values_list("code", flat=True))

    assert codes == ["1.1", "1.2", "1.9", "1.10"]
    assert Criterion.objects.get(code="1.10").level == 2


@pytest.mark.parametrize("code", ["10000", "1.2345", "1a", "1..2", ""])
def test_admin_refuses_a_code_the_appendix_could_not_hold(admin_client, criterion, code):
    response = admin_client.post(
        reverse("admin:criteria_criterion_add"),
        {
            "framework": criterion.framework_id,
            "parent": "",
            "code": code,
            "title": "Lĩnh vực thêm",
            "max_score": "10",
            "is_survey": "",
            "kind": "regular",
        },
    )

    assert response.status_code == 200  # the form again, with its error
    if code:
        assert "Mã tiêu chí là các số tối đa 3 chữ số" in response.text
    assert list(Criterion.objects.values_list("code", flat=True)) == ["1.1"]


def test_admin_accepts_an_appendix_code(admin_client, criterion):
    response = admin_client.post(
        reverse("admin:criteria_criterion_add"),
        {
            "framework": criterion.framework_id,
            "parent": "",
            "code": "10",
            "title": "Lĩnh vực thêm",
            "max_score": "10",
            "is_survey": "",
            "kind": "regular",
        },
    )

    assert response.status_code == 302
    assert Criterion.objects.filter(code="10").exists()
