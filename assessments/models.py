"""The one assessment engine (DESIGN.md): an assessment of one assessed party against one
framework for one year (and round), made of one entry per scored criterion.

Two uses share it. The province's own PAR self-assessment (the assessed party is the
province, named by its plan): Sở Nội vụ decides each sub-criterion from the owners'
proposals, a leader approves it. Later, a unit's assessment against the province's own
framework (the assessed party is an agency), which Sở Nội vụ appraises.

The writes are in assessments/services.py.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from assignments.models import (
    EXPLANATION_MAX_LENGTH,
    LOCATION_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Agency,
    EvidenceDocument,
)
from criteria.models import SCORE_DIGITS, Criterion, Framework, MaxTextLengthValidator, Plan


class Assessment(models.Model):
    """One assessed party's assessment for a year and round, moving
    proposed → sent → appraised (→ response → final) → approved.

    The assessed party is the province (its plan is set) or an agency (later, the
    province's own index of its units). An approved assessment is locked: its entries and,
    for the province, the year's self-assessed scores (criteria.Score of kind SELF) cannot
    change until a leader unlocks it, which is recorded.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Đang tự đánh giá")
        SENT = "sent", _("Đã gửi thẩm định")
        APPRAISED = "appraised", _("Đã thẩm định")
        RESPONSE = "response", _("Đã phản hồi kết quả thẩm định")
        FINAL = "final", _("Đã có kết quả cuối cùng")
        APPROVED = "approved", _("Đã phê duyệt")

    # The steps an assessment may take. The province's self-assessment goes from proposed
    # straight to approved: the ministry appraises it outside the portal (its results are
    # imported as official scores). Unlocking goes back to the status before approval.
    TRANSITIONS: dict[str, set[str]] = {
        Status.PROPOSED: {Status.SENT, Status.APPROVED},
        Status.SENT: {Status.APPRAISED},
        Status.APPRAISED: {Status.RESPONSE, Status.FINAL},
        Status.RESPONSE: {Status.FINAL},
        Status.FINAL: {Status.APPROVED},
        Status.APPROVED: set(),
    }

    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("bộ chỉ số")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    round = models.PositiveSmallIntegerField(_("lần đánh giá"), default=1)
    plan = models.ForeignKey(
        Plan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("kế hoạch của tỉnh"),
        help_text=_("Đặt khi đối tượng đánh giá là tỉnh."),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("đơn vị được đánh giá"),
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    unit_round = models.ForeignKey(
        "AssessmentRound",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("đợt đánh giá đơn vị"),
    )
    sent_at = models.DateTimeField(_("thời điểm gửi thẩm định"), null=True, blank=True)
    response_until = models.DateField(
        _("hạn giải trình sau thẩm định"),
        null=True,
        blank=True,
        help_text=_("Đặt khi Sở Nội vụ hoàn thành thẩm định: ngày đó cộng số ngày của đợt."),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người phê duyệt"),
    )
    approved_at = models.DateTimeField(_("thời điểm phê duyệt"), null=True, blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bản đánh giá")
        verbose_name_plural = pgettext_lazy("plural", "bản đánh giá")
        ordering = ["-year", "round", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(plan__isnull=False, agency__isnull=True)
                | Q(plan__isnull=True, agency__isnull=False),
                name="assessment_one_assessed_party",
            ),
            models.UniqueConstraint(
                fields=["plan", "year", "round"],
                condition=Q(plan__isnull=False),
                name="assessment_unique_province_year",
            ),
            models.UniqueConstraint(
                fields=["agency", "framework", "year", "round"],
                condition=Q(agency__isnull=False),
                name="assessment_unique_agency_year",
            ),
        ]

    def __str__(self) -> str:
        party = self.plan.province if self.plan_id else str(self.agency)
        return _("Đánh giá năm %(year)s – %(party)s") % {"year": self.year, "party": party}

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]


class AssessmentTransition(models.Model):
    """One step of an assessment's life: who moved it, when, from which status to which and
    why (an unlock gives its reason)."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="transitions",
        verbose_name=_("bản đánh giá"),
    )
    from_status = models.CharField(_("từ"), max_length=10, choices=Assessment.Status.choices)
    to_status = models.CharField(_("sang"), max_length=10, choices=Assessment.Status.choices)
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
        validators=[MaxTextLengthValidator(REASON_MAX_LENGTH, _("Lý do"))],
    )

    class Meta:
        verbose_name = _("chuyển trạng thái bản đánh giá")
        verbose_name_plural = pgettext_lazy("plural", "chuyển trạng thái bản đánh giá")
        ordering = ["assessment", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.from_status} → {self.to_status}"


class Entry(models.Model):
    """One scored criterion of an assessment: the proposed score (for the province, the
    score it decided for itself), its explanation and evidence; later the appraised score
    with its reason, and the final score."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="entries", verbose_name=_("bản đánh giá")
    )
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.PROTECT,
        related_name="assessment_entries",
        verbose_name=_("tiêu chí"),
    )
    proposed_score = models.DecimalField(
        _("điểm tự đánh giá"), null=True, blank=True, **SCORE_DIGITS
    )
    explanation = models.TextField(
        _("giải trình"),
        blank=True,
        validators=[MaxTextLengthValidator(EXPLANATION_MAX_LENGTH, _("Giải trình"))],
    )
    evidence_complete = models.BooleanField(_("tài liệu kiểm chứng đầy đủ"), default=False)
    appraised_score = models.DecimalField(
        _("điểm thẩm định"), null=True, blank=True, **SCORE_DIGITS
    )
    appraisal_reason = models.TextField(
        _("lý do điều chỉnh điểm"),
        blank=True,
        validators=[MaxTextLengthValidator(EXPLANATION_MAX_LENGTH, _("Lý do điều chỉnh điểm"))],
    )
    final_score = models.DecimalField(_("điểm cuối cùng"), null=True, blank=True, **SCORE_DIGITS)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người quyết định"),
    )
    decided_at = models.DateTimeField(_("thời điểm quyết định"), null=True, blank=True)
    appraised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thẩm định"),
    )
    appraised_at = models.DateTimeField(_("thời điểm thẩm định"), null=True, blank=True)
    response = models.TextField(
        _("giải trình sau thẩm định"),
        blank=True,
        validators=[MaxTextLengthValidator(EXPLANATION_MAX_LENGTH, _("Giải trình sau thẩm định"))],
    )
    responded_at = models.DateTimeField(_("thời điểm giải trình"), null=True, blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("điểm của bản đánh giá")
        verbose_name_plural = pgettext_lazy("plural", "điểm của bản đánh giá")
        ordering = ["assessment", "criterion__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="entry_unique"),
            models.CheckConstraint(
                condition=(Q(proposed_score__isnull=True) | Q(proposed_score__gte=0))
                & (Q(appraised_score__isnull=True) | Q(appraised_score__gte=0))
                & (Q(final_score__isnull=True) | Q(final_score__gte=0)),
                name="entry_scores_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.proposed_score}"


class EntryEvidence(models.Model):
    """A document of an agency's library as evidence for an entry, with where inside it."""

    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("điểm")
    )
    document = models.ForeignKey(
        EvidenceDocument,
        on_delete=models.PROTECT,
        related_name="assessment_evidence",
        verbose_name=_("tài liệu kiểm chứng"),
    )
    location = models.CharField(
        _("vị trí trong tài liệu"), max_length=LOCATION_MAX_LENGTH, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tài liệu kiểm chứng của điểm")
        verbose_name_plural = pgettext_lazy("plural", "tài liệu kiểm chứng của điểm")
        ordering = ["entry", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "document", "location"], name="entryevidence_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.entry}"


class AssessmentRound(models.Model):
    """A year's round of the province's index of one type of unit: the framework, when the
    units may self-assess (opens_on to deadline, a unit's extension aside), how many days a
    unit has to respond after appraisal, and whether the leader has published the results."""

    year = models.PositiveSmallIntegerField(_("năm"))
    unit_type = models.CharField(
        _("loại đơn vị"), max_length=20, choices=Framework.UnitType.choices
    )
    framework = models.ForeignKey(
        Framework,
        on_delete=models.PROTECT,
        related_name="unit_rounds",
        verbose_name=_("bộ chỉ số"),
    )
    opens_on = models.DateField(_("ngày bắt đầu tự đánh giá"))
    deadline = models.DateField(_("hạn gửi tự đánh giá"))
    response_days = models.PositiveSmallIntegerField(
        _("số ngày giải trình sau thẩm định"), default=5
    )
    is_published = models.BooleanField(_("đã công bố kết quả"), default=False)
    published_at = models.DateTimeField(_("thời điểm công bố"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người công bố"),
    )
    is_public = models.BooleanField(
        _("hiện trên trang công khai"),
        default=False,
        help_text=_("Kết quả đã công bố được hiện trên trang công khai cho người dân."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("đợt đánh giá đơn vị")
        verbose_name_plural = pgettext_lazy("plural", "đợt đánh giá đơn vị")
        ordering = ["-year", "unit_type"]
        constraints = [
            models.UniqueConstraint(fields=["year", "unit_type"], name="round_unique_type_year"),
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("opens_on")), name="round_dates_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_unit_type_display()} {self.year}"

    def clean(self) -> None:
        if self.framework_id is None:
            return
        if self.framework.unit_type != self.unit_type or not self.framework.covers(self.year):
            raise ValidationError(
                {
                    "framework": _(
                        "Bộ chỉ số %(framework)s không áp dụng cho loại đơn vị này trong năm "
                        "%(year)s."
                    )
                    % {"framework": self.framework, "year": self.year}
                }
            )


class RoundExtension(models.Model):
    """A later deadline granted to one unit in a round."""

    unit_round = models.ForeignKey(
        AssessmentRound,
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("đợt đánh giá"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="+", verbose_name=_("đơn vị")
    )
    deadline = models.DateField(_("hạn gia hạn"))
    reason = models.TextField(
        _("lý do"),
        blank=True,
        validators=[MaxTextLengthValidator(REASON_MAX_LENGTH, _("Lý do"))],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("gia hạn tự đánh giá")
        verbose_name_plural = pgettext_lazy("plural", "gia hạn tự đánh giá")
        ordering = ["unit_round", "agency"]
        constraints = [
            models.UniqueConstraint(fields=["unit_round", "agency"], name="extension_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_round} – {self.agency}: {self.deadline}"


class CouncilAssignment(models.Model):
    """A member of the appraisal council (Hội đồng thẩm định) appraising one area of a
    round's framework, for every unit of the round."""

    unit_round = models.ForeignKey(
        AssessmentRound,
        on_delete=models.CASCADE,
        related_name="council",
        verbose_name=_("đợt đánh giá"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="council_assignments",
        verbose_name=_("thành viên Hội đồng thẩm định"),
    )
    area = models.ForeignKey(
        Criterion,
        on_delete=models.CASCADE,
        related_name="council_assignments",
        verbose_name=_("lĩnh vực thẩm định"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phân công thẩm định")
        verbose_name_plural = pgettext_lazy("plural", "phân công thẩm định")
        ordering = ["unit_round", "member", "area__sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit_round", "member", "area"], name="council_assignment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_round}: {self.member} – {self.area.code}"
