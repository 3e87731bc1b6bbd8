"""Who has to report on what in a cycle, and how far each agency has got.

Read-only arithmetic shared by the agency's workspace, Sở Nội vụ's tracker, the
consolidated export and the reminders. An agency reports on every task of the plan it
leads or coordinates, directly or through a group it belongs to (Task.objects.for_agency).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from assignments.models import (
    Agency,
    AgencyGroup,
    ContentArea,
    Extension,
    Report,
    ReportingCycle,
    Responsibility,
    Task,
    TaskTarget,
)
from criteria.models import Score, Target


@dataclass(frozen=True)
class Deadline:
    """The last day an agency may submit, seen from today."""

    date: datetime.date
    extension: Extension | None
    today: datetime.date

    @property
    def days_left(self) -> int:
        """0 on the last day itself, negative once it has passed."""
        return (self.date - self.today).days

    @property
    def days_overdue(self) -> int:
        return -self.days_left

    @property
    def is_passed(self) -> bool:
        return self.today > self.date


# -- The agency's workspace ---------------------------------------------------------------


@dataclass(frozen=True)
class CriterionRow:
    """A criterion the agency acts on, with its maximum, last score and target for the year."""

    responsibility: Responsibility
    is_lead: bool
    last_score: Score | None
    target: Target | None

    @property
    def criterion(self):
        return self.responsibility.criterion

    @property
    def points_lost(self) -> Decimal | None:
        if self.last_score is None:
            return None
        return self.criterion.max_score - self.last_score.value


@dataclass(frozen=True)
class TaskRow:
    """A task the agency reports on, its measurable targets for the year and its report."""

    task: Task
    is_lead: bool
    targets: list[TaskTarget]
    report: Report | None


@dataclass
class Workspace:
    """What an agency sees in "Việc của tôi" for one cycle."""

    agency: Agency
    cycle: ReportingCycle
    deadline: Deadline
    criteria: list[CriterionRow]
    tasks: list[TaskRow]

    def _count(self, status: Report.Status | None) -> int:
        return sum(1 for row in self.tasks if (row.report and row.report.status) == status)

    @property
    def not_started(self) -> int:
        return self._count(None)

    @property
    def drafts(self) -> int:
        return self._count(Report.Status.DRAFT)

    @property
    def submitted(self) -> int:
        return self._count(Report.Status.SUBMITTED)

    @property
    def accepted(self) -> int:
        return self._count(Report.Status.ACCEPTED)

    @property
    def returned(self) -> int:
        return self._count(Report.Status.RETURNED)


def groups_including(agency: Agency) -> list[int]:
    """The ids of the agency groups the agency belongs to (two queries)."""
    groups = AgencyGroup.objects.prefetch_related("agencies")
    return [group.pk for group in groups if group.includes(agency)]


def deadline_of(cycle: ReportingCycle, agency: Agency, *, today: datetime.date) -> Deadline:
    extension = Extension.objects.filter(cycle=cycle, agency=agency).first()
    return Deadline(cycle.deadline_for(extension), extension, today)


def build_workspace(*, agency: Agency, cycle: ReportingCycle, today: datetime.date) -> Workspace:
    """The agency's criteria and tasks under the cycle's plan, with their reports."""
    return Workspace(
        agency=agency,
        cycle=cycle,
        deadline=deadline_of(cycle, agency, today=today),
        criteria=_criterion_rows(agency, cycle),
        tasks=_task_rows(agency, cycle),
    )


def _criterion_rows(agency: Agency, cycle: ReportingCycle) -> list[CriterionRow]:
    group_ids = groups_including(agency)
    responsibilities = list(
        Responsibility.objects.filter(plan=cycle.plan)
        .filter(Q(lead=agency) | Q(supporting=agency) | Q(groups__in=group_ids))
        .distinct()
        .select_related("criterion")
        .order_by("criterion__sort_key")
    )
    criterion_ids = [r.criterion_id for r in responsibilities]
    # The latest year's score; the ministry's official one wins over the self-assessment.
    last_scores: dict[int, Score] = {}
    scores = Score.objects.filter(criterion__in=criterion_ids, year__lte=cycle.year)
    for score in scores.order_by("year", "-kind"):
        last_scores[score.criterion_id] = score
    targets = {
        target.criterion_id: target
        for target in Target.objects.filter(
            plan=cycle.plan,
            criterion__in=criterion_ids,
            first_year__lte=cycle.year,
            last_year__gte=cycle.year,
        )
    }
    return [
        CriterionRow(
            responsibility=r,
            is_lead=r.lead_id == agency.pk,
            last_score=last_scores.get(r.criterion_id),
            target=targets.get(r.criterion_id),
        )
        for r in responsibilities
    ]


def _task_rows(agency: Agency, cycle: ReportingCycle) -> list[TaskRow]:
    tasks = (
        Task.objects.filter(content_area__plan=cycle.plan)
        .for_agency(agency)
        .select_related("content_area")
        .annotate(
            is_lead=Exists(
                Task.lead_agencies.through.objects.filter(task=OuterRef("pk"), agency=agency)
            )
        )
        .prefetch_related(
            Prefetch("targets", queryset=targets_of_year(cycle.year), to_attr="year_targets")
        )
        .order_by("content_area__number", "number")
    )
    reports = {
        report.task_id: report for report in Report.objects.filter(cycle=cycle, agency=agency)
    }
    return [
        TaskRow(
            task=task, is_lead=task.is_lead, targets=task.year_targets, report=reports.get(task.pk)
        )
        for task in tasks
    ]


def targets_of_year(year: int) -> "QuerySet[TaskTarget]":
    """Measurable targets that apply to a year."""
    return TaskTarget.objects.filter(first_year__lte=year, last_year__gte=year)


@dataclass(frozen=True)
class TargetResult:
    """A measurable target and the value a report gives for it."""

    target: TaskTarget
    value: Decimal | None

    @property
    def is_met(self) -> bool | None:
        """None while no value is given."""
        return None if self.value is None else self.target.is_met_by(self.value)


# -- Sở Nội vụ's tracker ------------------------------------------------------------------


def expected_tasks(
    plan_id: int, *, area: ContentArea | None = None
) -> dict[Agency, dict[int, bool]]:
    """For each agency, the tasks it reports on: {task id: whether it leads the task}.

    At most six queries whatever the number of agencies and tasks: the agencies, the
    three ways a task names who works on it, the groups named and their chosen members.
    """
    tasks = Task.objects.filter(content_area__plan_id=plan_id)
    if area is not None:
        tasks = tasks.filter(content_area=area)
    agencies = Agency.objects.in_bulk()
    expected: dict[Agency, dict[int, bool]] = defaultdict(dict)
    for task_id, agency_id in Task.coordinating_agencies.through.objects.filter(
        task__in=tasks
    ).values_list("task_id", "agency_id"):
        expected[agencies[agency_id]][task_id] = False
    grouped = list(
        Task.coordinating_groups.through.objects.filter(task__in=tasks).values_list(
            "task_id", "agencygroup_id"
        )
    )
    groups = AgencyGroup.objects.prefetch_related("agencies").in_bulk(
        {group_id for _task_id, group_id in grouped}
    )
    members = {
        group_id: [agency for agency in agencies.values() if group.includes(agency)]
        for group_id, group in groups.items()
    }
    for task_id, group_id in grouped:
        for agency in members[group_id]:
            expected[agency].setdefault(task_id, False)
    for task_id, agency_id in Task.lead_agencies.through.objects.filter(task__in=tasks).values_list(
        "task_id", "agency_id"
    ):
        expected[agencies[agency_id]][task_id] = True
    return expected


@dataclass
class AgencyProgress:
    """One agency's line in the tracker."""

    agency: Agency
    deadline: Deadline
    # The tasks it reports on: {task id: whether it leads the task}.
    tasks: dict[int, bool] = field(default_factory=dict)
    expected: int = 0
    submitted: int = 0
    accepted: int = 0
    returned: int = 0
    drafts: int = 0
    # Tasks still to send: no report, a draft, or returned for correction.
    outstanding_task_ids: list[int] = field(default_factory=list)

    @property
    def reported(self) -> int:
        return self.submitted + self.accepted

    @property
    def missing(self) -> int:
        """Tasks without a report sent: none written yet, or a draft not sent."""
        return self.expected - self.reported - self.returned

    @property
    def is_overdue(self) -> bool:
        return self.deadline.is_passed and bool(self.outstanding_task_ids)


def cycle_progress(
    cycle: ReportingCycle,
    *,
    today: datetime.date,
    area: ContentArea | None = None,
    kind: str | None = None,
) -> list[AgencyProgress]:
    """Every agency with work in the cycle, overdue ones first, then the most behind.

    At most eight queries: six for who reports on what (expected_tasks), the cycle's
    extensions and its reports.
    """
    expected = expected_tasks(cycle.plan_id, area=area)
    extensions = {ext.agency_id: ext for ext in Extension.objects.filter(cycle=cycle)}
    statuses = {
        (agency_id, task_id): status
        for agency_id, task_id, status in Report.objects.filter(cycle=cycle).values_list(
            "agency_id", "task_id", "status"
        )
    }
    rows = []
    for agency, tasks in expected.items():
        if kind and agency.kind != kind:
            continue
        agency_id = agency.pk
        extension = extensions.get(agency_id)
        deadline = Deadline(cycle.deadline_for(extension), extension, today)
        row = AgencyProgress(agency, deadline, tasks=tasks)
        for task_id in sorted(tasks):
            row.expected += 1
            status = statuses.get((agency_id, task_id))
            if status == Report.Status.SUBMITTED:
                row.submitted += 1
            elif status == Report.Status.ACCEPTED:
                row.accepted += 1
            else:
                if status == Report.Status.RETURNED:
                    row.returned += 1
                elif status == Report.Status.DRAFT:
                    row.drafts += 1
                row.outstanding_task_ids.append(task_id)
        rows.append(row)
    rows.sort(
        key=lambda row: (
            not row.is_overdue,
            -len(row.outstanding_task_ids),
            row.agency.kind,
            row.agency.name,
        )
    )
    return rows
