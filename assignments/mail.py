"""The mail the portal sends: letters to an agency's users kept in the outbox until sent,
and who receives them. The reminders before the deadline are in assignments/reminders.py.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assignments.models import Agency, OutgoingMail, Report, Role, Task

logger = logging.getLogger(__name__)


# -- Mail ---------------------------------------------------------------------------------


def agency_addresses(agency_ids: Iterable[int]) -> dict[int, list[str]]:
    """The addresses of the agencies' active users, by agency id (one query)."""
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


def noivu_addresses() -> list[str]:
    """The addresses of Sở Nội vụ's active staff (one query)."""
    return list(
        get_user_model()
        .objects.filter(groups__name=Role.NOIVU_STAFF.value, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


def one_per_address(subject: str, body: str, addresses: Iterable[str]) -> list[EmailMessage]:
    # One message per person: colleagues do not see each other's addresses.
    return [EmailMessage(subject, body, to=[address]) for address in addresses]


def mail_agency_on_commit(agency: Agency, subject: str, body: str) -> None:
    """Keep a mail to each of the agency's users with the change, and send them once it is
    committed; a mail that cannot go now stays in the outbox for send_outbox."""
    addresses = agency_addresses([agency.pk]).get(agency.pk, [])
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
