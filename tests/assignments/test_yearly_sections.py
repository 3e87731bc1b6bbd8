"""open_yearly_report gives a section for every task, whatever other years and agencies hold."""

import datetime

import pytest

from assignments import yearly
from assignments.models import Agency, Report, ReportingCycle, Task

pytestmark = pytest.mark.django_db


def test_a_task_reported_another_year_and_by_another_agency_still_gets_its_section(seed_tasks):
    justice = Agency.objects.get(name="Sở Tư pháp")
    task = Task.objects.filter(lead_agencies=justice).first()
    other = Agency.objects.exclude(pk=justice.pk).first()
    cycles = {
        year: ReportingCycle.objects.create(
            plan=seed_tasks, year=year, deadline=datetime.date(year, 11, 25)
        )
        for year in (2019, 2020)
    }
    # The agency's report of 2020, and another agency's of 2019, on the same task.
    Report.objects.create(cycle=cycles[2020], agency=justice, task=task)
    Report.objects.create(cycle=cycles[2019], agency=other, task=task)

    report = yearly.open_yearly_report(cycle=cycles[2019], agency=justice)

    assert report.task_reports.filter(task=task).count() == 1
