"""The tracker's counts, made in the database, against the rule applied pair by pair.

The data is drawn at random (with a fixed seed) on top of the reporting world: agencies of
every kind, one of them dissolved; groups by kind, by chosen members and both; tasks in
two plans that name leads, coordinators and groups, sometimes the same agency twice;
reports in every status, some on tasks their agency no longer works on; extensions.
"""

import datetime
import random

import pytest

from assignments.models import (
    Agency,
    AgencyGroup,
    ContentArea,
    Extension,
    Report,
    Task,
)
from assignments.progress import (
    Deadline,
    cycle_progress,
    expected_tasks,
    outstanding_task_ids,
)
from tests.assignments.reporting import World, build_world

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2019, 11, 27)  # after the deadline: some are overdue, some extended


def _draw(world: World, other_plan: World, seed: int) -> None:
    rng = random.Random(seed)
    kinds = [Agency.Kind.DEPARTMENT, Agency.Kind.DISTRICT, Agency.Kind.COMMUNE]
    created = [
        Agency.objects.create(
            name=f"Đơn vị {number}",
            short_name=f"ĐV{number}",
            kind=kinds[number % len(kinds)],
            is_active=number != 7,
        )
        for number in range(12)
    ]
    agencies = [world.agency, world.other, world.third, *created]
    AgencyGroup.objects.create(name="UBND cấp xã", kinds=[Agency.Kind.COMMUNE])
    mixed = AgencyGroup.objects.create(
        name="Sở và huyện", kinds=[Agency.Kind.DEPARTMENT, Agency.Kind.DISTRICT]
    )
    mixed.agencies.add(created[2], created[5])  # communes chosen besides the kinds
    chosen = AgencyGroup.objects.create(name="Tổ công tác", kinds=[])
    chosen.agencies.add(world.other, created[0], created[7])  # created[7] is dissolved
    groups = [*AgencyGroup.objects.all()]
    for plan_world in (world, other_plan):
        for area in ContentArea.objects.filter(plan=plan_world.plan):
            for number in range(10, 16):
                task = Task.objects.create(content_area=area, number=number, text=f"Việc {number}")
                task.lead_agencies.add(*rng.sample(agencies, rng.randint(1, 2)))
                task.coordinating_agencies.add(*rng.sample(agencies, rng.randint(0, 3)))
                task.coordinating_groups.add(*rng.sample(groups, rng.randint(0, 2)))
    tasks = list(Task.objects.filter(content_area__plan=world.plan))
    statuses = Report.Status.values
    for agency in agencies:
        for task in rng.sample(tasks, len(tasks) // 2):
            Report.objects.create(
                cycle=world.cycle, agency=agency, task=task, status=rng.choice(statuses)
            )
    for agency in rng.sample(agencies, 4):
        Extension.objects.create(
            cycle=world.cycle,
            agency=agency,
            until=TODAY + datetime.timedelta(days=rng.choice([-1, 0, 5])),
        )


def _pair_by_pair(world: World, *, area=None, kind=None) -> dict[int, dict]:
    """The rule as written: each agency against each task of the plan, one pair at a time."""
    tasks = Task.objects.filter(content_area__plan=world.plan).prefetch_related(
        "lead_agencies", "coordinating_agencies", "coordinating_groups__agencies"
    )
    if area is not None:
        tasks = tasks.filter(content_area=area)
    reports = Report.objects.filter(cycle=world.cycle)
    statuses = {(r.agency_id, r.task_id): r.status for r in reports}
    extensions = {e.agency_id: e for e in Extension.objects.filter(cycle=world.cycle)}
    expected = {}
    for agency in Agency.objects.all():
        if kind is not None and agency.kind != kind:
            continue
        mine = [
            task
            for task in tasks
            if agency in task.lead_agencies.all()
            or agency in task.coordinating_agencies.all()
            or any(group.includes(agency) for group in task.coordinating_groups.all())
        ]
        if not mine:
            continue
        found = [statuses.get((agency.pk, task.pk)) for task in mine]
        extension = extensions.get(agency.pk)
        deadline = Deadline(world.cycle.deadline_for(extension), extension, TODAY)
        outstanding = sorted(
            task.pk
            for task, status in zip(mine, found, strict=True)
            if status not in (Report.Status.SUBMITTED, Report.Status.ACCEPTED)
        )
        expected[agency.pk] = {
            "expected": len(mine),
            "submitted": found.count(Report.Status.SUBMITTED),
            "accepted": found.count(Report.Status.ACCEPTED),
            "returned": found.count(Report.Status.RETURNED),
            "drafts": found.count(Report.Status.DRAFT),
            "deadline": deadline.date,
            "is_overdue": deadline.is_passed and bool(outstanding),
            "outstanding": outstanding,
            "leads": {task.pk for task in mine if agency in task.lead_agencies.all()},
        }
    return expected


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_in_the_database_equal_the_rule_applied_pair_by_pair(agency, other_agency, seed):
    world = build_world(agency, other_agency)
    other_plan = build_world(agency, other_agency, number="99/KH-UBND")
    _draw(world, other_plan, seed)

    _assert_counted_as_pair_by_pair(world)


def test_counts_without_any_group_equal_the_rule_applied_pair_by_pair(agency, other_agency):
    world = build_world(agency, other_agency)
    _draw(world, build_world(agency, other_agency, number="99/KH-UBND"), seed=4)
    AgencyGroup.objects.all().delete()

    _assert_counted_as_pair_by_pair(world)


def _assert_counted_as_pair_by_pair(world: World) -> None:
    for area in [None, *ContentArea.objects.filter(plan=world.plan)]:
        for kind in [None, Agency.Kind.DEPARTMENT, Agency.Kind.COMMUNE]:
            rows = cycle_progress(world.cycle, today=TODAY, area=area, kind=kind)
            expected = _pair_by_pair(world, area=area, kind=kind)

            counted = {
                row.agency.pk: (
                    row.expected,
                    row.submitted,
                    row.accepted,
                    row.returned,
                    row.drafts,
                    row.deadline.date,
                    row.is_overdue,
                )
                for row in rows
            }
            assert counted == {
                agency_id: (
                    e["expected"],
                    e["submitted"],
                    e["accepted"],
                    e["returned"],
                    e["drafts"],
                    e["deadline"],
                    e["is_overdue"],
                )
                for agency_id, e in expected.items()
            }
            assert [row.agency.pk for row in rows] == sorted(
                expected,
                key=lambda pk: (
                    not expected[pk]["is_overdue"],
                    -len(expected[pk]["outstanding"]),
                    Agency.objects.get(pk=pk).kind,
                    Agency.objects.get(pk=pk).name,
                ),
            )

    everyone = list(Agency.objects.all())
    expected = _pair_by_pair(world)
    outstanding = outstanding_task_ids(world.cycle, everyone)
    assert {pk: ids for pk, ids in outstanding.items() if pk in expected} == {
        pk: e["outstanding"] for pk, e in expected.items()
    }
    assert not any(ids for pk, ids in outstanding.items() if pk not in expected)
    tasks = expected_tasks(world.plan.pk, everyone)
    leads = {pk: {t for t, lead in mine.items() if lead} for pk, mine in tasks.items() if mine}
    assert leads == {pk: e["leads"] for pk, e in expected.items()}


def test_the_drawn_data_has_every_case_the_rule_knows(agency, other_agency):
    world = build_world(agency, other_agency)
    _draw(world, build_world(agency, other_agency, number="99/KH-UBND"), seed=1)

    rows = {row.agency.pk: row for row in cycle_progress(world.cycle, today=TODAY)}
    dissolved = Agency.objects.get(is_active=False)

    # Without these the comparison above could pass on data that tests little.
    assert all(
        sum(getattr(row, name) for row in rows.values())
        for name in ("submitted", "accepted", "returned", "drafts")
    )
    assert any(row.is_overdue for row in rows.values())
    assert any(row.deadline.extension for row in rows.values())
    assert (
        Task.objects.filter(lead_agencies=dissolved).exists()
        or Task.objects.filter(coordinating_agencies=dissolved).exists()
    )
    assert Task.objects.filter(
        coordinating_groups__agencies=dissolved, content_area__plan=world.plan
    ).exists()
