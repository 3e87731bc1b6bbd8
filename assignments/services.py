"""Writes that assign the plan's work to agencies, and those of the agencies' reports.

Every change of a report's status is one conditional UPDATE (… WHERE version = n) that
also raises the version: of two people acting on the same page, the second is refused
with a message instead of silently undoing the first.
"""

import datetime
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage, mailers
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.forms.models import BaseInlineFormSet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assignments.matching import AgencyRegistry, Match
from assignments.models import (
    Agency,
    AgencyGroup,
    Evidence,
    Extension,
    OutgoingMail,
    Reminder,
    Report,
    ReportingCycle,
    ReportTransition,
    ReportValue,
    Responsibility,
    Role,
    Task,
    TaskTarget,
)
from assignments.progress import (
    AgencyProgress,
    cycle_progress,
    deadline_of,
    outstanding_task_ids,
)
from criteria.models import Action, Criterion, Plan

if TYPE_CHECKING:
    from assignments.forms import TaskForm


@dataclass(frozen=True)
class UnrecognisedAction:
    """An action text in which no agency or group is recognised: a person must assign it."""

    code: str
    text: str


def find_unrecognised(
    actions: Iterable[tuple[str, str]], *, registry: AgencyRegistry
) -> list[UnrecognisedAction]:
    """The (code, text) pairs whose text names no agency, in the order given."""
    return [
        UnrecognisedAction(code, text)
        for code, text in actions
        if not registry.match(text).recognised
    ]


LINK_FIELDS = {
    # field of Responsibility: attribute of Match
    "leads": "leads",
    "lead_groups": "lead_groups",
    "supporting": "supporting",
    "groups": "groups",
}


@dataclass
class _Links:
    """The agency links a responsibility has and those its action text asks for."""

    responsibility: Responsibility
    match: Match
    current: dict[str, set[int]]


def _task_leads(plan: Plan) -> dict[str, list[Agency]]:
    """The agencies leading the section II tasks that serve each criterion, by its code."""
    serves = Task.criteria.through.objects.filter(task__content_area__plan=plan)
    tasks_of: dict[str, list[int]] = {}
    ordered = serves.order_by("task__content_area__number", "task__number")
    for code, task_id in ordered.values_list("criterion__code", "task_id"):
        tasks_of.setdefault(code, []).append(task_id)
    led = Task.lead_agencies.through.objects.filter(task__content_area__plan=plan)
    leads_of: dict[int, list[Agency]] = {}
    for link in led.select_related("agency").order_by("pk"):
        leads_of.setdefault(link.task_id, []).append(link.agency)
    return {
        code: list(dict.fromkeys(a for t in task_ids for a in leads_of.get(t, [])))
        for code, task_ids in tasks_of.items()
    }


def _served_by(code: str, task_leads: dict[str, list[Agency]]) -> list[Agency]:
    """The leads of the tasks serving a criterion, or else its nearest ancestor that has some."""
    while code:
        if task_leads.get(code):
            return task_leads[code]
        code = code.rpartition(".")[0]
    return []


@transaction.atomic
def assign_from_actions(
    *, plan: Plan, registry: AgencyRegistry | None = None
) -> list[UnrecognisedAction]:
    """Propose who leads and who supports each scored criterion of the plan.

    Every leaf of the plan's framework, and every criterion with an action, gets a
    Responsibility. Its owners are read from the action text (one lead per bullet with a
    different doer); where the text names no doer (1.2 has no text, 8.1 is scored by survey)
    they are the leads of the section II tasks that serve the criterion, marked as such.
    One that Sở Nội vụ has edited keeps its agencies; only whether its text is recognised
    is refreshed. A responsibility whose criterion has neither action nor place among the
    leaves is removed unless it was edited. Only what differs is written, in a few bulk
    statements; each responsibility created or changed, links included, gets one history
    record holding its agency links as written. A second run only reads.
    """
    registry = registry or AgencyRegistry.load()
    texts = {
        action.criterion_id: action.text
        for action in Action.objects.filter(plan=plan).only("criterion_id", "text")
    }
    # Leaves by their codes, as the appendix writes the tree: "1.2" has no "1.2.x" below it.
    framework = list(Criterion.objects.filter(framework=plan.framework_id).order_by("sort_key"))
    parents = {criterion.code.rpartition(".")[0] for criterion in framework}
    criteria = [c for c in framework if c.pk in texts or c.code not in parents]
    task_leads = _task_leads(plan)
    existing = {
        responsibility.criterion_id: responsibility
        for responsibility in Responsibility.objects.filter(plan=plan).prefetch_related(
            *LINK_FIELDS
        )
    }
    unrecognised: list[UnrecognisedAction] = []
    created: list[Responsibility] = []
    updated: list[Responsibility] = []
    links: list[_Links] = []
    for criterion in criteria:
        text = texts.get(criterion.pk, "")
        match = registry.match(text)
        basis = Responsibility.Basis.ACTION
        served_by = [] if match.has_lead else _served_by(criterion.code, task_leads)
        if served_by:
            match = Match(
                leads=served_by,
                supporting=[a for a in match.supporting if a not in served_by],
                groups=match.groups,
            )
            basis = (
                Responsibility.Basis.SURVEY if criterion.is_survey else Responsibility.Basis.TASK
            )
        if not match.recognised and criterion.pk in texts:
            unrecognised.append(UnrecognisedAction(criterion.code, text))
        responsibility = existing.pop(criterion.pk, None)
        if responsibility is None:
            responsibility = Responsibility(plan=plan, criterion=criterion)
            created.append(responsibility)
            links.append(_Links(responsibility, match, {name: set() for name in LINK_FIELDS}))
        elif not responsibility.is_edited:
            current = {
                name: {linked.pk for linked in getattr(responsibility, name).all()}
                for name in LINK_FIELDS
            }
            links.append(_Links(responsibility, match, current))
        if responsibility.is_edited:
            basis = responsibility.basis
        wanted = (basis, match.recognised)
        if responsibility.pk and (responsibility.basis, responsibility.is_recognised) != wanted:
            updated.append(responsibility)
        responsibility.basis, responsibility.is_recognised = wanted

    # Written first, their history last: the history records must hold the links.
    Responsibility.objects.bulk_create(created)
    Responsibility.objects.bulk_update(updated, ["basis", "is_recognised"])
    relinked: set[int] = set()
    for name, attribute in LINK_FIELDS.items():
        relinked |= _write_links(
            name,
            {
                link.responsibility.pk: (
                    link.current[name],
                    {owner.pk for owner in getattr(link.match, attribute)},
                )
                for link in links
            },
        )
    new = {responsibility.pk for responsibility in created}
    changed = {responsibility.pk: responsibility for responsibility in updated} | {
        link.responsibility.pk: link.responsibility
        for link in links
        if link.responsibility.pk in relinked - new
    }
    _record_history(created, update=False)
    _record_history(list(changed.values()), update=True)
    gone = [
        responsibility.pk for responsibility in existing.values() if not responsibility.is_edited
    ]
    if gone:
        Responsibility.objects.filter(pk__in=gone).delete()
    return unrecognised


def _write_links(field: str, links: dict[int, tuple[set[int], set[int]]]) -> set[int]:
    """Bring one many-to-many field of responsibilities from the ids they have to those
    wanted: one delete and one insert at most. `links` maps a responsibility's pk to
    (current ids, wanted ids). Returns the pks of the responsibilities changed."""
    relation = Responsibility._meta.get_field(field)
    through = relation.remote_field.through
    target = relation.m2m_reverse_field_name()  # "agency" or "agencygroup"
    removed = Q()
    added = []
    for pk, (current, wanted) in links.items():
        if current - wanted:
            removed |= Q(responsibility_id=pk, **{f"{target}_id__in": current - wanted})
        added += [
            through(responsibility_id=pk, **{f"{target}_id": id_}) for id_ in wanted - current
        ]
    if removed:
        through.objects.filter(removed).delete()
    through.objects.bulk_create(added)
    return {pk for pk, (current, wanted) in links.items() if current != wanted}


def _record_history(responsibilities: list[Responsibility], *, update: bool) -> None:
    """One history record for each responsibility, with its agency links as they now are,
    as simple-history records a single save: in bulk, a few statements in all."""
    if not responsibilities:
        return
    records = Responsibility.history.bulk_history_create(responsibilities, update=update)
    record_of = {record.id: record for record in records}
    for name in LINK_FIELDS:
        through = Responsibility._meta.get_field(name).remote_field.through
        snapshot = apps.get_model("assignments", f"HistoricalResponsibility_{name}")
        rows = through.objects.filter(responsibility__in=record_of).values()
        snapshot.objects.bulk_create(
            snapshot(history=record_of[row["responsibility_id"]], **row) for row in rows
        )


def leaves_without_confirmed_owner(plan: Plan) -> list[tuple[Criterion, Responsibility | None]]:
    """The plan's scored sub-criteria (leaves, by code) whose owners Sở Nội vụ has not
    confirmed, with their proposed responsibility if any; two queries."""
    framework = list(Criterion.objects.filter(framework=plan.framework_id).order_by("sort_key"))
    parents = {criterion.code.rpartition(".")[0] for criterion in framework}
    responsibilities = {
        responsibility.criterion_id: responsibility
        for responsibility in Responsibility.objects.filter(plan=plan)
    }
    return [
        (criterion, responsibilities.get(criterion.pk))
        for criterion in framework
        if criterion.code not in parents
        and not getattr(responsibilities.get(criterion.pk), "is_confirmed", False)
    ]


@transaction.atomic
def update_responsibility(
    *,
    responsibility: Responsibility,
    leads: Iterable[Agency],
    lead_groups: Iterable[AgencyGroup] = (),
    supporting: Iterable[Agency],
    groups: Iterable[AgencyGroup],
) -> Responsibility:
    """Sở Nội vụ's owners of a criterion: confirmed, and kept by later imports."""
    responsibility.is_edited = True
    responsibility.is_confirmed = True
    responsibility.save()
    responsibility.leads.set(leads)
    responsibility.lead_groups.set(lead_groups)
    responsibility.supporting.set(supporting)
    responsibility.groups.set(groups)
    return responsibility


@transaction.atomic
def save_task(*, form: "TaskForm", targets: BaseInlineFormSet) -> Task:
    """Save a task and its targets together, or neither; then propose again the owners of
    the sub-criteria whose text names none (they come from the tasks that serve them)."""
    task = form.save()
    targets.instance = task
    targets.save()
    assign_from_actions(plan=task.content_area.plan)
    return task


logger = logging.getLogger(__name__)

STALE_MESSAGE = gettext_lazy(
    "Báo cáo vừa được người khác cập nhật. Trang đã hiện nội dung mới nhất; "
    "xin kiểm tra và thực hiện lại."
)


# -- Cycles and extensions ----------------------------------------------------------------


@transaction.atomic
def open_cycle(*, plan: Plan, year: int, deadline: datetime.date | None = None) -> ReportingCycle:
    """Open a year's reporting cycle, due 25/11 of that year unless another date is given."""
    if not plan.first_year <= year <= plan.last_year:
        raise ValidationError(
            _("Năm %(year)s nằm ngoài thời gian của kế hoạch (%(first)s–%(last)s)."),
            params={"year": year, "first": plan.first_year, "last": plan.last_year},
        )
    if ReportingCycle.objects.filter(plan=plan, year=year).exists():
        raise ValidationError(_("Kỳ báo cáo năm %(year)s đã có."), params={"year": year})
    return ReportingCycle.objects.create(
        plan=plan, year=year, deadline=deadline or ReportingCycle.default_deadline(year)
    )


@transaction.atomic
def grant_extension(
    *,
    cycle: ReportingCycle,
    agency: Agency,
    until: datetime.date,
    reason: str,
    by: AbstractBaseUser,
) -> Extension:
    """Let an agency submit until a later date; a second grant replaces the first."""
    if until <= cycle.deadline:
        raise ValidationError(
            _("Ngày gia hạn phải sau hạn báo cáo %(deadline)s."),
            params={"deadline": date_format(cycle.deadline, "SHORT_DATE_FORMAT")},
        )
    Extension._meta.get_field("reason").run_validators(reason.strip())
    extension, _created = Extension.objects.update_or_create(
        cycle=cycle,
        agency=agency,
        defaults={"until": until, "reason": reason.strip(), "granted_by": by},
    )
    # Letters go out in the portal's language, whichever language the sender's screen shows.
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Gia hạn báo cáo năm %(year)s") % {"year": cycle.year}
        body = render_to_string(
            "assignments/email/extension_granted.txt", {"extension": extension, "cycle": cycle}
        )
    _mail_agency_on_commit(agency, subject, body)
    return extension


# -- Reports ------------------------------------------------------------------------------


@transaction.atomic
def start_report(*, cycle: ReportingCycle, agency: Agency, task: Task) -> Report:
    """The agency's report on a task for the year, created as a draft the first time."""
    report, _created = Report.objects.get_or_create(cycle=cycle, agency=agency, task=task)
    return report


@transaction.atomic
def save_report(
    *,
    report: Report,
    by: AbstractBaseUser,
    progress: str,
    narrative: str,
    values: Mapping[int, Decimal | None],
    version: int,
) -> Report:
    """Save an agency's edits; a returned report goes back to draft.

    `version` is the one the editor's page was built from; `values` maps each of the
    task's target ids to the value achieved, None to clear it.
    """
    if not report.is_editable:
        raise ValidationError(_("Báo cáo đã gửi, không sửa được nữa."))
    Report._meta.get_field("narrative").run_validators(narrative)
    updated = Report.objects.filter(pk=report.pk, version=version, status=report.status).update(
        progress=progress,
        narrative=narrative,
        status=Report.Status.DRAFT,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if not updated:
        raise ValidationError(STALE_MESSAGE, code="stale")
    targets = set(
        TaskTarget.objects.filter(task=report.task_id, pk__in=list(values)).values_list(
            "pk", flat=True
        )
    )
    for target_id, value in values.items():
        if target_id not in targets:
            raise ValidationError(_("Chỉ tiêu không thuộc nhiệm vụ của báo cáo."))
        if value is None:
            ReportValue.objects.filter(report=report, target_id=target_id).delete()
        else:
            ReportValue.objects.update_or_create(
                report=report, target_id=target_id, defaults={"value": value}
            )
    previous = report.status
    report.refresh_from_db()
    if previous != report.status:
        ReportTransition.objects.create(
            report=report, from_status=previous, to_status=report.status, by=by
        )
    Report.history.bulk_history_create([report], update=True, default_user=by)
    return report


@transaction.atomic
def submit_report(*, report: Report, by: AbstractBaseUser) -> Report:
    """Send a draft to Sở Nội vụ, through the end of the deadline day or the extension."""
    if report.status != Report.Status.DRAFT:
        raise ValidationError(_("Chỉ gửi được báo cáo đang soạn."))
    deadline = deadline_of(report.cycle, report.agency, today=timezone.localdate())
    if deadline.is_passed:
        raise ValidationError(
            _(
                "Đã quá hạn báo cáo ngày %(date)s. Đơn vị cần Sở Nội vụ gia hạn "
                "mới gửi được báo cáo."
            ),
            params={"date": date_format(deadline.date, "SHORT_DATE_FORMAT")},
        )
    if not report.narrative.strip():
        raise ValidationError(_("Cần ghi kết quả thực hiện trước khi gửi báo cáo."))
    return _move(report, to=Report.Status.SUBMITTED, by=by)


@transaction.atomic
def accept_report(*, report: Report, by: AbstractBaseUser, version: int, note: str = "") -> Report:
    """Sở Nội vụ accepts a submitted report, as it was at `version` (the one the page showed)."""
    if report.status != Report.Status.SUBMITTED:
        raise ValidationError(_("Chỉ chấp nhận được báo cáo đã gửi."))
    report = _move(report, to=Report.Status.ACCEPTED, by=by, note=note.strip(), version=version)
    _mail_report_review(report, note=note.strip())
    return report


@transaction.atomic
def return_report(*, report: Report, by: AbstractBaseUser, reason: str, version: int) -> Report:
    """Sở Nội vụ returns a submitted report to its agency, saying why, as it was at `version`."""
    if report.status != Report.Status.SUBMITTED:
        raise ValidationError(_("Chỉ trả lại được báo cáo đã gửi."))
    if not reason.strip():
        raise ValidationError(_("Cần ghi lý do trả lại báo cáo."))
    report = _move(report, to=Report.Status.RETURNED, by=by, note=reason.strip(), version=version)
    _mail_report_review(report, note=reason.strip())
    return report


def _move(
    report: Report,
    *,
    to: Report.Status,
    by: AbstractBaseUser,
    note: str = "",
    version: int | None = None,
) -> Report:
    """Change the status if nobody changed the report since it was read, and record who did.

    `version`: the one the actor's page showed; by default the one `report` was loaded with.
    """
    ReportTransition._meta.get_field("note").run_validators(note)
    updated = Report.objects.filter(
        pk=report.pk,
        version=report.version if version is None else version,
        status=report.status,
    ).update(status=to, version=F("version") + 1, updated_at=timezone.now())
    if not updated:
        raise ValidationError(STALE_MESSAGE, code="stale")
    ReportTransition.objects.create(
        report=report, from_status=report.status, to_status=to, by=by, note=note
    )
    report.refresh_from_db()
    Report.history.bulk_history_create([report], update=True, default_user=by)
    return report


# -- Evidence -----------------------------------------------------------------------------


def _lock_editable(report: Report, refusal: str) -> None:
    """Lock the report's row and read its status again: the page may have read it before
    the report was sent. Sending waits for the lock, so a file is either added (or removed)
    before the report goes, or refused."""
    status = Report.objects.select_for_update().values_list("status", flat=True).get(pk=report.pk)
    if status not in Report.EDITABLE_STATUSES:
        raise ValidationError(refusal)


@transaction.atomic
def add_evidence(
    *,
    report: Report,
    upload: UploadedFile,
    content_type: str,
    extension: str,
    by: AbstractBaseUser,
) -> Evidence:
    """Store a checked file under a generated name (see forms.check_evidence)."""
    _lock_editable(report, _("Báo cáo đã gửi, không thêm tài liệu được nữa."))
    evidence = Evidence(
        report=report,
        original_name=upload.name,
        content_type=content_type,
        size=upload.size,
        uploaded_by=by,
    )
    evidence._history_user = by
    # The stored name takes its suffix from the checked content, never from the user.
    evidence.file.save(f"evidence{extension}", upload, save=False)
    try:
        evidence.save()
    except Exception:
        evidence.file.delete(save=False)
        raise
    return evidence


@transaction.atomic
def delete_evidence(*, evidence: Evidence, by: AbstractBaseUser) -> None:
    _lock_editable(evidence.report, _("Báo cáo đã gửi, không xóa tài liệu được nữa."))
    storage, name = evidence.file.storage, evidence.file.name
    evidence._history_user = by
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(name))


# -- Mail ---------------------------------------------------------------------------------


def _agency_addresses(agency_ids: Iterable[int]) -> dict[int, list[str]]:
    users = (
        get_user_model()
        .objects.filter(membership__agency__in=list(agency_ids), is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("membership__agency_id", "email")
    )
    addresses: dict[int, list[str]] = {}
    for agency_id, email in users:
        addresses.setdefault(agency_id, []).append(email)
    return addresses


def _noivu_addresses() -> list[str]:
    return list(
        get_user_model()
        .objects.filter(groups__name=Role.NOIVU_STAFF.value, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


def _messages(subject: str, body: str, addresses: Iterable[str]) -> list[EmailMessage]:
    # One message per person: colleagues do not see each other's addresses.
    return [EmailMessage(subject, body, to=[address]) for address in addresses]


def _mail_agency_on_commit(agency: Agency, subject: str, body: str) -> None:
    """Keep a mail to each of the agency's users with the change, and send them once it is
    committed; a mail that cannot go now stays in the outbox for send_outbox."""
    addresses = _agency_addresses([agency.pk]).get(agency.pk, [])
    mails = OutgoingMail.objects.bulk_create(
        OutgoingMail(agency=agency, to=address, subject=subject, body=body) for address in addresses
    )
    if mails:
        ids = [mail.pk for mail in mails]
        # robust: whatever the mail server does, the change is saved and the page answers.
        transaction.on_commit(lambda: send_outbox(ids=ids), robust=True)


def has_pending_mail(agency: Agency) -> bool:
    """Whether a mail to the agency's users is still waiting in the outbox."""
    return OutgoingMail.objects.pending().filter(agency=agency).exists()


@dataclass
class OutboxRun:
    """What one pass over the outbox did."""

    sent: int = 0
    failed: int = 0


def send_outbox(*, ids: Iterable[int] | None = None) -> OutboxRun:
    """Send the pending mails (those of `ids` only, when given), each at most once.

    Each mail is locked while it is sent and marked sent in the same transaction, so that
    two runs at once send it once; one the server refuses stays pending with its error.
    """
    run = OutboxRun()
    pending = OutgoingMail.objects.pending().order_by("created_at", "pk")
    if ids is not None:
        pending = pending.filter(pk__in=list(ids))
    for pk in list(pending.values_list("pk", flat=True)):
        with transaction.atomic():
            mail = (
                OutgoingMail.objects.select_for_update(skip_locked=True)
                .pending()
                .filter(pk=pk)
                .first()
            )
            if mail is None:  # sent by a run alongside
                continue
            mail.attempts += 1
            try:
                mailers.default.send_messages([EmailMessage(mail.subject, mail.body, to=[mail.to])])
            except Exception as error:
                logger.warning("Mail %s to %s not sent: %r", mail.pk, mail.to, error)
                mail.last_error = repr(error)[:1000]
                mail.save(update_fields=["attempts", "last_error"])
                run.failed += 1
                continue
            mail.sent_at = timezone.now()
            mail.save(update_fields=["attempts", "sent_at"])
            run.sent += 1
    return run


def _mail_report_review(report: Report, *, note: str) -> None:
    task = {"task": _task_number(report.task)}
    with translation.override(settings.LANGUAGE_CODE):
        if report.status == Report.Status.RETURNED:
            subject = _("Báo cáo bị trả lại: nhiệm vụ %(task)s") % task
        else:
            subject = _("Báo cáo đã được chấp nhận: nhiệm vụ %(task)s") % task
        body = render_to_string(
            "assignments/email/report_reviewed.txt", {"report": report, "note": note}
        )
    _mail_agency_on_commit(report.agency, subject, body)


def _task_number(task: Task) -> str:
    return f"{task.content_area.number}.{task.number}"


# -- Reminders ----------------------------------------------------------------------------


@dataclass
class ReminderRun:
    """What one run of send_reminders did."""

    mailed: list[Agency] = field(default_factory=list)
    already_sent: list[Agency] = field(default_factory=list)
    without_address: list[Agency] = field(default_factory=list)
    failed: list[Agency] = field(default_factory=list)
    summaries: int = 0
    failed_summaries: int = 0
    outbox: OutboxRun = field(default_factory=OutboxRun)


def send_reminders(*, days: int) -> ReminderRun:
    """Mail each agency what is due within `days` days or overdue, and Sở Nội vụ a summary.

    First sends what the outbox still holds (send_outbox). Covers the cycles of the
    current year. Each mail is claimed by a Reminder row that is
    committed before the mail goes out, so that a second run on the same day (or a run
    alongside) sends nothing twice; a mail that fails gives its claim back for the next run.
    """
    today = timezone.localdate()
    run = ReminderRun(outbox=send_outbox())
    for cycle in ReportingCycle.objects.filter(year=today.year).select_related("plan"):
        _remind_cycle(cycle, days=days, today=today, run=run)
    return run


def _remind_cycle(
    cycle: ReportingCycle, *, days: int, today: datetime.date, run: ReminderRun
) -> None:
    due = [
        row
        for row in cycle_progress(cycle, today=today)
        if row.outstanding and row.deadline.days_left <= days
    ]
    if not due:
        return
    outstanding = outstanding_task_ids(cycle, [row.agency for row in due])
    tasks = Task.objects.select_related("content_area").in_bulk(
        {task_id for task_ids in outstanding.values() for task_id in task_ids}
    )
    addresses = _agency_addresses(row.agency.pk for row in due)
    without_address = [row.agency for row in due if row.agency.pk not in addresses]
    run.without_address += without_address
    for row in due:
        if row.agency in without_address:
            continue
        body = render_to_string(
            "assignments/email/reminder_agency.txt",
            {
                "cycle": cycle,
                "row": row,
                "tasks": [tasks[task_id] for task_id in outstanding[row.agency.pk]],
            },
        )
        messages = _messages(_reminder_subject(cycle, row), body, addresses[row.agency.pk])
        try:
            sent = _send_once(cycle, row.agency, today, messages)
        except OSError:
            run.failed.append(row.agency)
            continue
        (run.mailed if sent else run.already_sent).append(row.agency)

    summary = render_to_string(
        "assignments/email/reminder_summary.txt",
        {"cycle": cycle, "rows": due, "without_address": without_address},
    )
    subject = _("Tổng hợp tình hình báo cáo năm %(year)s") % {"year": cycle.year}
    messages = _messages(subject, summary, _noivu_addresses())
    if messages:
        try:
            if _send_once(cycle, None, today, messages):
                run.summaries += 1
        except OSError:
            run.failed_summaries += 1


def _reminder_subject(cycle: ReportingCycle, row: AgencyProgress) -> str:
    params = {"year": cycle.year, "count": row.outstanding}
    if row.deadline.is_passed:
        return _("Quá hạn báo cáo năm %(year)s: còn %(count)s nhiệm vụ chưa gửi") % params
    return _("Sắp đến hạn báo cáo năm %(year)s: còn %(count)s nhiệm vụ chưa gửi") % params


def _send_once(
    cycle: ReportingCycle,
    agency: Agency | None,
    today: datetime.date,
    messages: list[EmailMessage],
) -> bool:
    """Claim today's mail and send it: False when it was sent already today.

    A mail that fails gives its claim back and raises (smtplib's errors are OSErrors).
    """
    try:
        with transaction.atomic():
            claim = Reminder.objects.create(
                cycle=cycle,
                agency=agency,
                sent_on=today,
                recipients=", ".join(address for m in messages for address in m.to),
            )
    except IntegrityError:
        return False
    try:
        mailers.default.send_messages(messages)
    except OSError:
        logger.exception("Reminder to %s not sent", agency or "Sở Nội vụ")
        claim.delete()
        raise
    return True
