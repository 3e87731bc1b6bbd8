"""The mail the portal owes: the outbox that keeps each mail until it is sent, and the
reminders sent before the deadline.

The sending is in assignments/mail.py.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assignments.models.agencies import Agency
from assignments.models.reporting import ReportingCycle


class OutgoingMailQuerySet(models.QuerySet):
    def pending(self) -> "OutgoingMailQuerySet":
        return self.filter(sent_at__isnull=True)


class OutgoingMail(models.Model):
    """A mail the portal owes someone, kept until it is sent.

    Written in the same transaction as the change it tells of, so that a mail server that
    fails delays the mail and never loses it: send_outbox and send_reminders send again
    whatever is still pending.
    """

    agency = models.ForeignKey(
        Agency,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outgoing_mails",
        verbose_name=_("đơn vị"),
    )
    to = models.EmailField(_("người nhận"))
    subject = models.CharField(_("tiêu đề"), max_length=300)
    body = models.TextField(_("nội dung"))
    created_at = models.DateTimeField(_("thời điểm tạo"), auto_now_add=True)
    sent_at = models.DateTimeField(_("thời điểm gửi"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần thử gửi"), default=0)
    last_error = models.TextField(_("lỗi lần thử gần nhất"), blank=True)

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        verbose_name = _("thư chờ gửi")
        verbose_name_plural = pgettext_lazy("plural", "thư chờ gửi")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at__isnull=True),
                name="outgoing_mail_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class Reminder(models.Model):
    """A reminder mail sent on a day: to one agency's users, or the summary to Sở Nội vụ.

    The row is written before the mail goes out, so that a second run on the same day
    finds it and sends nothing again.
    """

    cycle = models.ForeignKey(
        ReportingCycle,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("kỳ báo cáo"),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("đơn vị"),
        help_text=_("Để trống: bản tổng hợp gửi Sở Nội vụ."),
    )
    sent_on = models.DateField(_("ngày gửi"))
    recipients = models.TextField(_("người nhận"))
    sent_at = models.DateTimeField(_("thời điểm gửi"), auto_now_add=True)

    class Meta:
        verbose_name = _("thư nhắc hạn")
        verbose_name_plural = pgettext_lazy("plural", "thư nhắc hạn")
        ordering = ["-sent_on", "cycle", "agency"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "agency", "sent_on"],
                condition=Q(agency__isnull=False),
                name="reminder_once_a_day_per_agency",
            ),
            models.UniqueConstraint(
                fields=["cycle", "sent_on"],
                condition=Q(agency__isnull=True),
                name="reminder_summary_once_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sent_on} {self.agency or _('Tổng hợp cho Sở Nội vụ')}"
