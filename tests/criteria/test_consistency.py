"""find_mismatches: each parent row of an appendix against the sum of its children."""

import datetime
import io
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from assignments.models import AgencyGroup, Responsibility
from criteria.consistency import Mismatch, find_mismatches
from criteria.layout import AppendixRow, AppendixTable, YearSpan
from criteria.models import Criterion, Framework, IndexResult, Plan, Score, Target

D = Decimal
Y2018 = YearSpan(2018, 2018)
Y2019 = YearSpan(2019, 2020)


def row(
    code: str,
    max_score: str | None,
    baseline: str | None = None,
    targets: dict[YearSpan, tuple[str, str] | None] | None = None,
    *,
    is_total: bool = False,
) -> AppendixRow:
    return AppendixRow(
        excel_row=0,
        code=code,
        title=code or "TỔNG ĐIỂM",
        max_score=None if max_score is None else D(max_score),
        baseline=None if baseline is None else D(baseline),
        targets={
            span: None if pair is None else (D(pair[0]), D(pair[1]))
            for span, pair in (targets or {}).items()
        },
        is_total=is_total,
    )


def table(*rows: AppendixRow, spans: list[YearSpan] | None = None) -> AppendixTable:
    return AppendixTable(baseline_year=2017, target_spans=spans or [], rows=list(rows))


def test_parent_equal_to_its_children_gives_no_mismatch():
    consistent = table(
        row("1", "1.5", "1.25"),
        row("1.1", "0.5", "0.5"),
        row("1.2", "1.00", "0.75"),
        row("", "1.5", "1.25", is_total=True),
    )

    assert find_mismatches(consistent) == []


def test_parent_maximum_above_its_children_is_reported_with_both_values():
    inconsistent = table(
        row("1", "10"),
        row("1.1", "1.5"),
        row("1.2", "3"),
        row("1.2.1", "1"),
        row("1.2.2", "1.5"),
    )

    mismatches = find_mismatches(inconsistent)

    assert mismatches == [
        Mismatch("1", "Điểm chuẩn", D("10"), D("4.5")),
        Mismatch("1.2", "Điểm chuẩn", D("3"), D("2.5")),
    ]


def test_baseline_column_is_named_with_its_year():
    inconsistent = table(row("1", "2", "1.5"), row("1.1", "1", "1"), row("1.2", "1", "0.25"))

    (mismatch,) = find_mismatches(inconsistent)

    assert mismatch == Mismatch("1", "Điểm đạt được năm 2017", D("1.5"), D("1.25"))


def test_only_direct_children_are_summed():
    # 1.1 = 1.1.1 + 1.1.2, and 1 = 1.1 + 1.2: grandchildren must not be counted twice.
    consistent = table(
        row("1", "3"),
        row("1.1", "2"),
        row("1.1.1", "1"),
        row("1.1.2", "1"),
        row("1.2", "1"),
    )

    assert find_mismatches(consistent) == []


def test_code_prefix_without_dot_is_not_a_child():
    # "1.10" is a sibling of "1.1", not its child.
    consistent = table(row("1", "3"), row("1.1", "1"), row("1.10", "2"))

    assert find_mismatches(consistent) == []


def test_total_row_is_compared_with_the_areas():
    inconsistent = table(
        row("1", "10", "7.5"),
        row("2", "6.5", "4"),
        row("2.1", "6.5", "4"),
        row("", "100", "11.5", is_total=True),
    )

    mismatches = find_mismatches(inconsistent)

    assert mismatches == [Mismatch("", "Điểm chuẩn", D("100"), D("16.5"))]
    assert mismatches[0].label == "TỔNG ĐIỂM"


def test_target_range_is_checked_on_both_bounds():
    # 2018 adds up (1.6 + 2 = 3.6, 1.8 + 2.5 = 4.3); 2019-2020 does not (2 + 2 = 4, 2 + 2.5 = 4.5).
    inconsistent = table(
        row("7", "4.5", targets={Y2018: ("3.6", "4.3"), Y2019: ("3.5", "5")}),
        row("7.1", "2", targets={Y2018: ("1.6", "1.8"), Y2019: ("2", "2")}),
        row("7.2", "2.5", targets={Y2018: ("2", "2.5"), Y2019: ("2", "2.5")}),
        spans=[Y2018, Y2019],
    )

    mismatches = find_mismatches(inconsistent)

    assert mismatches == [
        Mismatch("7", "Mục tiêu năm 2019 - 2020 (cận dưới)", D("3.5"), D("4")),
        Mismatch("7", "Mục tiêu năm 2019 - 2020 (cận trên)", D("5"), D("4.5")),
    ]


def test_single_number_target_against_a_range_sum_reports_the_differing_bound():
    inconsistent = table(
        row("8", "3.5", targets={Y2018: ("2.5", "2.5")}),
        row("8.1", "1", targets={Y2018: ("0.5", "1")}),
        row("8.2", "2.5", targets={Y2018: ("2", "2")}),
        spans=[Y2018],
    )

    assert find_mismatches(inconsistent) == [
        Mismatch("8", "Mục tiêu năm 2018 (cận trên)", D("2.5"), D("3")),
    ]


def test_empty_parent_cell_is_not_compared():
    no_baseline = table(row("1", "2", None), row("1.1", "1", "1"), row("1.2", "1", "0.5"))

    assert find_mismatches(no_baseline) == []


def test_empty_child_cell_makes_the_sum_unknown_and_is_not_compared():
    # 1.2 has no baseline: the sum 1 + ? is not known, so 5 is not reported against 1.
    child_missing = table(
        row("1", "2", "5", targets={Y2018: ("2", "2")}),
        row("1.1", "1", "1", targets={Y2018: ("1", "1")}),
        row("1.2", "1", None, targets={Y2018: None}),
        spans=[Y2018],
    )

    assert find_mismatches(child_missing) == []


def test_rows_without_children_are_never_reported():
    leaves_only = table(row("1.1", "1", "0.5"), row("1.2", "3", "3"))

    assert find_mismatches(leaves_only) == []


def test_mismatches_follow_table_order_then_column_order():
    spans = [Y2018]
    inconsistent = table(
        row("1", "3", "3", targets={Y2018: ("3", "3")}),
        row("1.1", "1", "1", targets={Y2018: ("1", "1")}),
        row("2", "5", "1", targets={Y2018: ("1", "1")}),
        row("2.1", "1", "2", targets={Y2018: ("2", "2")}),
        row("", "9", "4", targets={Y2018: ("4", "4")}, is_total=True),
        spans=spans,
    )

    found = [(m.label, m.column) for m in find_mismatches(inconsistent)]

    assert found == [
        ("1", "Điểm chuẩn"),
        ("1", "Điểm đạt được năm 2017"),
        ("1", "Mục tiêu năm 2018 (cận dưới)"),
        ("1", "Mục tiêu năm 2018 (cận trên)"),
        ("2", "Điểm chuẩn"),
        ("2", "Điểm đạt được năm 2017"),
        ("2", "Mục tiêu năm 2018 (cận dưới)"),
        ("2", "Mục tiêu năm 2018 (cận trên)"),
        ("TỔNG ĐIỂM", "Điểm chuẩn"),
    ]


# The check_plan command, on plans built with the ORM.


@pytest.fixture
def build_plan() -> Callable[..., Plan]:
    """A plan on a one-area tree, area 1 = 1.1 + 1.2, with 2017 scores and 2018 targets.

    With the defaults every row adds up: maximum 2 = 1 + 1, 2017 score 1.5 = 1 + 0.5,
    target 2 = 1 + 1, and the total row (maximum 2, index 1.5, target 2) equals area 1.
    """

    def build(number: str, *, area_max: str = "2", area_baseline: str = "1.5") -> Plan:
        framework = Framework.objects.create(
            code=f"Bộ chỉ số của {number}", name="Đề án", first_year=2017, max_score=D("2")
        )
        plan = Plan.objects.create(
            number=number,
            title="Kế hoạch nâng cao Chỉ số CCHC",
            issued_on=datetime.date(2018, 9, 19),
            province=f"Tỉnh của {number}",
            framework=framework,
            baseline_year=2017,
            first_year=2018,
            last_year=2018,
        )
        IndexResult.objects.create(province=plan.province, year=2017, total=D("1.5"))
        Target.objects.create(
            plan=plan, first_year=2018, last_year=2018, min_score=D("2"), max_score=D("2")
        )
        for code, max_score, baseline, target in [
            ("1", area_max, area_baseline, "2"),
            ("1.1", "1", "1", "1"),
            ("1.2", "1", "0.5", "1"),
        ]:
            criterion = Criterion.objects.create(
                framework=framework, code=code, title=f"Tiêu chí {code}", max_score=D(max_score)
            )
            Score.objects.create(
                criterion=criterion, year=2017, kind=Score.Kind.OFFICIAL, value=D(baseline)
            )
            Target.objects.create(
                plan=plan,
                criterion=criterion,
                first_year=2018,
                last_year=2018,
                min_score=D(target),
                max_score=D(target),
            )
        return plan

    return build


@pytest.mark.django_db
def test_check_plan_on_a_consistent_plan_prints_only_the_summary(build_plan, capsys):
    build_plan("252/KH-UBND")

    call_command("check_plan", "--plan", "252/KH-UBND")

    out = capsys.readouterr().out
    assert out.splitlines() == [
        "Kế hoạch 252/KH-UBND: 4 dòng, mỗi dòng đều bằng tổng các dòng con."
    ]


@pytest.mark.django_db
def test_check_plan_lists_each_mismatch_and_fails(build_plan, capsys):
    build_plan("252/KH-UBND", area_max="3", area_baseline="1.75")

    with pytest.raises(CommandError, match="252/KH-UBND: 4 chỗ chưa khớp"):
        call_command("check_plan", "--plan", "252/KH-UBND")

    # Area 1 states 3 and 1,75 over children worth 2 and 1,5; the total row states the
    # framework's 2 and the index's 1,5 over area 1's 3 and 1,75.
    assert capsys.readouterr().out.splitlines() == [
        "1 | Điểm chuẩn | ghi 3 | tổng các dòng con 2",
        "1 | Điểm đạt được năm 2017 | ghi 1,75 | tổng các dòng con 1,5",
        "TỔNG ĐIỂM | Điểm chuẩn | ghi 2 | tổng các dòng con 3",
        "TỔNG ĐIỂM | Điểm đạt được năm 2017 | ghi 1,5 | tổng các dòng con 1,75",
    ]


@pytest.mark.django_db
def test_check_plan_exit_code_is_one_with_mismatches_and_zero_without(build_plan):
    build_plan("252/KH-UBND")
    build_plan("99/KH-UBND", area_max="3")

    call_command("check_plan", "--plan", "252/KH-UBND")  # returns: exit code 0
    with pytest.raises(CommandError) as failure:
        call_command("check_plan", "--plan", "99/KH-UBND")

    # manage.py turns a CommandError into its message on stderr and this exit code.
    assert failure.value.returncode == 1
    assert "99/KH-UBND: 2 chỗ chưa khớp" in str(failure.value)


@pytest.mark.django_db
def test_check_plan_without_option_checks_the_only_plan(build_plan, capsys):
    build_plan("252/KH-UBND")

    call_command("check_plan")

    assert "252/KH-UBND" in capsys.readouterr().out


@pytest.mark.django_db
def test_check_plan_without_option_refuses_to_guess_between_plans(build_plan):
    build_plan("252/KH-UBND")
    build_plan("99/KH-UBND")

    with pytest.raises(CommandError, match="--plan: 252/KH-UBND, 99/KH-UBND"):
        call_command("check_plan")


@pytest.mark.django_db
def test_check_plan_with_unknown_number_names_the_known_plans(build_plan):
    build_plan("252/KH-UBND")

    with pytest.raises(CommandError, match="Không có kế hoạch số 1/KH. .*: 252/KH-UBND"):
        call_command("check_plan", "--plan", "1/KH")


@pytest.mark.django_db
def test_check_plan_without_any_plan_says_so():
    with pytest.raises(CommandError, match="Chưa có kế hoạch nào"):
        call_command("check_plan")


@pytest.mark.django_db
def test_check_plan_warns_of_each_unconfirmed_leaf_and_each_group_without_members(build_plan):
    plan = build_plan("252/KH-UBND")
    AgencyGroup.objects.create(name="UBND cấp xã", kinds=["commune"])
    confirmed = Responsibility.objects.create(
        plan=plan, criterion=Criterion.objects.get(code="1.1"), is_confirmed=True
    )
    Responsibility.objects.create(plan=plan, criterion=Criterion.objects.get(code="1.2"))
    err = io.StringIO()

    call_command("check_plan", "--plan", "252/KH-UBND", stderr=err)

    assert err.getvalue().splitlines() == [
        "! Nhóm đơn vị “UBND cấp xã” chưa có thành viên nào.",
        "! 1.2: đơn vị chủ trì chưa được Sở Nội vụ xác nhận.",
    ]
    confirmed.delete()
    err = io.StringIO()
    call_command("check_plan", "--plan", "252/KH-UBND", stderr=err)
    assert "! 1.1: chưa có phân công, hãy nhập lại phụ lục." in err.getvalue()
