"""Who does the work: the province's agencies, the groups its texts name, and the users' roles.

Agencies are data. Another province replaces the rows (fixtures/agencies.json for
Tiền Giang) and the matching of action texts follows, without a code change.
"""

import re

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from criteria.importers import one_tone_placement

_DASHES = re.compile(r"\s*[-\u2010-\u2015\u2212]\s*")
_AMPERSANDS = re.compile(r"\s*&\s*")
_COMMAS = re.compile(r"\s*,\s*")
_SPACES = re.compile(r"\s+")


def name_key(text: str) -> str:
    """The form in which names are compared: NFC, one tone placement, one spacing, no case."""
    text = one_tone_placement(text)
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
        BRANCH = "branch", _("Cơ quan ngành dọc Trung ương trên địa bàn tỉnh")
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
    # Appraises the areas of the units' index it is assigned (assessments.CouncilAssignment).
    COUNCIL_MEMBER = "Thành viên Hội đồng thẩm định", _("Thành viên Hội đồng thẩm định")
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
