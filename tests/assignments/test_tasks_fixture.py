"""The tasks of section II of 252/KH-UBND, shipped as fixtures/tasks_252.json."""

import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.serializers.base import DeserializationError

from assignments.models import ContentArea, Task, TaskTarget
from criteria.models import Criterion, Framework, Plan
from tests.assignments.conftest import FIXTURES, SEED_PLAN_NUMBER

pytestmark = pytest.mark.django_db

D = Decimal
PERIOD = (2018, 2020)

# Bullets ("- ") under "N.1. Nội dung triển khai" of each content area, counted in the seed.
BULLETS_PER_AREA = {1: 5, 2: 3, 3: 7, 4: 3, 5: 5, 6: 3, 7: 8, 8: 3, 9: 2}

# "Đơn vị chủ trì" of each area's "Trách nhiệm thực hiện", as the seed names them.
LEADS = {
    1: {"Sở Nội vụ"},
    2: {"Sở Tư pháp", "Văn phòng UBND tỉnh"},
    3: {"Văn phòng UBND tỉnh"},
    4: {"Sở Nội vụ"},
    5: {"Sở Nội vụ"},
    6: {"Sở Tài chính"},
    7: {"Sở Thông tin và Truyền thông", "Sở Khoa học và Công nghệ"},
    8: {"Văn phòng UBND tỉnh"},
    9: {"Sở Kế hoạch và Đầu tư", "Sở Y tế", "Sở Giáo dục và Đào tạo"},
}

# Each measurable figure the seed states: (area, task, words of the description,
# comparator, value, value_max, years).
SEED_TARGETS = [
    (4, 1, "được kiểm tra", "above", "30", None, PERIOD),
    (7, 4, "trực tuyến mức độ 3", "at_least", "70", None, PERIOD),
    (7, 4, "trực tuyến mức độ 4", "at_least", "30", None, PERIOD),
    (7, 4, "có phát sinh và giải quyết hồ sơ trực tuyến", "above", "40", None, PERIOD),
    (8, 2, "giải quyết đúng hạn", "between", "95", "100", PERIOD),
    (8, 3, "hài lòng", "at_least", "80", None, PERIOD),
    (7, 7, "ISO 9001", "at_least", "40", None, (2018, 2018)),
    (7, 7, "ISO 9001", "at_least", "100", None, (2020, 2020)),
    (7, 2, "dưới dạng điện tử", "above", "90", None, (2020, 2020)),
    (5, 5, "được bồi dưỡng", "above", "70", None, PERIOD),
    (5, 5, "đạt chuẩn", "at_least", "100", None, (2020, 2020)),
    (5, 2, "cơ quan, tổ chức hành chính", "at_least", "100", None, (2018, 2018)),
    (5, 2, "đơn vị sự nghiệp", "at_least", "100", None, (2020, 2020)),
    (7, 2, "phần mềm dùng chung", "at_least", "100", None, (2020, 2020)),
    (3, 1, "kế hoạch rà soát", "at_least", "100", None, PERIOD),
    (3, 7, "phản ánh, kiến nghị", "at_least", "100", None, PERIOD),
    (4, 1, "phát hiện qua kiểm tra", "at_least", "100", None, PERIOD),
    (5, 1, "đào tạo, bồi dưỡng", "at_least", "100", None, PERIOD),
    (6, 2, "triển khai cơ chế tự chủ", "at_least", "100", None, PERIOD),
    (6, 2, "phân phối kết quả tài chính", "at_least", "100", None, PERIOD),
    (7, 1, "ứng dụng CNTT", "at_least", "100", None, PERIOD),
    (8, 2, "cơ chế một cửa", "at_least", "100", None, PERIOD),
    (2, 2, "văn bản QPPL", "at_least", "100", None, PERIOD),
    (3, 3, "Cơ sở dữ liệu quốc gia", "between", "0", "5", PERIOD),
]


# The appendix codes the tasks serve: the criterion rows the fixture refers to.
SERVED_CODES = sorted(
    {
        code
        for item in json.loads((FIXTURES / "tasks_252.json").read_text("utf-8"))
        if item["model"] == "assignments.task"
        for _framework, code in item["fields"]["criteria"]
    }
)


@pytest.fixture
def tasks(tien_giang) -> Plan:
    """The seed plan, the criteria its tasks serve (not the whole appendix) and the tasks."""
    call_command("loaddata", FIXTURES / "seed_plan.json", verbosity=0)
    plan = Plan.objects.get(number=SEED_PLAN_NUMBER)
    for code in SERVED_CODES:
        Criterion.objects.create(
            framework=plan.framework, code=code, title=f"Tiêu chí {code}", max_score=D(1)
        )
    load_tasks()
    return plan


def task(area: int, number: int) -> Task:
    return Task.objects.get_by_natural_key(SEED_PLAN_NUMBER, area, number)


def load_tasks() -> None:
    call_command("loaddata", FIXTURES / "tasks_252.json", verbosity=0)


def test_fixture_gives_nine_content_areas_with_one_task_per_bullet(tasks):
    areas = ContentArea.objects.filter(plan=tasks)

    assert list(areas.values_list("number", flat=True)) == list(range(1, 10))
    assert areas.get(number=8).title == (
        "Nâng cao chất lượng hoạt động của cơ chế Một cửa, Một cửa liên thông"
    )
    per_area = {area.number: area.tasks.count() for area in areas}
    assert per_area == BULLETS_PER_AREA
    assert Task.objects.count() == 39


# Areas whose lead line says "theo chức năng, nhiệm vụ": each lead leads its function's tasks.
LEADS_BY_FUNCTION = {
    (2, 1): {"Sở Tư pháp"},
    (2, 3): {"Sở Tư pháp", "Văn phòng UBND tỉnh"},
    (7, 1): {"Sở Thông tin và Truyền thông"},
    (7, 4): {"Sở Thông tin và Truyền thông"},
    (7, 7): {"Sở Khoa học và Công nghệ"},
    (7, 8): {"Sở Khoa học và Công nghệ"},
    (9, 1): {"Sở Kế hoạch và Đầu tư"},
    (9, 2): {"Sở Y tế", "Sở Giáo dục và Đào tạo"},
}


def test_each_task_is_led_by_the_leads_of_its_area(tasks):
    for area, names in LEADS.items():
        if area in {2, 7, 9}:
            continue
        for found in Task.objects.filter(content_area__number=area):
            assert set(found.lead_agencies.values_list("name", flat=True)) == names, found


@pytest.mark.parametrize(("where", "names"), LEADS_BY_FUNCTION.items())
def test_leads_by_function_lead_only_the_tasks_of_their_function(tasks, where, names):
    assert set(task(*where).lead_agencies.values_list("name", flat=True)) == names


@pytest.mark.parametrize("area", [2, 7, 9])
def test_every_lead_by_function_leads_some_task_of_its_area(tasks, area):
    leading = set(
        Task.lead_agencies.through.objects.filter(task__content_area__number=area).values_list(
            "agency__name", flat=True
        )
    )

    assert leading == LEADS[area]


def test_coordinators_are_the_agencies_and_groups_the_area_names(tasks):
    first = task(1, 1)

    assert set(first.coordinating_agencies.values_list("name", flat=True)) == {
        "Đài Phát thanh và Truyền hình tỉnh",
        "Báo Ấp Bắc",
    }
    assert set(first.coordinating_groups.values_list("name", flat=True)) == {
        "Các sở, ban, ngành tỉnh",
        "UBND cấp huyện",
        "UBND cấp xã",
        "Các cơ quan, đơn vị có liên quan",
    }
    # Area 6 ends with "các đơn vị sự nghiệp công lập trên địa bàn tỉnh"; area 4 names no
    # "cơ quan, đơn vị có liên quan".
    assert "Các đơn vị sự nghiệp công lập" in task(6, 3).coordinating_groups.values_list(
        "name", flat=True
    )
    assert (
        not task(4, 2).coordinating_groups.filter(name="Các cơ quan, đơn vị có liên quan").exists()
    )


def test_sub_bullets_and_continued_lines_stay_in_their_bullets_task(tasks):
    sub_bullets = task(6, 2).text.splitlines()
    continued = task(2, 1).text.splitlines()

    assert sub_bullets[0].startswith("Đơn vị sự nghiệp công lập thực hiện cơ chế tự chủ")
    assert sub_bullets[1] == "+ 100% số đơn vị sự nghiệp công lập triển khai cơ chế tự chủ."
    assert sub_bullets[2].startswith("+ Phấn đấu 100% số đơn vị sự nghiệp")
    assert continued[1].startswith("Kịp thời phát hiện những văn bản có dấu hiệu trái pháp luật")


# Appendix codes each area's tasks may serve: area 8 ("Một cửa") is 3.3 and 3.4, area 9 is
# 8.2; 8.1 (the satisfaction survey) is served by the tasks that ask about satisfaction.
AREA_CODES = {
    1: ("1.",),
    2: ("2.",),
    3: ("3.1", "3.2", "3.5"),
    4: ("4.",),
    5: ("5.",),
    6: ("6.",),
    7: ("7.",),
    8: ("3.3", "3.4"),
    9: ("8.2",),
}


def test_tasks_serve_criteria_of_their_area_not_the_whole_area(tasks):
    served = {
        (found.content_area.number, found.number): set(
            found.criteria.values_list("code", flat=True)
        )
        for found in Task.objects.select_related("content_area")
    }

    for (area, number), codes in served.items():
        assert codes, (area, number)
        assert all(code.startswith(AREA_CODES[area]) for code in codes - {"8.1"}), (area, number)


@pytest.mark.parametrize(
    ("where", "codes"),
    [
        ((1, 1), {"1.1", "1.2"}),  # "chế độ báo cáo" is 1.2
        ((7, 7), {"7.4", "7.5"}),  # ISO 9001
        ((7, 8), {"7.4"}),
        ((8, 2), {"3.3", "3.4"}),  # one-stop shop
    ],
)
def test_tasks_serve_the_criteria_of_their_subject(tasks, where, codes):
    assert set(task(*where).criteria.values_list("code", flat=True)) == codes


def test_satisfaction_bullets_also_serve_the_survey_criterion(tasks):
    survey = Criterion.objects.get(code="8.1")

    serving = {
        (t.content_area.number, t.number) for t in survey.tasks.select_related("content_area")
    }

    assert serving == {(1, 3), (8, 3)}


def test_each_figure_of_the_seed_is_a_target(tasks):
    missing = []
    for area, number, words, comparator, value, value_max, years in SEED_TARGETS:
        found = task(area, number).targets.filter(
            description__contains=words, first_year=years[0], last_year=years[1]
        )
        expected = [(comparator, D(value), D(value_max) if value_max else None)]
        if [(t.comparator, t.value, t.value_max) for t in found] != expected:
            missing.append((area, number, words, years))

    assert missing == []


def test_there_are_no_targets_but_the_seeds(tasks):
    assert TaskTarget.objects.count() == len(SEED_TARGETS)
    # Area 9 asks for "năm sau cao hơn năm trước": no figure, so no target.
    assert not TaskTarget.objects.filter(task__content_area__number=9).exists()


def test_targets_stay_inside_the_plans_period(tasks):
    for target in TaskTarget.objects.all():
        assert tasks.first_year <= target.first_year <= target.last_year
        assert target.last_year <= tasks.last_year


def test_loading_twice_after_the_seed_import_duplicates_nothing(seed_tasks):
    before = {
        "areas": set(ContentArea.objects.values_list("pk", "title")),
        "tasks": set(Task.objects.values_list("pk", "text")),
        "leads": set(Task.lead_agencies.through.objects.values_list("task", "agency")),
        "criteria": set(Task.criteria.through.objects.values_list("task", "criterion")),
        "targets": set(TaskTarget.objects.values_list("pk", "task", "value", "first_year")),
    }

    load_tasks()

    after = {
        "areas": set(ContentArea.objects.values_list("pk", "title")),
        "tasks": set(Task.objects.values_list("pk", "text")),
        "leads": set(Task.lead_agencies.through.objects.values_list("task", "agency")),
        "criteria": set(Task.criteria.through.objects.values_list("task", "criterion")),
        "targets": set(TaskTarget.objects.values_list("pk", "task", "value", "first_year")),
    }
    assert after == before
    assert len(before["tasks"]) == 39


def test_loading_again_restores_a_changed_task_in_place(tasks):
    changed = task(3, 2)
    changed.text = "Nội dung đã sửa"
    changed.save()

    load_tasks()

    assert task(3, 2).pk == changed.pk
    assert task(3, 2).text.startswith("Đôn đốc các cơ quan, đơn vị công bố TTHC")


def test_tasks_cannot_load_before_the_appendix(tien_giang):
    call_command("loaddata", FIXTURES / "seed_plan.json", verbosity=0)

    with pytest.raises(DeserializationError, match="Criterion matching query does not exist"):
        load_tasks()

    assert not Task.objects.exists()


def test_natural_keys_find_the_same_rows(tasks):
    criterion = Criterion.objects.get(code="3.4")
    target = TaskTarget.objects.filter(comparator="between").first()

    assert Framework.objects.get_by_natural_key(*tasks.framework.natural_key()).pk == 1
    assert Plan.objects.get_by_natural_key(*tasks.natural_key()) == tasks
    assert criterion.natural_key() == ("QĐ 2948/QĐ-BNV", "3.4")
    assert Criterion.objects.get_by_natural_key(*criterion.natural_key()) == criterion
    assert TaskTarget.objects.get_by_natural_key(*target.natural_key()) == target
    # The manager keeps the domain querysets.
    assert Criterion.objects.leaves().filter(code="3.4").exists()


@pytest.mark.parametrize(
    ("comparator", "value", "value_max", "achieved", "met"),
    [
        ("above", "30", None, "30", False),
        ("above", "30", None, "30.5", True),
        ("at_least", "80", None, "80", True),
        ("at_least", "80", None, "79.9", False),
        ("between", "95", "100", "95", True),
        ("between", "0", "5", "5", True),
        ("between", "0", "5", "6", False),
        ("exactly", "100", None, "99", False),
    ],
)
def test_target_is_met_within_its_comparator(comparator, value, value_max, achieved, met):
    target = TaskTarget(
        comparator=comparator, value=D(value), value_max=D(value_max) if value_max else None
    )

    assert target.is_met_by(D(achieved)) is met
