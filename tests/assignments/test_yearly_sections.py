"""Opening a yearly report gives the agency a section for every task it works on, whatever
reports other agencies and other cycles already have (assignments/yearly.py)."""

import datetime

import pytest

from assignments import yearly
from assignments.models import Agency, ReportingCycle
from assignments.owners import assign_from_actions

pytestmark = pytest.mark.django_db


def test_each_agency_gets_every_task_section_in_a_later_cycle(seed_tasks):
    assign_from_actions(plan=seed_tasks)
    justice = Agency.objects.get(name="Sở Tư pháp")
    office = Agency.objects.get(name="Văn phòng UBND tỉnh")
    first, second = (
        ReportingCycle.objects.create(
            plan=seed_tasks, year=year, deadline=datetime.date(year, 11, 25)
        )
        for year in (2019, 2020)
    )
    earlier = yearly.open_yearly_report(cycle=first, agency=office).task_reports.count()
    # Another agency's sections of the same tasks, in the later cycle.
    yearly.open_yearly_report(cycle=second, agency=justice)

    later = yearly.open_yearly_report(cycle=second, agency=office)

    assert earlier > 0
    assert later.task_reports.count() == earlier
    assert set(later.task_reports.values_list("cycle", flat=True)) == {second.pk}
