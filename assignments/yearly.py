"""Writes of the agency's yearly report (models/yearly.py): opening it with its sections,
saving each section as a draft, sending it as a whole, and Sở Nội vụ's review by section.

The task sections are the agency's task reports, saved by services.save_report; this module
adds what the yearly report is made of beyond them. Every change of status is one
conditional UPDATE (… WHERE version = n), as in services.py.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from assignments.mail import mail_agency_on_commit
from assignments.models import (
    Agency,
    AgencyGroup,
    EvidenceDocument,
    EvidenceLink,
    Report,
    ReportingCycle,
    ReportTransition,
    Responsibility,
    ScoreProposal,
    Task,
    YearlyReport,
    YearlyTransition,
)
from assignments.progress import deadline_of
from assignments.services import STALE_MESSAGE
from criteria.models import Criterion

GENERAL = "general"


# -- The report and its sections ----------------------------------------------------------


def owned_criteria(agency: Agency, plan_id: int, group_ids: list[int]):
    """The sub-criteria the agency proposes a score for: the scored leaves of the plan's
    framework it leads, directly or through a group it belongs to (its own part of them).
    Those the ministry scores by survey are included: the agency reports what it did for
    them and may estimate, but no score is required."""
    # EXISTS with its joins inside: no DISTINCT over the tree.
    leads = Exists(
        Responsibility.objects.filter(plan=plan_id, criterion=OuterRef("pk")).filter(
            Q(leads=agency) | Q(lead_groups__in=group_ids)
        )
    )
    return (
        Criterion.objects.leaves()
        .filter(framework__plans=plan_id)
        .filter(leads)
        .order_by("sort_key")
    )


@transaction.atomic
def open_yearly_report(*, cycle: ReportingCycle, agency: Agency) -> YearlyReport:
    """The agency's report for the cycle, with a section for every task it leads or
    coordinates and every sub-criterion it owns; created the first time, and completed
    with the sections of tasks and owners added since (never removing any)."""
    report, _created = YearlyReport.objects.get_or_create(cycle=cycle, agency=agency)
    group_ids = AgencyGroup.objects.ids_including(agency)
    tasks = Task.objects.filter(content_area__plan=cycle.plan).for_agency(
        agency, group_ids=group_ids
    )
    Report.objects.bulk_create(
        [
            Report(cycle=cycle, agency=agency, task_id=pk, yearly=report)
            # Not exclude(reports__cycle=…, reports__agency=…): across a multi-valued relation
            # that drops a task with any report of the cycle and any report of the agency.
            for pk in tasks.exclude(
                Exists(Report.objects.filter(cycle=cycle, agency=agency, task=OuterRef("pk")))
            ).values_list("pk", flat=True)
        ],
        ignore_conflicts=True,
    )
    # Task reports written before the yearly report existed become its sections.
    Report.objects.filter(cycle=cycle, agency=agency, yearly__isnull=True).update(yearly=report)
    criteria = owned_criteria(agency, cycle.plan_id, group_ids).exclude(proposals__report=report)
    ScoreProposal.objects.bulk_create(
        [
            ScoreProposal(report=report, criterion_id=pk)
            for pk in criteria.values_list("pk", flat=True)
        ],
        ignore_conflicts=True,
    )
    return report


def _check_section_editable(yearly: YearlyReport, section_status: str) -> None:
    if not (yearly.is_editable and section_status in YearlyReport.EDITABLE_STATUSES):
        raise ValidationError(_("Phần này của báo cáo đã gửi, không sửa được nữa."))


@transaction.atomic
def save_proposal(
    *,
    proposal: ScoreProposal,
    by: AbstractBaseUser,
    score: Decimal | None,
    evidence_complete: bool,
    explanation: str,
    version: int,
) -> ScoreProposal:
    """Save the agency's proposed score of a sub-criterion as a draft; the maximum is the
    sub-criterion's."""
    yearly = YearlyReport.objects.select_for_update().get(pk=proposal.report_id)
    _check_section_editable(yearly, proposal.status)
    maximum = proposal.criterion.max_score
    if score is not None and not 0 <= score <= maximum:
        raise ValidationError(
            _("Điểm đề xuất của tiêu chí %(code)s phải từ 0 đến %(max)s."),
            params={"code": proposal.criterion.code, "max": number_format(maximum)},
            code="score",
        )
    ScoreProposal._meta.get_field("explanation").run_validators(explanation)
    updated = ScoreProposal.objects.filter(
        pk=proposal.pk, version=version, status=proposal.status
    ).update(
        score=score,
        evidence_complete=evidence_complete,
        explanation=explanation,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if not updated:
        raise ValidationError(STALE_MESSAGE, code="stale")
    proposal.refresh_from_db()
    ScoreProposal.history.bulk_history_create([proposal], update=True, default_user=by)
    return proposal


@transaction.atomic
def save_general(
    *, report: YearlyReport, by: AbstractBaseUser, difficulties: str, proposals: str, version: int
) -> YearlyReport:
    """Save the general difficulties and proposals as a draft."""
    locked = YearlyReport.objects.select_for_update().get(pk=report.pk)
    _check_section_editable(locked, locked.general_status)
    YearlyReport._meta.get_field("difficulties").run_validators(difficulties)
    YearlyReport._meta.get_field("proposals").run_validators(proposals)
    updated = YearlyReport.objects.filter(pk=report.pk, version=version).update(
        difficulties=difficulties,
        proposals=proposals,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if not updated:
        raise ValidationError(STALE_MESSAGE, code="stale")
    report.refresh_from_db()
    YearlyReport.history.bulk_history_create([report], update=True, default_user=by)
    return report


@transaction.atomic
def link_document(
    *, proposal: ScoreProposal, document: EvidenceDocument, location: str, by: AbstractBaseUser
) -> EvidenceLink:
    """Attach a document of the agency's library to a proposed score, with where inside it
    (section, page); the same document again only updates the place."""
    yearly = YearlyReport.objects.select_for_update().get(pk=proposal.report_id)
    _check_section_editable(yearly, proposal.status)
    if document.agency_id != yearly.agency_id:
        raise ValidationError(_("Tài liệu không thuộc thư viện của đơn vị."))
    EvidenceLink._meta.get_field("location").run_validators(location)
    link = EvidenceLink.objects.filter(proposal=proposal, document=document).first()
    if link is None:
        link = EvidenceLink(
            proposal=proposal, criterion_id=proposal.criterion_id, document=document
        )
    link.location = location.strip()
    link._history_user = by
    link.save()
    return link


@transaction.atomic
def unlink_document(*, link: EvidenceLink, by: AbstractBaseUser) -> None:
    """Take a document off a proposed score; it stays in the agency's library."""
    proposal = link.proposal
    yearly = YearlyReport.objects.select_for_update().get(pk=proposal.report_id)
    _check_section_editable(yearly, proposal.status)
    link._history_user = by
    link.delete()


# -- What is missing before sending -------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    """One thing the agency must still do before sending, and the section it is in."""

    section: str
    message: str


def missing_items(report: YearlyReport) -> list[Missing]:
    """What the agency must still fill before sending, in the report's order (2 queries):
    a result for every task it leads, a score for every sub-criterion it owns (but those
    scored by survey), and an explanation where that score has no evidence or incomplete
    evidence."""
    return missing_by_report([report])[report.pk]


def missing_by_report(reports: list[YearlyReport]) -> dict[int, list[Missing]]:
    """missing_items of several reports at once, by report id (2 queries, whatever their
    number)."""
    missing: dict[int, list[Missing]] = {report.pk: [] for report in reports}
    if not reports:
        return missing
    lead = Task.lead_agencies.through.objects.filter(
        task=OuterRef("task"), agency=OuterRef("agency")
    )
    task_reports = (
        Report.objects.filter(yearly__in=list(missing))
        .filter(Exists(lead), Q(narrative="") | Q(narrative__regex=r"^\s*$"))
        .select_related("task__content_area")
        .order_by("task__content_area__number", "task__number")
    )
    for task_report in task_reports:
        task = task_report.task
        missing[task_report.yearly_id].append(
            Missing(
                f"task-{task_report.pk}",
                _("Nhiệm vụ %(number)s (chủ trì): cần ghi kết quả thực hiện.")
                % {"number": f"{task.content_area.number}.{task.number}"},
            )
        )
    proposals = (
        ScoreProposal.objects.filter(report__in=list(missing))
        .select_related("criterion")
        .annotate(has_evidence=Exists(EvidenceLink.objects.filter(proposal=OuterRef("pk"))))
        .order_by("criterion__sort_key")
    )
    for proposal in proposals:
        code = proposal.criterion.code
        if proposal.criterion.is_survey:
            continue
        if proposal.score is None:
            missing[proposal.report_id].append(
                Missing(
                    f"proposal-{proposal.pk}",
                    _("Tiêu chí %(code)s: cần đề xuất điểm tự đánh giá.") % {"code": code},
                )
            )
        if not (proposal.has_evidence and proposal.evidence_complete) and not (
            proposal.explanation.strip()
        ):
            missing[proposal.report_id].append(
                Missing(
                    f"proposal-{proposal.pk}",
                    _(
                        "Tiêu chí %(code)s: chưa có tài liệu kiểm chứng hoặc tài liệu chưa "
                        "đầy đủ, cần giải trình."
                    )
                    % {"code": code},
                )
            )
    return missing


# -- Sending and review -------------------------------------------------------------------


def _move(
    report: YearlyReport, *, to: str, by: AbstractBaseUser, version: int, note: str = ""
) -> YearlyReport:
    updated = YearlyReport.objects.filter(
        pk=report.pk, version=version, status=report.status
    ).update(
        status=to,
        version=F("version") + 1,
        updated_at=timezone.now(),
        **({"submitted_at": timezone.now()} if to == YearlyReport.Status.SUBMITTED else {}),
    )
    if not updated:
        raise ValidationError(STALE_MESSAGE, code="stale")
    YearlyTransition.objects.create(
        report=report, from_status=report.status, to_status=to, by=by, note=note
    )
    report.refresh_from_db()
    YearlyReport.history.bulk_history_create([report], update=True, default_user=by)
    return report


def _move_sections(report: YearlyReport, *, to: str, by: AbstractBaseUser, note: str = "") -> None:
    """Give every section not yet accepted the report's new status, recording the step on
    each task report's own trail too."""
    open_statuses = [s for s in YearlyReport.Status.values if s != YearlyReport.Status.ACCEPTED]
    moved = list(report.task_reports.filter(status__in=open_statuses).exclude(status=to))
    ReportTransition.objects.bulk_create(
        ReportTransition(report=r, from_status=r.status, to_status=to, by=by, note=note)
        for r in moved
    )
    now = timezone.now()
    clear = {"review_comment": ""} if to != YearlyReport.Status.RETURNED else {}
    report.task_reports.filter(status__in=open_statuses).update(
        status=to, version=F("version") + 1, updated_at=now, **clear
    )
    report.score_proposals.filter(status__in=open_statuses).update(
        status=to, version=F("version") + 1, updated_at=now, **clear
    )
    if report.general_status != YearlyReport.Status.ACCEPTED:
        YearlyReport.objects.filter(pk=report.pk).update(
            general_status=to, **({"general_comment": ""} if clear else {})
        )


@transaction.atomic
def send_yearly_report(*, report: YearlyReport, by: AbstractBaseUser, version: int) -> YearlyReport:
    """Send the whole report to Sở Nội vụ, by the end of the deadline day or the extension,
    once nothing required is missing."""
    report = YearlyReport.objects.select_for_update().get(pk=report.pk)
    if not report.is_editable:
        raise ValidationError(_("Báo cáo đã gửi."))
    deadline = deadline_of(report.cycle, report.agency, today=timezone.localdate())
    if deadline.is_passed:
        raise ValidationError(
            _(
                "Đã quá hạn báo cáo ngày %(date)s. Đơn vị cần Sở Nội vụ gia hạn "
                "mới gửi được báo cáo."
            ),
            params={"date": date_format(deadline.date, "SHORT_DATE_FORMAT")},
        )
    missing = missing_items(report)
    if missing:
        raise ValidationError([m.message for m in missing], code="missing")
    _move_sections(report, to=YearlyReport.Status.SUBMITTED, by=by)
    return _move(report, to=YearlyReport.Status.SUBMITTED, by=by, version=version)


@transaction.atomic
def accept_yearly_report(
    *, report: YearlyReport, by: AbstractBaseUser, version: int, note: str = ""
) -> YearlyReport:
    """Sở Nội vụ accepts the whole report as it was at `version`."""
    if report.status != YearlyReport.Status.SUBMITTED:
        raise ValidationError(_("Chỉ chấp nhận được báo cáo đã gửi."))
    YearlyTransition._meta.get_field("note").run_validators(note)
    report = _move(
        report, to=YearlyReport.Status.ACCEPTED, by=by, version=version, note=note.strip()
    )
    _move_sections(report, to=YearlyReport.Status.ACCEPTED, by=by, note=note.strip())
    _mail_review(report, note=note.strip())
    return report


@transaction.atomic
def return_yearly_report(
    *,
    report: YearlyReport,
    by: AbstractBaseUser,
    version: int,
    comments: Mapping[str, str],
) -> YearlyReport:
    """Sở Nội vụ returns the report, reopening only the sections it comments on.

    `comments` maps a section key ("task-<id>", "proposal-<id>", "general") to the comment;
    empty comments are ignored, and at least one is needed.
    """
    if report.status != YearlyReport.Status.SUBMITTED:
        raise ValidationError(_("Chỉ trả lại được báo cáo đã gửi."))
    comments = {key: text.strip() for key, text in comments.items() if text and text.strip()}
    if not comments:
        raise ValidationError(_("Cần ghi nhận xét cho ít nhất một phần cần sửa."))
    for text in comments.values():
        Report._meta.get_field("review_comment").run_validators(text)
    tasks = {f"task-{r.pk}": r for r in report.task_reports.select_related("task__content_area")}
    proposals = {f"proposal-{p.pk}": p for p in report.score_proposals.select_related("criterion")}
    unknown = set(comments) - set(tasks) - set(proposals) - {GENERAL}
    if unknown:
        raise ValidationError(
            _("Phần báo cáo không tồn tại: %(keys)s."), params={"keys": ", ".join(sorted(unknown))}
        )
    lines = []
    now = timezone.now()
    for key, text in comments.items():
        if key == GENERAL:
            YearlyReport.objects.filter(pk=report.pk).update(
                general_status=YearlyReport.Status.RETURNED, general_comment=text
            )
            lines.append(_("Khó khăn, kiến nghị: %(text)s") % {"text": text})
        elif key in tasks:
            task_report = tasks[key]
            Report.objects.filter(pk=task_report.pk).update(
                status=Report.Status.RETURNED,
                review_comment=text,
                version=F("version") + 1,
                updated_at=now,
            )
            ReportTransition.objects.create(
                report=task_report,
                from_status=task_report.status,
                to_status=Report.Status.RETURNED,
                by=by,
                note=text,
            )
            task = task_report.task
            lines.append(
                _("Nhiệm vụ %(number)s: %(text)s")
                % {"number": f"{task.content_area.number}.{task.number}", "text": text}
            )
        else:
            proposal = proposals[key]
            ScoreProposal.objects.filter(pk=proposal.pk).update(
                status=Report.Status.RETURNED,
                review_comment=text,
                version=F("version") + 1,
                updated_at=now,
            )
            lines.append(
                _("Tiêu chí %(code)s: %(text)s") % {"code": proposal.criterion.code, "text": text}
            )
    report = _move(
        report, to=YearlyReport.Status.RETURNED, by=by, version=version, note="\n".join(lines)
    )
    _mail_review(report, note="\n".join(lines))
    return report


def _mail_review(report: YearlyReport, *, note: str) -> None:
    """Tell the agency's users that Sở Nội vụ accepted or returned its yearly report."""
    year = {"year": report.cycle.year}
    with translation.override(settings.LANGUAGE_CODE):
        if report.status == YearlyReport.Status.RETURNED:
            subject = _("Báo cáo năm %(year)s bị trả lại một số phần") % year
        else:
            subject = _("Báo cáo năm %(year)s đã được chấp nhận") % year
        body = render_to_string(
            "assignments/email/yearly_reviewed.txt", {"report": report, "note": note}
        )
    mail_agency_on_commit(report.agency, subject, body)
