"""Who does the work: the province's agencies, the groups its texts name, and the users' roles.

Agencies are data. Another province replaces the rows (fixtures/agencies.json for
Tiền Giang) and the matching of action texts follows, without a code change.
"""

import datetime
import re
import unicodedata
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from criteria.models import MaxTextLengthValidator

# Vietnamese is written with the tone mark on either vowel of "oa", "oe", "uy" when the
# syllable ends there ("hoá"/"hóa", "Uỷ"/"Ủy"). Decomposed, the mark is a combining
# character; moving it after the second vowel gives both spellings one key.
_TONE_ON_FIRST_VOWEL = re.compile(
    r"([oOuU])([\u0300\u0301\u0303\u0309\u0323])([aAeEyY])(?!\w)",
)
_DASHES = re.compile(r"\s*[-\u2010-\u2015\u2212]\s*")
_AMPERSANDS = re.compile(r"\s*&\s*")
_COMMAS = re.compile(r"\s*,\s*")
_SPACES = re.compile(r"\s+")


def name_key(text: str) -> str:
    """The form in which names are compared: NFC, one tone placement, one spacing, no case."""
    text = unicodedata.normalize("NFD", text)
    text = _TONE_ON_FIRST_VOWEL.sub(r"\1\3\2", text)
    text = unicodedata.normalize("NFC", text)
    text = _DASHES.sub(" - ", text)
    text = _AMPERSANDS.sub("&", text)
    text = _COMMAS.sub(", ", text)
    return _SPACES.sub(" ", text).strip().casefold()


class AgencyManager(models.Manager):
    def get_by_natural_key(self, name: str) -> "Agency":
        return self.get(name=name)


class Agency(models.Model):
    """A body that can lead or support an action: a department, a district, a commune, …"""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Sở, ban, ngành tỉnh")
        DISTRICT = "district", _("UBND cấp huyện")
        COMMUNE = "commune", _("UBND cấp xã")
        PUBLIC_SERVICE = "public_service", _("Đơn vị sự nghiệp công lập")
        MEDIA = "media", _("Cơ quan báo chí - truyền thông")
        OTHER = "other", _("Khác")

    name = models.CharField(_("tên đơn vị"), max_length=200, unique=True)
    short_name = models.CharField(
        _("tên viết tắt"),
        max_length=60,
        unique=True,
        help_text=_("Tên ngắn dùng trong bảng, ví dụ “Sở TT&TT”, “VPUB”."),
    )
    kind = models.CharField(_("loại đơn vị"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("trực thuộc"),
        help_text=_("Với UBND cấp xã: UBND cấp huyện quản lý."),
    )
    is_active = models.BooleanField(
        _("đang hoạt động"),
        default=True,
        help_text=_("Đơn vị đã giải thể hoặc sáp nhập thì bỏ chọn thay vì xóa."),
    )

    objects = AgencyManager()

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = pgettext_lazy("plural", "đơn vị")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)

    def clean(self) -> None:
        if self.parent_id is not None and self.parent_id == self.pk:
            raise ValidationError({"parent": _("Một đơn vị không thể trực thuộc chính nó.")})
        if self.kind == self.Kind.COMMUNE and (
            self.parent is None or self.parent.kind != self.Kind.DISTRICT
        ):
            raise ValidationError({"parent": _("UBND cấp xã phải trực thuộc một UBND cấp huyện.")})


class AgencyAliasManager(models.Manager):
    def get_by_natural_key(self, text: str) -> "AgencyAlias":
        return self.get(text=text)


class AgencyAlias(models.Model):
    """Another name by which texts call an agency, e.g. "VPUB" for Văn phòng UBND tỉnh."""

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("đơn vị")
    )
    text = models.CharField(_("tên gọi khác"), max_length=200, unique=True)

    objects = AgencyAliasManager()

    class Meta:
        verbose_name = _("tên gọi khác của đơn vị")
        verbose_name_plural = pgettext_lazy("plural", "tên gọi khác của đơn vị")
        ordering = ["agency", "text"]

    def __str__(self) -> str:
        return self.text

    def natural_key(self) -> tuple[str]:
        return (self.text,)

    natural_key.dependencies = ["assignments.agency"]


class AgencyGroupManager(models.Manager):
    def get_by_natural_key(self, name: str) -> "AgencyGroup":
        return self.get(name=name)

    def without_members(self) -> list["AgencyGroup"]:
        """The groups no active agency belongs to, by kind or by name (three queries)."""
        active = Agency.objects.filter(is_active=True).order_by().distinct()
        kinds = set(active.values_list("kind", flat=True))
        return [
            group
            for group in self.prefetch_related("agencies").order_by("name")
            if not kinds & set(group.kinds)
            and not any(agency.is_active for agency in group.agencies.all())
        ]

    def ids_including(self, agency: "Agency") -> list[int]:
        """The ids of the groups the agency belongs to, by kind or by name (two queries)."""
        return [group.pk for group in self.prefetch_related("agencies") if group.includes(agency)]


class AgencyGroup(models.Model):
    """A set of agencies that texts name together, e.g. "các sở, ban, ngành tỉnh".

    Members are every active agency of the group's kinds, so that a new district joins
    "UBND cấp huyện" by itself, plus the agencies chosen one by one.
    """

    name = models.CharField(_("tên nhóm"), max_length=200, unique=True)
    kinds = models.JSONField(
        _("gồm các loại đơn vị"),
        default=list,
        blank=True,
        help_text=_("Mọi đơn vị đang hoạt động thuộc các loại này đều là thành viên của nhóm."),
    )
    agencies = models.ManyToManyField(
        Agency,
        blank=True,
        related_name="named_in_groups",
        verbose_name=_("và các đơn vị"),
        help_text=_("Thành viên chọn riêng, ngoài các loại đơn vị ở trên."),
    )

    objects = AgencyGroupManager()

    class Meta:
        verbose_name = _("nhóm đơn vị")
        verbose_name_plural = pgettext_lazy("plural", "nhóm đơn vị")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)

    def clean(self) -> None:
        unknown = [kind for kind in self.kinds if kind not in Agency.Kind.values]
        if unknown:
            message = _("Không có loại đơn vị “%(kinds)s”.")
            params = {"kinds": ", ".join(map(str, unknown))}
            raise ValidationError({"kinds": ValidationError(message, params=params)})

    def members(self) -> models.QuerySet[Agency]:
        return Agency.objects.filter(
            Q(kind__in=self.kinds) | Q(pk__in=self.agencies.values("pk")), is_active=True
        )

    def includes(self, agency: Agency) -> bool:
        """Whether an agency is a member; no query once the group's agencies are prefetched."""
        if not agency.is_active:
            return False
        return agency.kind in self.kinds or any(a.pk == agency.pk for a in self.agencies.all())


class AgencyGroupAliasManager(models.Manager):
    def get_by_natural_key(self, text: str) -> "AgencyGroupAlias":
        return self.get(text=text)


class AgencyGroupAlias(models.Model):
    """Another phrase by which texts name a group, e.g. "UBND các huyện, thành phố, thị xã"."""

    group = models.ForeignKey(
        AgencyGroup, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("nhóm")
    )
    text = models.CharField(_("cách gọi khác"), max_length=200, unique=True)

    objects = AgencyGroupAliasManager()

    class Meta:
        verbose_name = _("cách gọi khác của nhóm")
        verbose_name_plural = pgettext_lazy("plural", "cách gọi khác của nhóm")
        ordering = ["group", "text"]

    def __str__(self) -> str:
        return self.text

    def natural_key(self) -> tuple[str]:
        return (self.text,)

    natural_key.dependencies = ["assignments.agencygroup"]


class Membership(models.Model):
    """The agency a user works for; agency users see and report only for theirs."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("người dùng"),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("đơn vị"),
        help_text=_("Để trống với quản trị viên, lãnh đạo và cán bộ Sở Nội vụ không gắn đơn vị."),
    )

    class Meta:
        verbose_name = _("đơn vị của người dùng")
        verbose_name_plural = pgettext_lazy("plural", "đơn vị của người dùng")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"{self.user} – {self.agency or '—'}"


class Role(models.TextChoices):
    """What a user may do. Each value is the name of a Django group created by a migration."""

    ADMINISTRATOR = "Quản trị viên", _("Quản trị viên")
    NOIVU_STAFF = "Cán bộ Sở Nội vụ", _("Cán bộ Sở Nội vụ")
    LEADER = "Lãnh đạo", _("Lãnh đạo")
    AGENCY_USER = "Cán bộ đơn vị", _("Cán bộ đơn vị")

    def group(self) -> Group:
        return Group.objects.get(name=self.value)


def user_role(user: AbstractBaseUser | AnonymousUser) -> Role | None:
    """The one role that governs what a user sees; None for anonymous or group-less users.

    A superuser is an administrator. A user in several groups gets the widest of them, in
    the order of Role. The answer is kept on the user object: one query per request.
    """
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMINISTRATOR
    if not hasattr(user, "_par_role"):
        names = set(user.groups.values_list("name", flat=True))
        user._par_role = next((role for role in Role if role.value in names), None)
    return user._par_role


def user_agency(user: AbstractBaseUser | AnonymousUser) -> Agency | None:
    """The agency a user is bound to, or None."""
    if not user.is_authenticated:
        return None
    membership = Membership.objects.select_related("agency").filter(user=user).first()
    return membership.agency if membership else None


# -- Who acts on each criterion, and the tasks of section II ------------------------------

# A task's result runs to a few pages; the limit keeps the history and the yearly export
# (one spreadsheet cell, at most 32,767 characters) whole.
NARRATIVE_MAX_LENGTH = 20_000
# A reason or a note: a few sentences.
REASON_MAX_LENGTH = 2_000
# The largest value a target that is not a percentage may take: counts of documents, units
# or days, generously.
COUNT_MAX = Decimal(1_000_000)
PERCENT_UNITS = ("%", "phần trăm")


class Responsibility(models.Model):
    """Who acts on a criterion under a plan: proposed by the import, confirmed by Sở Nội vụ.

    A criterion may have several leads, one for each bullet of its action text that names a
    different doer. A group named as the doer makes each of its members a lead for its own
    part ("UBND cấp huyện" for 3.4.2: each district for its district); a group named beside
    the doer supports it, each member in its part.
    """

    class Basis(models.TextChoices):
        ACTION = "action", _("Theo nội dung “Thực hiện” của phụ lục")
        TASK = "task", _("Theo nhiệm vụ phần II phục vụ tiêu chí")
        SURVEY = "survey", _("Chấm qua điều tra XHH: chủ trì các nhiệm vụ tác động đến kết quả")

    plan = models.ForeignKey(
        "criteria.Plan",
        on_delete=models.CASCADE,
        related_name="responsibilities",
        verbose_name=_("kế hoạch"),
    )
    criterion = models.ForeignKey(
        "criteria.Criterion",
        on_delete=models.CASCADE,
        related_name="responsibilities",
        verbose_name=_("tiêu chí"),
    )
    leads = models.ManyToManyField(
        Agency,
        blank=True,
        related_name="led_responsibilities",
        verbose_name=_("đơn vị chủ trì"),
    )
    lead_groups = models.ManyToManyField(
        AgencyGroup,
        blank=True,
        related_name="led_responsibilities",
        verbose_name=_("nhóm chủ trì"),
        help_text=_("Mỗi thành viên của nhóm chủ trì phần việc của mình."),
    )
    supporting = models.ManyToManyField(
        Agency,
        blank=True,
        related_name="supported_responsibilities",
        verbose_name=_("đơn vị phối hợp"),
    )
    groups = models.ManyToManyField(
        AgencyGroup,
        blank=True,
        related_name="responsibilities",
        verbose_name=_("nhóm phối hợp"),
    )
    basis = models.CharField(
        _("căn cứ phân công"), max_length=10, choices=Basis.choices, default=Basis.ACTION
    )
    is_recognised = models.BooleanField(
        _("nhận ra đơn vị"),
        default=False,
        help_text=_("Sai khi không tìm được đơn vị chủ trì nào: cần gán tay."),
    )
    is_edited = models.BooleanField(
        _("đã chỉnh tay"),
        default=False,
        help_text=_("Đúng khi Sở Nội vụ đã sửa: lần nhập sau không ghi đè."),
    )
    is_confirmed = models.BooleanField(
        _("đã xác nhận"),
        default=False,
        help_text=_("Đúng khi Sở Nội vụ đã xác nhận đơn vị chủ trì do hệ thống đề xuất."),
    )

    history = HistoricalRecords(m2m_fields=[leads, lead_groups, supporting, groups])

    class Meta:
        verbose_name = _("phân công tiêu chí")
        verbose_name_plural = pgettext_lazy("plural", "phân công tiêu chí")
        ordering = ["plan", "criterion__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "criterion"], name="responsibility_unique"),
        ]

    def __str__(self) -> str:
        return self.criterion.code

    def owners(self) -> list["Agency | AgencyGroup"]:
        """The leads, agencies then groups; no query once both are prefetched."""
        return [*self.leads.all(), *self.lead_groups.all()]


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


# -- The yearly report due 25/11 ----------------------------------------------------------


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
    """A file attached to a report as proof; served only to those who may see the report."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("báo cáo")
    )
    file = models.FileField(_("tệp"), upload_to=evidence_path)
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
