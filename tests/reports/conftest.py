"""A small plan with every shape of the real tree, and the people who use the reports.

Area 1 (max 10): criterion 1.1 with sub-criteria 1.1.1 and 1.1.2; criterion 1.2 without
sub-criteria (entered directly); criterion 1.3 with 1.3.1 and 1.3.2 (survey-based).
Area 2 (max 8): criterion 2.1 with 2.1.1 and 2.1.2; criterion 2.2, survey-based, no children.
Area 3 (max 10) has no criteria at all: its own score counts.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AbstractUser

from criteria.models import Criterion, Framework, IndexResult, Plan, Score, Target

D = Decimal

TREE = [
    # code, max, is_survey
    ("1", "10", False),
    ("1.1", "2", False),
    ("1.1.1", "1", False),
    ("1.1.2", "1", False),
    ("1.2", "3", False),
    ("1.3", "5", False),
    ("1.3.1", "2", False),
    ("1.3.2", "3", True),
    ("2", "8", False),
    ("2.1", "4", False),
    ("2.1.1", "2", False),
    ("2.1.2", "2", False),
    ("2.2", "4", True),
    ("3", "10", False),
]


@pytest.fixture
def plan(db) -> Plan:
    framework = Framework.objects.create(
        code="QĐ 2948/QĐ-BNV", name="Đề án", first_year=2017, max_score=D(28)
    )
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


@pytest.fixture
def tree(plan: Plan) -> dict[str, Criterion]:
    """The criteria by code, parents saved before their children."""
    criteria: dict[str, Criterion] = {}
    for code, max_score, is_survey in TREE:
        parent_code = code.rpartition(".")[0]
        criteria[code] = Criterion.objects.create(
            framework=plan.framework,
            parent=criteria.get(parent_code),
            code=code,
            title=f"Tiêu chí {code}",
            max_score=D(max_score),
            is_survey=is_survey,
        )
    return criteria


def add_scores(
    tree: dict[str, Criterion], year: int, values: dict[str, str], kind: str = Score.Kind.OFFICIAL
) -> None:
    for code, value in values.items():
        Score.objects.create(criterion=tree[code], year=year, kind=kind, value=D(value))


def add_target(plan: Plan, criterion: Criterion | None, first: int, last: int, low: str, high: str):
    return Target.objects.create(
        plan=plan,
        criterion=criterion,
        first_year=first,
        last_year=last,
        min_score=D(low),
        max_score=D(high),
    )


# Official 2017 (baseline) and 2018 scores of every leaf, and their sums:
# 2017: area 1 = 0.5+1+2+1+1.5 = 6, area 2 = 1+1+2 = 4, area 3 = 6; total 16.
# 2018: area 1 = 1+1+2.5+2+2 = 8.5, area 2 = 2+1.5+3 = 6.5, area 3 = 7.5; total 22.5.
BASELINE = {"1.1.1": "0.5", "1.1.2": "1", "1.2": "2", "1.3.1": "1", "1.3.2": "1.5",
            "2.1.1": "1", "2.1.2": "1", "2.2": "2", "3": "6"}  # fmt: skip
RESULTS_2018 = {"1.1.1": "1", "1.1.2": "1", "1.2": "2.5", "1.3.1": "2", "1.3.2": "2",
                "2.1.1": "2", "2.1.2": "1.5", "2.2": "3", "3": "7.5"}  # fmt: skip
# code: (2018 target, 2019-2020 target); None is the whole index.
TARGETS = {
    None: (("22", "23"), ("24", "26")),
    "1": (("8", "9"), ("9", "9.5")),
    "2": (("7", "7"), ("7", "8")),
    "3": (("7", "7"), ("8", "9")),
    "1.1": (("2", "2"), ("2", "2")),
    "1.1.1": (("1", "1"), ("1", "1")),
    "1.1.2": (("1", "1"), ("1", "1")),
    "1.2": (("2", "2"), ("2.5", "3")),
    "1.3": (("4", "4"), ("4", "5")),
    "1.3.1": (("1.5", "1.5"), ("2", "2")),
    "1.3.2": (("2.5", "2.5"), ("2", "3")),
    "2.1": (("4", "4"), ("3.5", "4")),
    "2.1.1": (("2", "2"), ("2", "2")),
    "2.1.2": (("2", "2"), ("1.5", "2")),
    "2.2": (("3", "3"), ("3", "4")),
}


@pytest.fixture
def scored_plan(plan: Plan, tree: dict[str, Criterion]) -> Plan:
    """The plan with 2017 and 2018 official scores (2018 declared final), targets for 2018
    and 2019-2020, and the published index of 2015-2017 (the years before the framework
    have no criteria)."""
    add_scores(tree, 2017, BASELINE)
    add_scores(tree, 2018, RESULTS_2018)
    # Sở Nội vụ has declared 2018 final: its total is the year's result, not a projection.
    plan.final_years = [2018]
    plan.save()
    for code, (first, second) in TARGETS.items():
        criterion = tree[code] if code else None
        add_target(plan, criterion, 2018, 2018, *first)
        add_target(plan, criterion, 2019, 2020, *second)
    for year, total, rank in [(2015, "85.51", 32), (2016, "70.61", 39), (2017, "73.64", 51)]:
        IndexResult.objects.create(province="Tiền Giang", year=year, total=D(total), rank=rank)
    return plan


@pytest.fixture
def staff_client(client, noivu_staff: AbstractUser):
    """Sở Nội vụ staff, who enter the scores (through their group's permission)."""
    client.force_login(noivu_staff)
    return client


@pytest.fixture
def leader_client(client, leader: AbstractUser):
    """A leader, who reads everything and changes nothing."""
    client.force_login(leader)
    return client
