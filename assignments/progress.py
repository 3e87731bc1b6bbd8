"""Who has to report on what in a cycle, and how far each agency has got.

Read-only arithmetic shared by the agency's workspace, Sở Nội vụ's tracker (review.py),
the consolidated export and the reminders. An agency reports on every task of the plan it
leads or coordinates, directly or through a group it belongs to (Task.objects.for_agency).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    QuerySet,
)

from assignments.models import (
    Agency,
    AgencyGroup,
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
    """What an agency sees in "Việc của tôi" for one cycle.

    Every task the agency reports on is counted; `tasks` holds the rows of one page of them.
    """

    agency: Agency
    cycle: ReportingCycle
    deadline: Deadline
    criteria: list[CriterionRow]
    tasks: list[TaskRow]
    task_page: Page
    # The status of the report on each task, None where none is written yet.
    statuses: list[str | None]

    @property
    def task_count(self) -> int:
        return len(self.statuses)

    @property
    def not_started(self) -> int:
        return self.statuses.count(None)

    @property
    def drafts(self) -> int:
        return self.statuses.count(Report.Status.DRAFT)

    @property
    def submitted(self) -> int:
        return self.statuses.count(Report.Status.SUBMITTED)

    @property
    def accepted(self) -> int:
        return self.statuses.count(Report.Status.ACCEPTED)

    @property
    def returned(self) -> int:
        return self.statuses.count(Report.Status.RETURNED)


def deadline_of(cycle: ReportingCycle, agency: Agency, *, today: datetime.date) -> Deadline:
    extension = Extension.objects.filter(cycle=cycle, agency=agency).first()
    return Deadline(cycle.deadline_for(extension), extension, today)


# Tasks shown on one page of the workspace: an agency may report on hundreds.
WORKSPACE_PAGE_SIZE = 100


def build_workspace(
    *, agency: Agency, cycle: ReportingCycle, today: datetime.date, page: str | int | None = None
) -> Workspace:
    """The agency's criteria and tasks under the cycle's plan, with their reports.

    All the tasks are counted; only those of the page asked for are read in full.
    """
    group_ids = AgencyGroup.objects.ids_including(agency)
    leads = (
        Task.objects.filter(content_area__plan=cycle.plan)
        .for_agency(agency, group_ids=group_ids)
        .annotate(
            is_lead=Exists(
                Task.lead_agencies.through.objects.filter(task=OuterRef("pk"), agency=agency)
            )
        )
        .order_by("content_area__number", "number")
        .values_list("pk", "is_lead")
    )
    reports = {
        report.task_id: report for report in Report.objects.filter(cycle=cycle, agency=agency)
    }
    returned = {pk for pk, report in reports.items() if report.status == Report.Status.RETURNED}
    # What needs the agency first: the reports returned to it, then the tasks it leads,
    # then those it coordinates; in the plan's order within each.
    task_ids = [
        pk
        for _rank, pk in sorted(
            ((0 if pk in returned else 1 if is_lead else 2, index), pk)
            for index, (pk, is_lead) in enumerate(leads)
        )
    ]
    task_page = Paginator(task_ids, WORKSPACE_PAGE_SIZE).get_page(page)
    return Workspace(
        agency=agency,
        cycle=cycle,
        deadline=deadline_of(cycle, agency, today=today),
        criteria=_criterion_rows(agency, cycle, group_ids),
        tasks=_task_rows(agency, cycle, task_page.object_list, reports),
        task_page=task_page,
        statuses=[reports[pk].status if pk in reports else None for pk in task_ids],
    )


def _criterion_rows(
    agency: Agency, cycle: ReportingCycle, group_ids: list[int]
) -> list[CriterionRow]:
    responsibility = OuterRef("pk")
    # A lead group makes each member a lead of its own part ("Chủ trì"); EXISTS, no DISTINCT.
    leads = Exists(
        Responsibility.leads.through.objects.filter(responsibility=responsibility, agency=agency)
    ) | Exists(
        Responsibility.lead_groups.through.objects.filter(
            responsibility=responsibility, agencygroup__in=group_ids
        )
    )
    supports = Exists(
        Responsibility.supporting.through.objects.filter(
            responsibility=responsibility, agency=agency
        )
    ) | Exists(
        Responsibility.groups.through.objects.filter(
            responsibility=responsibility, agencygroup__in=group_ids
        )
    )
    responsibilities = list(
        Responsibility.objects.filter(plan=cycle.plan)
        .annotate(is_lead=ExpressionWrapper(leads, output_field=BooleanField()))
        .filter(leads | supports)
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
            is_lead=r.is_lead,
            last_score=last_scores.get(r.criterion_id),
            target=targets.get(r.criterion_id),
        )
        for r in responsibilities
    ]


def _task_rows(
    agency: Agency, cycle: ReportingCycle, task_ids: list[int], reports: dict[int, Report]
) -> list[TaskRow]:
    tasks = (
        Task.objects.filter(pk__in=task_ids)
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
    order = {pk: index for index, pk in enumerate(task_ids)}  # the page's order, not the plan's
    return [
        TaskRow(
            task=task, is_lead=task.is_lead, targets=task.year_targets, report=reports.get(task.pk)
        )
        for task in sorted(tasks, key=lambda task: order[task.pk])
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


class AgencyGroups:
    """The agency groups with their chosen members (two queries), to tell who belongs where.

    An agency reports on a task that names, as coordinator, a group it belongs to, and owns
    a sub-criterion whose lead group it belongs to.
    """

    def __init__(self) -> None:
        self.groups = list(AgencyGroup.objects.prefetch_related("agencies"))
        # AgencyGroup.includes as sets, for hundreds of agencies at a time.
        self._members = [
            (group.pk, set(group.kinds), {agency.pk for agency in group.agencies.all()})
            for group in self.groups
        ]

    def of(self, agency: Agency) -> frozenset[int]:
        """The ids of the groups the agency belongs to (no query)."""
        if not agency.is_active:
            return frozenset()
        return frozenset(
            pk for pk, kinds, chosen in self._members if agency.kind in kinds or agency.pk in chosen
        )
