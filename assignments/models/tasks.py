"""The tasks of the plan's section II: content areas, tasks with their leads and coordinators,
and the measurable targets their texts set.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from assignments.models.agencies import Agency, AgencyGroup

# The largest value a target that is not a percentage may take: counts of documents, units
# or days, generously.
COUNT_MAX = Decimal(1_000_000)
PERCENT_UNITS = ("%", "phần trăm")


class ContentAreaManager(models.Manager):
    def get_by_natural_key(self, plan_number: str, number: int) -> "ContentArea":
        return self.get(plan__number=plan_number, number=number)


class ContentArea(models.Model):
    """One of the content areas of the plan's section II ("1. Công tác chỉ đạo điều hành")."""

    plan = models.ForeignKey(
        "criteria.Plan",
        on_delete=models.CASCADE,
        related_name="content_areas",
        verbose_name=_("kế hoạch"),
    )
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    title = models.CharField(_("nội dung"), max_length=300)

    objects = ContentAreaManager()

    class Meta:
        verbose_name = _("nội dung kế hoạch")
        verbose_name_plural = pgettext_lazy("plural", "nội dung kế hoạch")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="content_area_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def natural_key(self) -> tuple[str, int]:
        return (*self.plan.natural_key(), self.number)

    natural_key.dependencies = ["criteria.plan"]


class TaskQuerySet(models.QuerySet):
    def for_agency(self, agency: Agency, *, group_ids: list[int] | None = None) -> "TaskQuerySet":
        """Tasks an agency leads or coordinates, directly or through a group it belongs to.

        `group_ids`: the groups the agency belongs to, when the caller has them already.
        """
        if group_ids is None:
            group_ids = AgencyGroup.objects.ids_including(agency)
        # EXISTS rather than joins: no DISTINCT over thousands of tasks.
        task = OuterRef("pk")
        return self.filter(
            Exists(self.model.lead_agencies.through.objects.filter(task=task, agency=agency))
            | Exists(
                self.model.coordinating_agencies.through.objects.filter(task=task, agency=agency)
            )
            | Exists(
                self.model.coordinating_groups.through.objects.filter(
                    task=task, agencygroup__in=group_ids
                )
            )
        )


class TaskManager(models.Manager.from_queryset(TaskQuerySet)):
    def get_by_natural_key(self, plan_number: str, area_number: int, number: int) -> "Task":
        return self.get(
            content_area__plan__number=plan_number,
            content_area__number=area_number,
            number=number,
        )


class Task(models.Model):
    """A bullet of section II: work to do, who leads it, who coordinates, what it serves."""

    content_area = models.ForeignKey(
        ContentArea, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("nội dung")
    )
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    text = models.TextField(_("nhiệm vụ"))
    lead_agencies = models.ManyToManyField(
        Agency, related_name="led_tasks", verbose_name=_("đơn vị chủ trì")
    )
    coordinating_agencies = models.ManyToManyField(
        Agency, blank=True, related_name="coordinated_tasks", verbose_name=_("đơn vị phối hợp")
    )
    coordinating_groups = models.ManyToManyField(
        AgencyGroup, blank=True, related_name="coordinated_tasks", verbose_name=_("nhóm phối hợp")
    )
    criteria = models.ManyToManyField(
        "criteria.Criterion", blank=True, related_name="tasks", verbose_name=_("phục vụ tiêu chí")
    )

    history = HistoricalRecords(
        m2m_fields=[lead_agencies, coordinating_agencies, coordinating_groups]
    )
    objects = TaskManager()

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = pgettext_lazy("plural", "nhiệm vụ")
        ordering = ["content_area", "number"]
        constraints = [
            models.UniqueConstraint(fields=["content_area", "number"], name="task_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.content_area.number}.{self.number} {self.text[:60]}"

    def natural_key(self) -> tuple[str, int, int]:
        return (*self.content_area.natural_key(), self.number)

    natural_key.dependencies = ["assignments.contentarea"]


class TaskTargetManager(models.Manager):
    def get_by_natural_key(
        self,
        plan_number: str,
        area_number: int,
        task_number: int,
        description: str,
        first_year: int,
    ) -> "TaskTarget":
        return self.get(
            task=Task.objects.get_by_natural_key(plan_number, area_number, task_number),
            description=description,
            first_year=first_year,
        )


class TaskTarget(models.Model):
    """A measurable target in a task's text: "ít nhất 70% … mức 3", "95% - 100% … đúng hạn"."""

    class Comparator(models.TextChoices):
        AT_LEAST = "at_least", _("ít nhất / từ … trở lên")
        ABOVE = "above", _("trên")
        EXACTLY = "exactly", _("đạt")
        BETWEEN = "between", _("từ … đến")

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="targets", verbose_name=_("nhiệm vụ")
    )
    description = models.CharField(_("chỉ tiêu"), max_length=300)
    comparator = models.CharField(_("so sánh"), max_length=10, choices=Comparator.choices)
    value = models.DecimalField(_("giá trị"), max_digits=9, decimal_places=2)
    value_max = models.DecimalField(
        _("giá trị cận trên"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("đơn vị tính"), max_length=30, default="%")
    first_year = models.PositiveSmallIntegerField(_("từ năm"))
    last_year = models.PositiveSmallIntegerField(_("đến năm"))

    history = HistoricalRecords()
    objects = TaskTargetManager()

    class Meta:
        verbose_name = _("chỉ tiêu đo được")
        verbose_name_plural = pgettext_lazy("plural", "chỉ tiêu đo được")
        ordering = ["task", "first_year", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(comparator="between") & Q(value_max__gte=models.F("value")))
                | (~Q(comparator="between") & Q(value_max__isnull=True)),
                name="task_target_range_only_between",
            ),
            models.CheckConstraint(
                condition=Q(first_year__lte=models.F("last_year")), name="task_target_years"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description}: {self.get_comparator_display()} {self.value}{self.unit}"

    def natural_key(self) -> tuple[str, int, int, str, int]:
        return (*self.task.natural_key(), self.description, self.first_year)

    natural_key.dependencies = ["assignments.task"]

    @property
    def is_percent(self) -> bool:
        return self.unit.strip().lower() in PERCENT_UNITS

    @property
    def value_limit(self) -> Decimal:
        """The largest value a report may give against this target."""
        return Decimal(100) if self.is_percent else COUNT_MAX

    def is_met_by(self, achieved) -> bool:
        """Whether an achieved value meets this target."""
        if self.comparator == self.Comparator.ABOVE:
            return achieved > self.value
        if self.comparator == self.Comparator.EXACTLY:
            return achieved == self.value
        if self.comparator == self.Comparator.BETWEEN:
            return self.value <= achieved <= self.value_max
        return achieved >= self.value
