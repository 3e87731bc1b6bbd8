"""What the agency's workspace and login notice say of its yearly report: the sections Sở
Nội vụ returned, and how much is still missing before sending. Read-only."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from assignments.models import Agency, Report, ReportingCycle, ScoreProposal, YearlyReport
from assignments.yearly import GENERAL, missing_items


@dataclass(frozen=True)
class ReturnedSection:
    """A section Sở Nội vụ reopened, with its comment and its anchor on the report page."""

    anchor: str
    label: str
    comment: str


@dataclass
class YearlySummary:
    report: YearlyReport | None
    returned: list[ReturnedSection] = field(default_factory=list)
    missing: int = 0


def yearly_summary(*, agency: Agency, cycle: ReportingCycle) -> YearlySummary:
    """The agency's yearly report of the cycle, if opened: its returned sections (two
    queries, when returned) and the number of things missing (two, while editable)."""
    report = YearlyReport.objects.filter(cycle=cycle, agency=agency).first()
    if report is None:
        return YearlySummary(None)
    report.cycle, report.agency = cycle, agency  # read already
    summary = YearlySummary(report)
    if report.status == YearlyReport.Status.RETURNED:
        summary.returned = returned_sections([report])[report.pk]
    if report.is_editable:
        summary.missing = len(missing_items(report))
    return summary


def returned_sections(reports: list[YearlyReport]) -> dict[int, list[ReturnedSection]]:
    """The sections of returned reports that Sở Nội vụ reopened, with its comments, in the
    report's order, by report id (two queries)."""
    sections: dict[int, list[ReturnedSection]] = defaultdict(list)
    if not reports:
        return sections
    task_reports = (
        Report.objects.filter(yearly__in=reports, status=Report.Status.RETURNED)
        .select_related("task__content_area")
        .order_by("task__content_area__number", "task__number")
    )
    for task_report in task_reports:
        task = task_report.task
        sections[task_report.yearly_id].append(
            ReturnedSection(
                f"task-{task_report.pk}",
                _("Nhiệm vụ %(number)s") % {"number": f"{task.content_area.number}.{task.number}"},
                task_report.review_comment,
            )
        )
    proposals = (
        ScoreProposal.objects.filter(report__in=reports, status=Report.Status.RETURNED)
        .select_related("criterion")
        .order_by("criterion__sort_key")
    )
    for proposal in proposals:
        sections[proposal.report_id].append(
            ReturnedSection(
                f"proposal-{proposal.pk}",
                _("Tiêu chí %(code)s") % {"code": proposal.criterion.code},
                proposal.review_comment,
            )
        )
    for report in reports:
        if report.general_status == YearlyReport.Status.RETURNED:
            sections[report.pk].append(
                ReturnedSection(
                    GENERAL, _("Khó khăn, vướng mắc và kiến nghị"), report.general_comment
                )
            )
    return sections


def returned_section_count(agency: Agency) -> int:
    """How many sections of the agency's reports wait to be corrected (three queries): its
    task reports and proposed scores returned, and its general sections returned."""
    returned = Report.Status.RETURNED
    return (
        Report.objects.filter(agency=agency, status=returned).count()
        + ScoreProposal.objects.filter(
            report__agency=agency, report__status=returned, status=returned
        ).count()
        + YearlyReport.objects.filter(
            agency=agency, status=returned, general_status=returned
        ).count()
    )
