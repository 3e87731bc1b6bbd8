"""The reminders before the deadline of the yearly report (models/yearly.py): each agency
whose report is not sent is told, by mail, its report's state, the deadline and what is
still missing before it can send; Sở Nội vụ gets a summary of them.

An agency is due exactly when the tracker (review.yearly_progress) shows its yearly report
not sent (not started, draft or returned) and its deadline, with an extension, is within
the days given or passed. The mails are in Vietnamese whatever the page's language, and
each is claimed by a Reminder row so that an agency is mailed at most once a day.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assignments.mail import (
    OutboxRun,
    agency_addresses,
    noivu_addresses,
    one_per_address,
    send_outbox,
)
from assignments.models import (
    Agency,
    Reminder,
    ReportingCycle,
    Task,
    YearlyReport,
)
from assignments.review import NOT_STARTED, YearlyProgress, yearly_progress
from assignments.yearly import Missing, missing_by_report
from assignments.yearly_summary import ReturnedSection, returned_sections

logger = logging.getLogger(__name__)


@dataclass
class DueReport:
    """An agency whose yearly report is not sent, and what its reminder tells it."""

    row: YearlyProgress
    # What is still missing before the report can be sent, when it is opened.
    missing: list[Missing] = field(default_factory=list)
    # The sections Sở Nội vụ returned, with its comments, when the report is returned.
    returned: list[ReturnedSection] = field(default_factory=list)
    # For a report not opened yet: the tasks it leads (a result each) and the sub-criteria
    # it owns (a proposed score each), out of row.required.
    lead_tasks: int = 0

    @property
    def agency(self) -> Agency:
        return self.row.agency

    @property
    def is_opened(self) -> bool:
        return self.row.report is not None

    @property
    def owned_criteria(self) -> int:
        return self.row.required - self.lead_tasks

    @property
    def state(self) -> str:
        """The report's state in words: chưa bắt đầu, đang soạn, bị trả lại N phần cần sửa."""
        if self.row.status == NOT_STARTED:
            return _("chưa bắt đầu")
        if self.row.status == YearlyReport.Status.RETURNED:
            count = len(self.returned)
            return ngettext(
                "bị trả lại %(count)s phần cần sửa", "bị trả lại %(count)s phần cần sửa", count
            ) % {"count": count}
        return _("đang soạn")


@dataclass
class ReminderRun:
    """What one run of send_reminders (or one press of the tracker's button) did."""

    mailed: list[Agency] = field(default_factory=list)
    already_sent: list[Agency] = field(default_factory=list)
    without_address: list[Agency] = field(default_factory=list)
    failed: list[Agency] = field(default_factory=list)
    summaries: int = 0
    failed_summaries: int = 0
    outbox: OutboxRun = field(default_factory=OutboxRun)


def send_reminders(*, days: int) -> ReminderRun:
    """Mail each agency whose yearly report is not sent and due within `days` days or
    overdue, and Sở Nội vụ a summary of them.

    First sends what the outbox still holds (send_outbox). Covers the cycles of the
    current year. Each mail is claimed by a Reminder row that is committed before the mail
    goes out, so that a second run on the same day (or a run alongside) sends nothing
    twice; a mail that fails gives its claim back for the next run.
    """
    today = timezone.localdate()
    run = ReminderRun(outbox=send_outbox())
    with translation.override(settings.LANGUAGE_CODE):
        for cycle in ReportingCycle.objects.filter(year=today.year).select_related("plan"):
            _remind_cycle(cycle, days=days, today=today, run=run)
    return run


def remind_agency(cycle: ReportingCycle, agency: Agency) -> ReminderRun:
    """Mail one agency now, whatever the days left, while its yearly report is not sent.

    The same mail and the same claim as send_reminders: an agency already reminded today
    (by the command or by this) is not mailed again; Sở Nội vụ gets no summary. Nothing is
    mailed to an agency whose report is sent, or that has nothing to report (the run's
    lists stay empty).
    """
    today = timezone.localdate()
    run = ReminderRun()
    rows = [
        row
        for row in yearly_progress(cycle, today=today, kind=agency.kind)
        if row.agency == agency and not row.is_sent
    ]
    with translation.override(settings.LANGUAGE_CODE):  # the agency's mail, not the page's
        _remind_agencies(cycle, _due_reports(cycle, rows), today=today, run=run)
    return run


def _remind_cycle(
    cycle: ReportingCycle, *, days: int, today: datetime.date, run: ReminderRun
) -> None:
    rows = [
        row
        for row in yearly_progress(cycle, today=today)
        if not row.is_sent and row.deadline.days_left <= days
    ]
    if not rows:
        return
    due = _due_reports(cycle, rows)
    without_address = _remind_agencies(cycle, due, today=today, run=run)

    summary = render_to_string(
        "assignments/email/reminder_summary.txt",
        {"cycle": cycle, "due": due, "without_address": without_address},
    )
    subject = _("Tổng hợp tình hình báo cáo năm %(year)s") % {"year": cycle.year}
    messages = one_per_address(subject, summary, noivu_addresses())
    if messages:
        try:
            if _send_once(cycle, None, today, messages):
                run.summaries += 1
        except OSError:
            run.failed_summaries += 1


def _due_reports(cycle: ReportingCycle, rows: list[YearlyProgress]) -> list[DueReport]:
    """What each reminder says (at most five queries, whatever the number of agencies):
    what the opened reports still miss, the returned reports' sections with their comments,
    and the tasks led by the agencies that have not opened theirs."""
    due = [DueReport(row) for row in rows]
    opened = [item.row.report for item in due if item.is_opened]
    missing = missing_by_report(opened)
    returned = returned_sections(
        [report for report in opened if report.status == YearlyReport.Status.RETURNED]
    )
    not_opened = [item.agency.pk for item in due if not item.is_opened]
    leads: dict[int, int] = {}
    if not_opened:
        leads = dict(
            Task.lead_agencies.through.objects.filter(
                task__content_area__plan=cycle.plan_id, agency__in=not_opened
            )
            .values("agency")
            .annotate(n=Count("pk"))
            .values_list("agency", "n")
        )
    for item in due:
        if item.is_opened:
            item.missing = missing[item.row.report.pk]
            item.returned = returned[item.row.report.pk]
        else:
            item.lead_tasks = leads.get(item.agency.pk, 0)
    return due


def _remind_agencies(
    cycle: ReportingCycle, due: list[DueReport], *, today: datetime.date, run: ReminderRun
) -> list[Agency]:
    """Mail each agency of `due` its report's state and what it still misses, at most once
    a day; the agencies without an address, who get nothing, are returned."""
    if not due:
        return []
    addresses = agency_addresses(item.agency.pk for item in due)
    without_address = [item.agency for item in due if item.agency.pk not in addresses]
    run.without_address += without_address
    for item in due:
        if item.agency.pk not in addresses:
            continue
        body = render_to_string(
            "assignments/email/reminder_agency.txt", {"cycle": cycle, "due": item}
        )
        messages = one_per_address(_reminder_subject(cycle, item), body, addresses[item.agency.pk])
        try:
            sent = _send_once(cycle, item.agency, today, messages)
        except OSError:
            run.failed.append(item.agency)
            continue
        (run.mailed if sent else run.already_sent).append(item.agency)
    return without_address


def _reminder_subject(cycle: ReportingCycle, item: DueReport) -> str:
    params = {"year": cycle.year}
    if item.row.status == YearlyReport.Status.RETURNED:
        if item.row.deadline.is_passed:
            return _("Quá hạn báo cáo năm %(year)s: báo cáo bị trả lại chưa gửi lại") % params
        return _("Sắp đến hạn báo cáo năm %(year)s: báo cáo bị trả lại chưa gửi lại") % params
    if item.row.deadline.is_passed:
        return _("Quá hạn báo cáo năm %(year)s: báo cáo của đơn vị chưa gửi") % params
    return _("Sắp đến hạn báo cáo năm %(year)s: báo cáo của đơn vị chưa gửi") % params


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
