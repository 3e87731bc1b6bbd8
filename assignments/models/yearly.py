"""The agency's year in one report (Section III of the plan): the tasks it leads and
coordinates (its task reports, models/reporting.py, are the report's task sections), a
proposed self-score for every sub-criterion it owns with evidence documents and an
explanation, and its general difficulties and proposals. Sent once, as a whole; Sở Nội vụ
accepts it or returns the sections that need work, each with a comment.

The writes are in assignments/yearly.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from assignments.models.agencies import Agency
from assignments.models.reporting import (
    NARRATIVE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Report,
    ReportingCycle,
)
from criteria.models import SCORE_DIGITS, MaxTextLengthValidator

# An explanation (giải trình) of a score without complete evidence: a page or two.
EXPLANATION_MAX_LENGTH = 10_000


class YearlyReport(models.Model):
    """An agency's report for one cycle, moving draft → submitted → accepted or returned.

    Its sections share its status: each task report and each score proposal carries the
    status of its own section, which is RETURNED only for the sections Sở Nội vụ reopened.
    """

    Status = Report.Status
    # An agency edits its report while drafting it and, section by section, after Sở Nội
    # vụ returns it.
    EDITABLE_STATUSES = Report.EDITABLE_STATUSES

    cycle = models.ForeignKey(
        ReportingCycle,
        on_delete=models.PROTECT,
        related_name="yearly_reports",
        verbose_name=_("kỳ báo cáo"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="yearly_reports", verbose_name=_("đơn vị")
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    difficulties = models.TextField(
        _("khó khăn, vướng mắc"),
        blank=True,
        validators=[MaxTextLengthValidator(NARRATIVE_MAX_LENGTH, _("Khó khăn, vướng mắc"))],
    )
    proposals = models.TextField(
        _("kiến nghị, đề xuất"),
        blank=True,
        validators=[MaxTextLengthValidator(NARRATIVE_MAX_LENGTH, _("Kiến nghị, đề xuất"))],
    )
    # The general section's review: reopened with Sở Nội vụ's comment when returned.
    general_status = models.CharField(
        _("trạng thái phần chung"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    general_comment = models.TextField(
        _("nhận xét phần chung"),
        blank=True,
        validators=[MaxTextLengthValidator(REASON_MAX_LENGTH, _("Nhận xét"))],
    )
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("báo cáo năm")
        verbose_name_plural = pgettext_lazy("plural", "báo cáo năm")
        ordering = ["cycle", "agency"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "agency"], name="yearly_report_unique"),
        ]

    def __str__(self) -> str:
        return _("Báo cáo năm %(year)s – %(agency)s") % {
            "year": self.cycle.year,
            "agency": self.agency,
        }

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def general_is_editable(self) -> bool:
        return self.is_editable and self.general_status in self.EDITABLE_STATUSES


class YearlyTransition(models.Model):
    """One step of a yearly report's life: who moved it, when, from which status to which,
    and why (a return lists the sections it reopened)."""

    report = models.ForeignKey(
        YearlyReport,
        on_delete=models.CASCADE,
        related_name="transitions",
        verbose_name=_("báo cáo năm"),
    )
    from_status = models.CharField(_("từ"), max_length=10, choices=Report.Status.choices)
    to_status = models.CharField(_("sang"), max_length=10, choices=Report.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("chuyển trạng thái báo cáo năm")
        verbose_name_plural = pgettext_lazy("plural", "chuyển trạng thái báo cáo năm")
        ordering = ["report", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_status} → {self.to_status}"


class ScoreProposal(models.Model):
    """The agency's proposed self-score for one sub-criterion it owns: the section of its
    yearly report with the score, the evidence documents (EvidenceLink.proposal) and the
    explanation required when there is no evidence or the evidence is incomplete."""

    report = models.ForeignKey(
        YearlyReport,
        on_delete=models.CASCADE,
        related_name="score_proposals",
        verbose_name=_("báo cáo năm"),
    )
    criterion = models.ForeignKey(
        "criteria.Criterion",
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("tiêu chí thành phần"),
    )
    score = models.DecimalField(
        _("điểm tự đánh giá đề xuất"), null=True, blank=True, **SCORE_DIGITS
    )
    evidence_complete = models.BooleanField(
        _("tài liệu kiểm chứng đầy đủ"),
        default=False,
        help_text=_("Bỏ chọn khi tài liệu chưa đủ: khi đó cần giải trình."),
    )
    explanation = models.TextField(
        _("giải trình"),
        blank=True,
        validators=[MaxTextLengthValidator(EXPLANATION_MAX_LENGTH, _("Giải trình"))],
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=Report.Status.choices,
        default=Report.Status.DRAFT,
    )
    review_comment = models.TextField(
        _("nhận xét của Sở Nội vụ"),
        blank=True,
        validators=[MaxTextLengthValidator(REASON_MAX_LENGTH, _("Nhận xét"))],
    )
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("điểm tự đánh giá đề xuất")
        verbose_name_plural = pgettext_lazy("plural", "điểm tự đánh giá đề xuất")
        ordering = ["report", "criterion__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["report", "criterion"], name="proposal_unique"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0), name="proposal_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.score}"

    @property
    def is_editable(self) -> bool:
        return self.status in Report.EDITABLE_STATUSES
