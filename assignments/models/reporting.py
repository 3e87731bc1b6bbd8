"""The yearly report due 25/11: the cycle and its extensions, each agency's report on a task,
the values it achieved, its steps from draft to accepted, and its evidence.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from assignments.models.agencies import Agency
from assignments.models.documents import LOCATION_MAX_LENGTH, EvidenceDocument, evidence_storage
from assignments.models.tasks import Task, TaskTarget
from criteria.models import MaxTextLengthValidator

# A task's result runs to a few pages; the limit keeps the history and the yearly export
# (one spreadsheet cell, at most 32,767 characters) whole.
NARRATIVE_MAX_LENGTH = 20_000
# A reason or a note: a few sentences.
REASON_MAX_LENGTH = 2_000


class ReportingCycle(models.Model):
    """A year's reporting round: agencies report before its deadline (25/11 by default)."""

    plan = models.ForeignKey(
        "criteria.Plan", on_delete=models.CASCADE, related_name="cycles", verbose_name=_("kế hoạch")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    deadline = models.DateField(_("hạn báo cáo"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kỳ báo cáo")
        verbose_name_plural = pgettext_lazy("plural", "kỳ báo cáo")
        ordering = ["plan", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="cycle_unique_year"),
        ]

    def __str__(self) -> str:
        return _("Kỳ báo cáo năm %(year)s") % {"year": self.year}

    @staticmethod
    def default_deadline(year: int) -> datetime.date:
        """25/11 of the year: the plan asks for reports "trước ngày 25/11 hàng năm"."""
        return datetime.date(year, 11, 25)

    def deadline_for(self, extension: "Extension | None") -> datetime.date:
        """The last day an agency may submit: the cycle's deadline, or its later extension."""
        if extension is None:
            return self.deadline
        return max(self.deadline, extension.until)


class Extension(models.Model):
    """A later deadline Sở Nội vụ grants one agency in one cycle."""

    cycle = models.ForeignKey(
        ReportingCycle,
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("kỳ báo cáo"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("đơn vị")
    )
    until = models.DateField(_("gia hạn đến"))
    reason = models.TextField(
        _("lý do"),
        blank=True,
        validators=[MaxTextLengthValidator(REASON_MAX_LENGTH, _("Lý do"))],
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("người gia hạn"),
    )
    granted_at = models.DateTimeField(_("thời điểm gia hạn"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("gia hạn báo cáo")
        verbose_name_plural = pgettext_lazy("plural", "gia hạn báo cáo")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "agency"], name="extension_unique_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} → {self.until}"


class Report(models.Model):
    """An agency's report on one task for one year, moving draft → submitted → accepted/returned."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang soạn")
        SUBMITTED = "submitted", _("Đã gửi")
        ACCEPTED = "accepted", _("Đã chấp nhận")
        RETURNED = "returned", _("Bị trả lại")

    class Progress(models.TextChoices):
        NOT_STARTED = "not_started", _("Chưa triển khai")
        IN_PROGRESS = "in_progress", _("Đang triển khai")
        DONE = "done", _("Hoàn thành")
        AT_RISK = "at_risk", _("Có nguy cơ không đạt")

    cycle = models.ForeignKey(
        ReportingCycle,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("kỳ báo cáo"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="reports", verbose_name=_("đơn vị")
    )
    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, related_name="reports", verbose_name=_("nhiệm vụ")
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    progress = models.CharField(
        _("tiến độ"), max_length=12, choices=Progress.choices, default=Progress.NOT_STARTED
    )
    narrative = models.TextField(
        _("kết quả thực hiện"),
        blank=True,
        validators=[MaxTextLengthValidator(NARRATIVE_MAX_LENGTH, _("Kết quả thực hiện"))],
    )
    # The agency's yearly report this task report is a section of (models/yearly.py), and
    # Sở Nội vụ's comment when it returned this section.
    yearly = models.ForeignKey(
        "assignments.YearlyReport",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="task_reports",
        verbose_name=_("báo cáo năm"),
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
        verbose_name = _("báo cáo")
        verbose_name_plural = pgettext_lazy("plural", "báo cáo")
        ordering = ["cycle", "agency", "task"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "agency", "task"], name="report_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} – {self.task} ({self.cycle.year})"

    # An agency edits its report while drafting it and after Sở Nội vụ returns it.
    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES


class ReportValue(models.Model):
    """The value an agency achieved against one measurable target of its task."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="values", verbose_name=_("báo cáo")
    )
    target = models.ForeignKey(
        TaskTarget, on_delete=models.PROTECT, related_name="values", verbose_name=_("chỉ tiêu")
    )
    value = models.DecimalField(_("kết quả đạt được"), max_digits=9, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kết quả chỉ tiêu")
        verbose_name_plural = pgettext_lazy("plural", "kết quả chỉ tiêu")
        constraints = [
            models.UniqueConstraint(fields=["report", "target"], name="report_value_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="report_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.target}: {self.value}"


class ReportTransition(models.Model):
    """One step of a report's life: who moved it, when, from which status to which, and why."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("báo cáo")
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
    note = models.TextField(
        _("ghi chú"),
        blank=True,
        validators=[MaxTextLengthValidator(REASON_MAX_LENGTH, _("Ghi chú, lý do"))],
    )

    class Meta:
        verbose_name = _("chuyển trạng thái báo cáo")
        verbose_name_plural = pgettext_lazy("plural", "chuyển trạng thái báo cáo")
        ordering = ["report", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_status} → {self.to_status}"


def evidence_path(instance: "Evidence", filename: str) -> str:
    """A generated name: the user's file name never reaches the disk."""
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{instance.report.cycle.year}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A document of the agency's library attached to a report, with where inside it; served
    only to those who may see the report."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("báo cáo")
    )
    document = models.ForeignKey(
        EvidenceDocument,
        on_delete=models.PROTECT,
        null=True,
        related_name="report_links",
        verbose_name=_("tài liệu kiểm chứng"),
    )
    location = models.CharField(
        _("vị trí trong tài liệu"), max_length=LOCATION_MAX_LENGTH, blank=True
    )
    # The document's file, kept with the link until the report page reads files from the
    # library only; the data migration points both at the same stored file.
    file = models.FileField(_("tệp"), upload_to=evidence_path, storage=evidence_storage)
    original_name = models.CharField(_("tên tệp gốc"), max_length=255)
    content_type = models.CharField(_("loại tệp"), max_length=100)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("người tải lên"),
    )
    uploaded_at = models.DateTimeField(_("thời điểm tải lên"), auto_now_add=True)

    # Who added or removed which file, by its name: the stored file is not part of the trail.
    history = HistoricalRecords(excluded_fields=["file"])

    class Meta:
        verbose_name = _("tài liệu minh chứng")
        verbose_name_plural = pgettext_lazy("plural", "tài liệu minh chứng")
        ordering = ["report", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name
