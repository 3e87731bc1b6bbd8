"""Sở Nội vụ's side of the agencies' yearly reports (models/yearly.py), read-only: the
queue of reports waiting for review, each agency's line in the tracker, and one report
read section by section for its review.

The writes (accept, return by section) are in assignments/yearly.py.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from assignments.models import (
    Agency,
    Evidence,
    EvidenceLink,
    Extension,
    Report,
    ReportingCycle,
    Responsibility,
    ScoreProposal,
    Task,
    YearlyReport,
    YearlyTransition,
)
from assignments.progress import AgencyGroups, Deadline, TargetResult, targets_of_year
from assignments.yearly import GENERAL

# The tracker's status of an agency that has not opened its yearly report yet.
NOT_STARTED = "not_started"

# Whether the task report's agency leads its task.
_LEADS = Exists(
    Task.lead_agencies.through.objects.filter(task=OuterRef("task"), agency=OuterRef("agency"))
)
_BLANK = Q(narrative="") | Q(narrative__regex=r"^\s*$")


# -- Sở Nội vụ's review queue -------------------------------------------------------------


def yearly_queue() -> "QuerySet[YearlyReport]":
    """The yearly reports sent and waiting for review, the one waiting longest first, each
    with its numbers of task sections and of proposed scores. One query per page read."""
    tasks = (
        Report.objects.filter(yearly=OuterRef("pk"))
        .order_by()
        .values("yearly")
        .annotate(n=Count("pk"))
        .values("n")
    )
    proposals = (
        ScoreProposal.objects.filter(report=OuterRef("pk"))
        .order_by()
        .values("report")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        YearlyReport.objects.filter(status=YearlyReport.Status.SUBMITTED)
        .annotate(
            task_count=Coalesce(Subquery(tasks), 0),
            proposal_count=Coalesce(Subquery(proposals), 0),
        )
        .select_related("cycle", "agency")
        .order_by("submitted_at", "pk")
    )


# -- Sở Nội vụ's tracker ------------------------------------------------------------------


# The statuses in the order Sở Nội vụ follows them up: what waits on the agency first.
STATUS_ORDER = {
    YearlyReport.Status.RETURNED: 0,
    NOT_STARTED: 1,
    YearlyReport.Status.DRAFT: 2,
    YearlyReport.Status.SUBMITTED: 3,
    YearlyReport.Status.ACCEPTED: 4,
}
SENT = (YearlyReport.Status.SUBMITTED, YearlyReport.Status.ACCEPTED)


@dataclass
class YearlyProgress:
    """One agency's line in the tracker: its yearly report and how far it has got."""

    agency: Agency
    deadline: Deadline
    report: YearlyReport | None
    # Required sections: the tasks it leads (a result each) and the sub-criteria it owns
    # that are not scored by survey (a proposed score each).
    required: int
    filled: int

    @property
    def status(self) -> str:
        return self.report.status if self.report is not None else NOT_STARTED

    @property
    def submitted_at(self) -> datetime.datetime | None:
        return self.report.submitted_at if self.report is not None else None

    @property
    def is_sent(self) -> bool:
        return self.status in SENT

    @property
    def is_overdue(self) -> bool:
        return self.deadline.is_passed and not self.is_sent

    @property
    def filled_share(self) -> float:
        return self.filled / self.required if self.required else 1.0


def _required_sections(
    cycle: ReportingCycle, agencies: list[Agency], groups: AgencyGroups
) -> dict[int, int]:
    """Per agency id, the tasks it leads and the scored sub-criteria it owns, directly or
    through a group it belongs to (three queries)."""
    required: dict[int, int] = defaultdict(int)
    leads = Task.lead_agencies.through.objects.filter(task__content_area__plan=cycle.plan_id)
    for agency_id, count in (
        leads.values("agency").annotate(n=Count("pk")).values_list("agency", "n")
    ):
        required[agency_id] += count
    scored = Q(
        responsibility__plan=cycle.plan_id,
        responsibility__criterion__children__isnull=True,
        responsibility__criterion__is_survey=False,
    )
    owned: dict[int, set[int]] = defaultdict(set)
    for agency_id, criterion_id in Responsibility.leads.through.objects.filter(scored).values_list(
        "agency", "responsibility__criterion"
    ):
        owned[agency_id].add(criterion_id)
    by_group: dict[int, set[int]] = defaultdict(set)
    for group_id, criterion_id in Responsibility.lead_groups.through.objects.filter(
        scored
    ).values_list("agencygroup", "responsibility__criterion"):
        by_group[group_id].add(criterion_id)
    for agency in agencies:
        criteria = owned[agency.pk].union(*(by_group[pk] for pk in groups.of(agency)))
        required[agency.pk] += len(criteria)
    return required


def _with_work(cycle: ReportingCycle, groups: AgencyGroups) -> tuple[set[int], set[int]]:
    """The agencies named on a task of the plan (ids), and the groups named (two queries)."""
    tasks = Task.objects.filter(content_area__plan=cycle.plan_id)
    named = set(
        Task.coordinating_agencies.through.objects.filter(task__in=tasks).values_list(
            "agency", flat=True
        )
    )
    named_groups = set(
        Task.coordinating_groups.through.objects.filter(task__in=tasks).values_list(
            "agencygroup", flat=True
        )
    )
    return named, named_groups


def yearly_progress(
    cycle: ReportingCycle, *, today: datetime.date, kind: str | None = None
) -> list[YearlyProgress]:
    """Every agency with something to report in the cycle (a task it leads or coordinates,
    a sub-criterion it owns, or a yearly report opened), overdue ones first, then those
    whose report waits on them.

    Eleven queries, whatever the number of agencies: the groups and their chosen members,
    the agencies, the leads per agency, the owners directly and through groups, the
    coordinators and coordinating groups, the yearly reports, the task results and the
    proposed scores filled, the extensions.
    """
    groups = AgencyGroups()
    agencies = list(Agency.objects.all() if kind is None else Agency.objects.filter(kind=kind))
    required = _required_sections(cycle, agencies, groups)
    coordinators, coordinating_groups = _with_work(cycle, groups)
    reports = {report.agency_id: report for report in YearlyReport.objects.filter(cycle=cycle)}
    filled: dict[int, int] = defaultdict(int)
    results = (
        Report.objects.filter(cycle=cycle, yearly__isnull=False)
        .filter(_LEADS)
        .exclude(_BLANK)
        .values("agency")
        .annotate(n=Count("pk"))
        .values_list("agency", "n")
    )
    scores = (
        ScoreProposal.objects.filter(
            report__cycle=cycle, score__isnull=False, criterion__is_survey=False
        )
        .values("report__agency")
        .annotate(n=Count("pk"))
        .values_list("report__agency", "n")
    )
    for agency_id, count in [*results, *scores]:
        filled[agency_id] += count
    extensions = {ext.agency_id: ext for ext in Extension.objects.filter(cycle=cycle)}
    rows = []
    for agency in agencies:
        has_work = (
            required[agency.pk]
            or agency.pk in coordinators
            or groups.of(agency) & coordinating_groups
            or agency.pk in reports
        )
        if not has_work:
            continue
        extension = extensions.get(agency.pk)
        rows.append(
            YearlyProgress(
                agency=agency,
                deadline=Deadline(cycle.deadline_for(extension), extension, today),
                report=reports.get(agency.pk),
                required=required[agency.pk],
                filled=min(filled[agency.pk], required[agency.pk]),
            )
        )
    rows.sort(
        key=lambda row: (
            not row.is_overdue,
            STATUS_ORDER[row.status],
            row.deadline.date,
            row.agency.kind,
            row.agency.name,
        )
    )
    return rows


# -- One yearly report, section by section ------------------------------------------------


@dataclass(frozen=True)
class TaskSection:
    """A task the agency leads or coordinates: its report, the values against the year's
    targets and the files attached."""

    report: Report
    is_lead: bool
    results: list[TargetResult]
    evidence: list[Evidence]

    @property
    def key(self) -> str:
        return f"task-{self.report.pk}"


@dataclass(frozen=True)
class ProposalSection:
    """A sub-criterion the agency owns: its proposed score and the documents behind it."""

    proposal: ScoreProposal
    links: list[EvidenceLink]

    @property
    def key(self) -> str:
        return f"proposal-{self.proposal.pk}"


@dataclass
class YearlyReview:
    """What Sở Nội vụ reads to review one yearly report."""

    report: YearlyReport
    deadline: Deadline
    lead_tasks: list[TaskSection]
    coordinated_tasks: list[TaskSection]
    proposals: list[ProposalSection]
    transitions: list[YearlyTransition]
    general_key: str = field(default=GENERAL)

    @property
    def keys(self) -> list[str]:
        """Every section a comment may be written on, in the page's order."""
        sections = [*self.lead_tasks, *self.coordinated_tasks, *self.proposals]
        return [section.key for section in sections] + [GENERAL]


def build_review(report: YearlyReport, *, today: datetime.date) -> YearlyReview:
    """The report's sections as the reviewer reads them (eight queries)."""
    task_reports = list(
        report.task_reports.annotate(is_lead=_LEADS)
        .select_related("task__content_area")
        .prefetch_related(
            "values",
            Prefetch("evidence", queryset=Evidence.objects.select_related("document")),
        )
        .order_by("task__content_area__number", "task__number")
    )
    targets: dict[int, list] = defaultdict(list)
    for target in targets_of_year(report.cycle.year).filter(
        task__in=[r.task_id for r in task_reports]
    ):
        targets[target.task_id].append(target)
    sections = []
    for task_report in task_reports:
        values = {value.target_id: value.value for value in task_report.values.all()}
        sections.append(
            TaskSection(
                report=task_report,
                is_lead=task_report.is_lead,
                results=[
                    TargetResult(target, values.get(target.pk))
                    for target in targets[task_report.task_id]
                ],
                evidence=list(task_report.evidence.all()),
            )
        )
    proposals = (
        report.score_proposals.select_related("criterion")
        .prefetch_related(
            Prefetch(
                "evidence_links",
                queryset=EvidenceLink.objects.select_related("document").order_by(
                    "document__issued_on", "pk"
                ),
            )
        )
        .order_by("criterion__sort_key")
    )
    extension = Extension.objects.filter(cycle=report.cycle_id, agency=report.agency_id).first()
    return YearlyReview(
        report=report,
        deadline=Deadline(report.cycle.deadline_for(extension), extension, today),
        lead_tasks=[section for section in sections if section.is_lead],
        coordinated_tasks=[section for section in sections if not section.is_lead],
        proposals=[
            ProposalSection(proposal=p, links=list(p.evidence_links.all())) for p in proposals
        ],
        transitions=list(report.transitions.select_related("by")),
    )
