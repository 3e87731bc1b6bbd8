"""The mail the portal sends: letters to an agency's users kept in the outbox until sent,
and the reminders before the deadline, to the agencies and their summary to Sở Nội vụ.
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, mailers
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assignments.models import (
    Agency,
    OutgoingMail,
    Reminder,
    Report,
    ReportingCycle,
    Role,
    Task,
)
from assignments.progress import AgencyProgress, cycle_progress, outstanding_task_ids

logger = logging.getLogger(__name__)


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


def mail_agency_on_commit(agency: Agency, subject: str, body: str) -> None:
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


def mail_report_review(report: Report, *, note: str) -> None:
    """Tell the agency's users that Sở Nội vụ accepted or returned its report, and why."""
    task = {"task": _task_number(report.task)}
    with translation.override(settings.LANGUAGE_CODE):
        if report.status == Report.Status.RETURNED:
            subject = _("Báo cáo bị trả lại: nhiệm vụ %(task)s") % task
        else:
            subject = _("Báo cáo đã được chấp nhận: nhiệm vụ %(task)s") % task
        body = render_to_string(
            "assignments/email/report_reviewed.txt", {"report": report, "note": note}
        )
    mail_agency_on_commit(report.agency, subject, body)


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


def remind_agency(cycle: ReportingCycle, agency: Agency) -> ReminderRun:
    """Mail one agency now what it still has to send in the cycle, whatever the days left.

    The same mail and the same claim as send_reminders: an agency already reminded today
    (by the command or by this) is not mailed again; Sở Nội vụ gets no summary. Nothing is
    mailed to an agency with nothing left to send (the run's lists stay empty).
    """
    today = timezone.localdate()
    run = ReminderRun()
    due = [
        row
        for row in cycle_progress(cycle, today=today, kind=agency.kind)
        if row.agency == agency and row.outstanding
    ]
    with translation.override(settings.LANGUAGE_CODE):  # the agency's mail, not the page's
        _remind_agencies(cycle, due, today=today, run=run)
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
    without_address = _remind_agencies(cycle, due, today=today, run=run)

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


def _remind_agencies(
    cycle: ReportingCycle, due: list[AgencyProgress], *, today: datetime.date, run: ReminderRun
) -> list[Agency]:
    """Mail each agency of `due` its outstanding tasks, at most once a day; the agencies
    without an address, who get nothing, are returned."""
    if not due:
        return []
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
    return without_address


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
