"""The PAR Index methodology (framework and criteria tree) and a province's plan on it."""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.utils.deconstruct import deconstructible
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

SCORE_DIGITS = {"max_digits": 6, "decimal_places": 2}
# A criterion's code as the appendix writes it: numbers of up to three digits, dot-separated.
CODE_PATTERN = r"^\d{1,3}(\.\d{1,3})*$"


# The reason for lost points: a few sentences, well inside a spreadsheet cell.
NOTE_MAX_LENGTH = 2_000


@deconstructible
class MaxTextLengthValidator(MaxLengthValidator):
    """A text's maximum length, refused with a message that names the field and the limit."""

    message = _("“%(field)s” dài tối đa %(limit)s ký tự; nội dung đang có %(length)s ký tự.")

    def __init__(self, limit_value: int, field: str) -> None:
        super().__init__(limit_value)
        self.field = field

    def __call__(self, value: str) -> None:
        if len(value) > self.limit_value:
            raise ValidationError(
                self.message,
                code=self.code,
                params={
                    "field": self.field,
                    "limit": number_format(self.limit_value, force_grouping=True),
                    "length": number_format(len(value), force_grouping=True),
                },
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MaxTextLengthValidator) and (
            self.limit_value,
            str(self.field),
        ) == (other.limit_value, str(other.field))


def code_sort_key(code: str) -> str:
    """Order codes numerically part by part, so that "1.10" follows "1.9"."""
    return ".".join(part.zfill(4) for part in code.split("."))


class FrameworkQuerySet(models.QuerySet):
    def national(self) -> "FrameworkQuerySet":
        """The ministry's methodologies, by which the province itself is assessed."""
        return self.filter(unit_type="")

    def for_units(self) -> "FrameworkQuerySet":
        """The province's own frameworks, by which it assesses its departments, districts,
        communes and branch agencies."""
        return self.exclude(unit_type="")

    def applying_in(self, year: int) -> "FrameworkQuerySet":
        return self.filter(Q(last_year__isnull=True) | Q(last_year__gte=year), first_year__lte=year)

    def overlapping(self, first_year: int, last_year: int | None) -> "FrameworkQuerySet":
        """The frameworks whose years meet first_year–last_year (None: without end)."""
        meets = Q(last_year__isnull=True) | Q(last_year__gte=first_year)
        if last_year is not None:
            meets &= Q(first_year__lte=last_year)
        return self.filter(meets)


class FrameworkManager(models.Manager.from_queryset(FrameworkQuerySet)):
    def get_by_natural_key(self, code: str) -> "Framework":
        return self.get(code=code)

    def for_unit(self, unit_type: str, year: int) -> "Framework | None":
        """The province's framework for a unit type in a year, or None."""
        return self.filter(unit_type=unit_type).applying_in(year).first()


SCORE_STEP = Decimal("0.01")


class Framework(models.Model):
    """A set of criteria for the years it applies to: a version of the national methodology
    (e.g. QĐ 2948/QĐ-BNV, by which the ministry assesses the province), or the province's own
    framework for one type of unit (its departments, districts, communes, branch agencies)."""

    class UnitType(models.TextChoices):
        # The values are Agency.Kind's, so that a unit of a kind finds its framework.
        DEPARTMENT = "department", _("Sở, ban, ngành tỉnh")
        DISTRICT = "district", _("UBND cấp huyện")
        COMMUNE = "commune", _("UBND cấp xã")
        BRANCH = "branch", _("Cơ quan ngành dọc Trung ương trên địa bàn tỉnh")

    class ExemptionScaling(models.TextChoices):
        PROPORTIONAL = (
            "proportional",
            _(
                "Quy đổi theo tỷ lệ: điểm các tiêu chí chấm điểm × điểm tối đa của bộ chỉ số ÷ "
                "điểm tối đa của các tiêu chí đơn vị được chấm; điểm thưởng, điểm trừ giữ nguyên"
            ),
        )

    code = models.CharField(_("số hiệu"), max_length=60, unique=True)
    name = models.CharField(_("tên"), max_length=300)
    first_year = models.PositiveSmallIntegerField(_("áp dụng từ năm"))
    last_year = models.PositiveSmallIntegerField(_("áp dụng đến năm"), null=True, blank=True)
    max_score = models.DecimalField(_("tổng điểm tối đa"), **SCORE_DIGITS, default=Decimal(100))
    unit_type = models.CharField(
        _("loại đơn vị được đánh giá"),
        max_length=20,
        choices=UnitType.choices,
        blank=True,
        default="",
        help_text=_(
            "Để trống với bộ chỉ số của Bộ Nội vụ (đánh giá tỉnh). Với bộ chỉ số của tỉnh đánh "
            "giá các sở, huyện, xã, cơ quan ngành dọc: tổng điểm tối đa là tổng điểm tối đa của "
            "các lĩnh vực chấm điểm, không kể điểm thưởng và điểm trừ."
        ),
    )
    exemption_scaling = models.CharField(
        _("quy đổi điểm khi đơn vị được miễn tiêu chí"),
        max_length=20,
        choices=ExemptionScaling.choices,
        default=ExemptionScaling.PROPORTIONAL,
    )

    objects = FrameworkManager()

    class Meta:
        verbose_name = _("bộ chỉ số")
        verbose_name_plural = pgettext_lazy("plural", "bộ chỉ số")
        ordering = ["-first_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__isnull=True) | Q(last_year__gte=F("first_year")),
                name="framework_years_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    @property
    def is_unit_framework(self) -> bool:
        return bool(self.unit_type)

    def covers(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)

    def unit_total(
        self,
        *,
        regular: Decimal,
        bonus: Decimal = Decimal(0),
        penalty: Decimal = Decimal(0),
        applicable_maximum: Decimal | None = None,
    ) -> Decimal:
        """A unit's total: its regular points, scaled when it is exempt from some criteria,
        plus its bonus points, minus its penalty points, rounded to two decimals.

        The total may exceed the framework's maximum (bonus) or fall (penalty). With
        PROPORTIONAL scaling, a unit whose criteria that apply are worth
        `applicable_maximum` (less than the framework's maximum) has its regular points
        multiplied by maximum ÷ applicable_maximum; bonus and penalty are not scaled,
        their maxima being no part of the maximum.
        """
        if applicable_maximum is not None and applicable_maximum != self.max_score:
            if applicable_maximum <= 0:
                raise ValueError("applicable_maximum must be positive")
            regular = regular * self.max_score / applicable_maximum
        return (regular + bonus - penalty).quantize(SCORE_STEP, rounding=ROUND_HALF_UP)


class CriterionQuerySet(models.QuerySet):
    def for_tree(self) -> "CriterionQuerySet":
        return self.order_by("sort_key")

    def areas(self) -> "CriterionQuerySet":
        return self.filter(parent__isnull=True)

    def leaves(self) -> "CriterionQuerySet":
        return self.filter(children__isnull=True)

    def regular(self) -> "CriterionQuerySet":
        return self.filter(kind=Criterion.Kind.REGULAR)

    def branches(self) -> "CriterionQuerySet":
        """The areas and every criterion with children: what a roll-up of leaves summed by
        the database needs to know of the tree."""
        has_children = models.Exists(Criterion.objects.filter(parent=models.OuterRef("pk")))
        return self.filter(Q(parent__isnull=True) | Q(has_children))


class CriterionManager(models.Manager.from_queryset(CriterionQuerySet)):
    def get_by_natural_key(self, framework_code: str, code: str) -> "Criterion":
        return self.get(framework__code=framework_code, code=code)


class Criterion(models.Model):
    """One row of the criteria tree: an area (level 1), a criterion (2) or a sub-criterion (3)."""

    class Level(models.IntegerChoices):
        AREA = 1, _("Lĩnh vực")
        CRITERION = 2, _("Tiêu chí")
        SUB_CRITERION = 3, _("Tiêu chí thành phần")

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Tiêu chí chấm điểm")
        BONUS = "bonus", _("Điểm thưởng")
        PENALTY = "penalty", _("Điểm trừ")

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("bộ chỉ số")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("thuộc"),
    )
    code = models.CharField(
        _("mã"),
        max_length=20,
        validators=[
            RegexValidator(
                CODE_PATTERN,
                _("Mã tiêu chí là các số tối đa 3 chữ số, cách nhau bởi dấu chấm, ví dụ 2.1.3."),
            )
        ],
    )
    title = models.TextField(_("nội dung"))
    level = models.PositiveSmallIntegerField(_("cấp"), choices=Level.choices, editable=False)
    sort_key = models.CharField(max_length=100, editable=False, db_index=True)
    max_score = models.DecimalField(_("điểm chuẩn"), **SCORE_DIGITS)
    is_survey = models.BooleanField(
        _("chấm qua điều tra XHH"),
        default=False,
        help_text=_("Điểm do Bộ Nội vụ chấm qua điều tra xã hội học, tỉnh không tự chấm."),
    )
    kind = models.CharField(
        _("loại tiêu chí"),
        max_length=10,
        choices=Kind.choices,
        default=Kind.REGULAR,
        help_text=_(
            "Điểm thưởng được cộng vào tổng điểm (có thể vượt điểm tối đa của bộ chỉ số); điểm "
            "trừ bị trừ đi, ghi bằng số điểm trừ tối đa (số dương). Tiêu chí con cùng loại với "
            "lĩnh vực của nó."
        ),
    )

    history = HistoricalRecords()
    objects = CriterionManager()

    class Meta:
        verbose_name = _("tiêu chí")
        verbose_name_plural = pgettext_lazy("plural", "tiêu chí")
        ordering = ["framework", "sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="criterion_code_unique"),
            models.CheckConstraint(
                condition=Q(max_score__gte=0), name="criterion_max_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"

    def save(self, *args, **kwargs) -> None:
        self.fill_derived()
        super().save(*args, **kwargs)

    def fill_derived(self) -> None:
        """Level and sort key: pure functions of the code, kept as columns so SQL can sort."""
        self.level = self.code.count(".") + 1
        self.sort_key = code_sort_key(self.code)

    def natural_key(self) -> tuple[str, str]:
        return (*self.framework.natural_key(), self.code)

    natural_key.dependencies = ["criteria.framework"]

    @property
    def parent_code(self) -> str | None:
        head, dot, _tail = self.code.rpartition(".")
        return head if dot else None

    @property
    def area_code(self) -> str:
        """The code of the criterion's area (level 1): the first part of its own code."""
        return self.code.partition(".")[0]

    def clean(self) -> None:
        if self.parent_id is not None and self.parent.kind != self.kind:
            raise ValidationError(
                {
                    "kind": _("Tiêu chí phải cùng loại với tiêu chí cha %(code)s (%(kind)s).")
                    % {"code": self.parent.code, "kind": self.parent.get_kind_display()}
                }
            )


class PlanManager(models.Manager):
    def get_by_natural_key(self, number: str) -> "Plan":
        return self.get(number=number)


class Plan(models.Model):
    """A province's plan to raise its index, e.g. 252/KH-UBND of Tiền Giang for 2018-2020."""

    number = models.CharField(_("số kế hoạch"), max_length=60, unique=True)
    title = models.CharField(_("trích yếu"), max_length=500)
    issued_on = models.DateField(_("ngày ban hành"))
    province = models.CharField(_("tỉnh"), max_length=100)
    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="plans", verbose_name=_("bộ chỉ số")
    )
    baseline_year = models.PositiveSmallIntegerField(_("năm gốc"))
    first_year = models.PositiveSmallIntegerField(_("từ năm"))
    last_year = models.PositiveSmallIntegerField(_("đến năm"))
    final_years = models.JSONField(
        _("năm đã chốt điểm"),
        default=list,
        blank=True,
        help_text=_(
            "Các năm Sở Nội vụ đã chốt điểm: tổng điểm của năm đó là kết quả của năm, "
            "không còn là số dự kiến."
        ),
    )

    history = HistoricalRecords()
    objects = PlanManager()

    class Meta:
        verbose_name = _("kế hoạch")
        verbose_name_plural = pgettext_lazy("plural", "kế hoạch")
        ordering = ["-first_year", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_year__lte=F("last_year")), name="plan_years_in_order"
            ),
            models.CheckConstraint(
                condition=Q(baseline_year__lt=F("first_year")), name="plan_baseline_before_period"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def natural_key(self) -> tuple[str]:
        return (self.number,)

    def is_year_final(self, year: int) -> bool:
        """Whether Sở Nội vụ has declared the year's scores final."""
        return year in self.final_years


class TargetQuerySet(models.QuerySet):
    def totals(self) -> "TargetQuerySet":
        return self.filter(criterion__isnull=True)


class Target(models.Model):
    """The score a plan aims at for a criterion (or the whole index) over a span of years."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="targets", verbose_name=_("kế hoạch")
    )
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("tiêu chí"),
        help_text=_("Để trống: mục tiêu tổng điểm của cả chỉ số."),
    )
    first_year = models.PositiveSmallIntegerField(_("từ năm"))
    last_year = models.PositiveSmallIntegerField(_("đến năm"))
    min_score = models.DecimalField(_("mục tiêu thấp nhất"), **SCORE_DIGITS)
    max_score = models.DecimalField(_("mục tiêu cao nhất"), **SCORE_DIGITS)

    history = HistoricalRecords()
    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("mục tiêu")
        verbose_name_plural = pgettext_lazy("plural", "mục tiêu")
        ordering = ["plan", "criterion__sort_key", "first_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "criterion", "first_year"], name="target_unique_per_span"
            ),
            models.UniqueConstraint(
                fields=["plan", "first_year"],
                condition=Q(criterion__isnull=True),
                name="total_target_unique_per_span",
            ),
            models.CheckConstraint(
                condition=Q(min_score__gte=0) & Q(min_score__lte=F("max_score")),
                name="target_range_in_order",
            ),
            models.CheckConstraint(
                condition=Q(first_year__lte=F("last_year")), name="target_years_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion or _('Tổng điểm')} {self.years_label}: {self.range_label}"

    @property
    def years_label(self) -> str:
        if self.first_year == self.last_year:
            return str(self.first_year)
        return f"{self.first_year}–{self.last_year}"

    @property
    def is_range(self) -> bool:
        return self.min_score != self.max_score

    @property
    def range_label(self) -> str:
        if self.is_range:
            return f"{self.min_score.normalize()} – {self.max_score.normalize()}"
        return str(self.min_score.normalize())


class StaleRowError(Exception):
    """Someone saved the row after it was loaded; nothing of this save was kept."""


class ScoreQuerySet(models.QuerySet):
    def update(self, **fields) -> int:
        """Every change of stored scores raises their version, here and only here.

        The grid's conditional updates, the appendix import's bulk_update (which ends in an
        update) and Score.save() (which claims its row through an update) all pass by; a
        page built before the change then carries an older version and is refused.
        """
        fields.setdefault("version", F("version") + 1)
        return super().update(**fields)


class Score(models.Model):
    """A criterion's score for one year: the province's self-assessment or the official result."""

    class Kind(models.TextChoices):
        SELF = "self", _("Tỉnh tự đánh giá")
        OFFICIAL = "official", _("Bộ Nội vụ thẩm định")

    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="scores", verbose_name=_("tiêu chí")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    kind = models.CharField(_("loại điểm"), max_length=10, choices=Kind.choices)
    value = models.DecimalField(_("điểm"), **SCORE_DIGITS)
    note = models.TextField(
        _("ghi chú"),
        blank=True,
        validators=[MaxTextLengthValidator(NOTE_MAX_LENGTH, _("Ghi chú"))],
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người nhập"),
    )
    entered_at = models.DateTimeField(_("thời điểm nhập"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("điểm")
        verbose_name_plural = pgettext_lazy("plural", "điểm")
        ordering = ["criterion__sort_key", "year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "year", "kind"], name="score_unique_per_year_kind"
            ),
            # The upper bound (the criterion's maximum) lives in another table: a trigger
            # added by migration 0002 enforces it.
            models.CheckConstraint(condition=Q(value__gte=0), name="score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code} {self.year} {self.get_kind_display()}: {self.value}"

    def save(self, *args, **kwargs) -> None:
        """Save a stored score only over the version it was read with (the admin, commands).

        The row is claimed first by a conditional update, which raises the version
        (ScoreQuerySet.update); StaleRowError when someone wrote it since it was read.
        """
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        with transaction.atomic(using=kwargs.get("using")):
            if not Score.objects.filter(pk=self.pk, version=self.version).update():
                raise StaleRowError
            self.version += 1
            super().save(*args, **kwargs)


class Action(models.Model):
    """What the plan says must be done for a criterion, and by whom (the appendix's last column)."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="actions", verbose_name=_("kế hoạch")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="actions", verbose_name=_("tiêu chí")
    )
    text = models.TextField(_("thực hiện"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("giải pháp thực hiện")
        verbose_name_plural = pgettext_lazy("plural", "giải pháp thực hiện")
        ordering = ["plan", "criterion__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "criterion"], name="action_unique_per_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.text[:60]}"


class IndexResult(models.Model):
    """The province's published PAR Index for a year: total score and rank among provinces."""

    province = models.CharField(_("tỉnh"), max_length=100)
    year = models.PositiveSmallIntegerField(_("năm"))
    total = models.DecimalField(_("tổng điểm"), **SCORE_DIGITS)
    rank = models.PositiveSmallIntegerField(_("xếp hạng"), null=True, blank=True)
    province_count = models.PositiveSmallIntegerField(_("số tỉnh, thành phố"), default=63)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kết quả chỉ số")
        verbose_name_plural = pgettext_lazy("plural", "kết quả chỉ số")
        ordering = ["province", "year"]
        constraints = [
            models.UniqueConstraint(fields=["province", "year"], name="index_result_unique_year"),
            models.CheckConstraint(condition=Q(total__gte=0), name="index_total_not_negative"),
            models.CheckConstraint(
                condition=Q(rank__isnull=True)
                | (Q(rank__gte=1) & Q(rank__lte=F("province_count"))),
                name="index_rank_within_count",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.province} {self.year}: {self.total}"


# -- Standing among the provinces --------------------------------------------------------


class ProvinceManager(models.Manager):
    def get_by_natural_key(self, name: str) -> "Province":
        return self.get(name=name)


class Province(models.Model):
    """One of the provinces and centrally-run cities the ministry ranks, with its region."""

    class Region(models.TextChoices):
        NORTHERN_MIDLANDS = "northern_midlands", _("Trung du và miền núi phía Bắc")
        RED_RIVER_DELTA = "red_river_delta", _("Đồng bằng sông Hồng")
        CENTRAL_COAST = "central_coast", _("Bắc Trung Bộ và duyên hải miền Trung")
        CENTRAL_HIGHLANDS = "central_highlands", _("Tây Nguyên")
        SOUTHEAST = "southeast", _("Đông Nam Bộ")
        MEKONG_DELTA = "mekong_delta", _("Đồng bằng sông Cửu Long")

    name = models.CharField(_("tên"), max_length=100, unique=True)
    region = models.CharField(_("vùng kinh tế - xã hội"), max_length=20, choices=Region.choices)
    is_city = models.BooleanField(_("thành phố trực thuộc Trung ương"), default=False)
    aliases = models.TextField(
        _("cách viết khác"),
        blank=True,
        help_text=_("Mỗi dòng một cách viết khác của tên, ví dụ “Đăk Lăk”, “TP HCM”."),
    )

    history = HistoricalRecords()
    objects = ProvinceManager()

    class Meta:
        verbose_name = _("tỉnh, thành phố")
        verbose_name_plural = pgettext_lazy("plural", "tỉnh, thành phố")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)

    @property
    def spellings(self) -> list[str]:
        return [self.name, *(line.strip() for line in self.aliases.splitlines() if line.strip())]


class NationalTableManager(models.Manager):
    def get_by_natural_key(self, year: int) -> "NationalTable":
        return self.get(year=year)


class NationalTable(models.Model):
    """The ministry's published PAR Index of one year: all provinces' rows, or only some of
    them where the full table is not at hand."""

    year = models.PositiveSmallIntegerField(_("năm"), unique=True)
    citation = models.CharField(
        _("nguồn"), max_length=500, help_text=_("Văn bản hoặc nơi công bố, kèm ngày.")
    )
    is_illustrative = models.BooleanField(
        _("dữ liệu minh họa"),
        default=False,
        help_text=_("Không phải số liệu công bố: mọi trang hiển thị đều ghi rõ."),
    )
    province_count = models.PositiveSmallIntegerField(
        _("số tỉnh, thành phố được xếp hạng"), default=63
    )

    history = HistoricalRecords()
    objects = NationalTableManager()

    class Meta:
        verbose_name = _("bảng xếp hạng toàn quốc")
        verbose_name_plural = pgettext_lazy("plural", "bảng xếp hạng toàn quốc")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)

    def natural_key(self) -> tuple[int]:
        return (self.year,)


class NationalGroupManager(models.Manager):
    def get_by_natural_key(self, year: int, code: str) -> "NationalGroup":
        return self.get(table__year=year, code=code)


class NationalGroup(models.Model):
    """A group the ministry places provinces in for a year (A, B, C …) and, when published,
    its lower bound: the boundaries change with the methodology, so they are data."""

    table = models.ForeignKey(
        NationalTable, on_delete=models.CASCADE, related_name="groups", verbose_name=_("năm")
    )
    code = models.CharField(_("nhóm"), max_length=10)
    min_index = models.DecimalField(
        _("từ chỉ số (%)"),
        **SCORE_DIGITS,
        null=True,
        blank=True,
        help_text=_("Để trống khi không công bố: ranh giới lấy theo tỉnh thấp nhất của nhóm."),
    )

    history = HistoricalRecords()
    objects = NationalGroupManager()

    class Meta:
        verbose_name = _("nhóm xếp hạng")
        verbose_name_plural = pgettext_lazy("plural", "nhóm xếp hạng")
        ordering = ["table", "code"]
        constraints = [
            models.UniqueConstraint(fields=["table", "code"], name="national_group_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.table.year} {self.code}"

    def natural_key(self) -> tuple[int, str]:
        return (self.table.year, self.code)

    natural_key.dependencies = ["criteria.nationaltable"]


class NationalResultQuerySet(models.QuerySet):
    def for_pages(self) -> "NationalResultQuerySet":
        return self.select_related("table", "province").order_by(
            "table__year", "rank", "province__name"
        )


class NationalResultManager(models.Manager.from_queryset(NationalResultQuerySet)):
    def get_by_natural_key(self, year: int, province: str) -> "NationalResult":
        return self.get(table__year=year, province__name=province)


class NationalResult(models.Model):
    """One province's row of a year's national table, as published."""

    table = models.ForeignKey(
        NationalTable, on_delete=models.CASCADE, related_name="results", verbose_name=_("năm")
    )
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        related_name="results",
        verbose_name=_("tỉnh, thành phố"),
    )
    total = models.DecimalField(_("tổng điểm"), **SCORE_DIGITS)
    index_percent = models.DecimalField(
        _("chỉ số (%)"),
        **SCORE_DIGITS,
        null=True,
        blank=True,
        help_text=_("Để trống khi tổng điểm tối đa là 100: chỉ số bằng tổng điểm."),
    )
    appraised_score = models.DecimalField(
        _("điểm thẩm định"), **SCORE_DIGITS, null=True, blank=True
    )
    survey_score = models.DecimalField(
        _("điểm điều tra xã hội học"), **SCORE_DIGITS, null=True, blank=True
    )
    rank = models.PositiveSmallIntegerField(_("xếp hạng"), null=True, blank=True)
    group = models.CharField(_("nhóm"), max_length=10, blank=True)
    sipas_percent = models.DecimalField(_("SIPAS (%)"), **SCORE_DIGITS, null=True, blank=True)
    sipas_rank = models.PositiveSmallIntegerField(_("xếp hạng SIPAS"), null=True, blank=True)

    history = HistoricalRecords()
    objects = NationalResultManager()

    class Meta:
        verbose_name = _("kết quả toàn quốc")
        verbose_name_plural = pgettext_lazy("plural", "kết quả toàn quốc")
        ordering = ["table", "rank", "province"]
        constraints = [
            models.UniqueConstraint(fields=["table", "province"], name="national_result_unique"),
            models.CheckConstraint(condition=Q(total__gte=0), name="national_total_not_negative"),
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(rank__gte=1), name="national_rank_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.province} {self.table.year}: {self.total}"

    def natural_key(self) -> tuple[int, str]:
        return (self.table.year, self.province.name)

    natural_key.dependencies = ["criteria.nationaltable", "criteria.province"]

    @property
    def index(self) -> Decimal:
        """What the ministry ranks by: the index in %, which is the total when out of 100."""
        return self.index_percent if self.index_percent is not None else self.total


class RankGoalManager(models.Manager):
    def get_by_natural_key(self, plan: str, kind: str, first_year: int) -> "RankGoal":
        return self.get(plan__number=plan, kind=kind, first_year=first_year)


class RankGoal(models.Model):
    """A goal of a plan about rank rather than points, as the province chose to read it."""

    class Kind(models.TextChoices):
        HIGHER_THAN_PREVIOUS = "higher", _("Xếp hạng cao hơn năm trước")
        IN_GROUP = "group", _("Nằm trong nhóm đã chọn")
        WITHIN_RANK = "rank", _("Xếp hạng từ … trở lên")

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="rank_goals", verbose_name=_("kế hoạch")
    )
    kind = models.CharField(_("loại mục tiêu"), max_length=10, choices=Kind.choices)
    first_year = models.PositiveSmallIntegerField(_("từ năm"))
    last_year = models.PositiveSmallIntegerField(_("đến năm"))
    groups = models.CharField(
        _("nhóm"),
        max_length=40,
        blank=True,
        help_text=_(
            "Với mục tiêu nhóm: các nhóm được tính là đạt, cách nhau bởi dấu phẩy, ví dụ A, B."
        ),
    )
    worst_rank = models.PositiveSmallIntegerField(
        _("xếp hạng thấp nhất vẫn đạt"), null=True, blank=True
    )
    wording = models.TextField(_("nguyên văn kế hoạch"), blank=True)

    history = HistoricalRecords()
    objects = RankGoalManager()

    class Meta:
        verbose_name = _("mục tiêu xếp hạng")
        verbose_name_plural = pgettext_lazy("plural", "mục tiêu xếp hạng")
        ordering = ["plan", "first_year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "kind", "first_year"], name="rank_goal_unique_per_span"
            ),
            models.CheckConstraint(
                condition=Q(first_year__lte=F("last_year")), name="rank_goal_years_in_order"
            ),
            models.CheckConstraint(
                condition=~Q(kind="group") | ~Q(groups=""), name="rank_goal_group_named"
            ),
            models.CheckConstraint(
                condition=~Q(kind="rank") | Q(worst_rank__gte=1), name="rank_goal_rank_given"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.get_kind_display()} {self.first_year}–{self.last_year}"

    @property
    def group_codes(self) -> list[str]:
        return [code.strip().upper() for code in self.groups.split(",") if code.strip()]

    def natural_key(self) -> tuple[str, str, int]:
        return (self.plan.number, self.kind, self.first_year)

    natural_key.dependencies = ["criteria.plan"]

    def covers(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year


# -- The province's own index of its units ----------------------------------------------


class UnitBandQuerySet(models.QuerySet):
    def for_unit(self, unit_type: str, year: int) -> "UnitBandQuerySet":
        return self.filter(unit_type=unit_type, year=year).order_by("-min_score")


class UnitBandManager(models.Manager.from_queryset(UnitBandQuerySet)):
    def get_by_natural_key(self, year: int, unit_type: str, name: str) -> "UnitBand":
        return self.get(year=year, unit_type=unit_type, name=name)


class UnitBand(models.Model):
    """A classification band of the province's index of its units for a unit type and year
    (e.g. Tốt from 90, Khá from 80, Trung bình from 70, Yếu from 0): a unit is in the highest
    band its total reaches. The bands change from year to year, so they are data."""

    year = models.PositiveSmallIntegerField(_("năm"))
    unit_type = models.CharField(
        _("loại đơn vị"), max_length=20, choices=Framework.UnitType.choices
    )
    name = models.CharField(_("xếp loại"), max_length=60)
    min_score = models.DecimalField(
        _("từ tổng điểm"),
        **SCORE_DIGITS,
        help_text=_("Tổng điểm (sau quy đổi, kể cả điểm thưởng, điểm trừ) từ mức này trở lên."),
    )

    history = HistoricalRecords()
    objects = UnitBandManager()

    class Meta:
        verbose_name = _("mức xếp loại đơn vị")
        verbose_name_plural = pgettext_lazy("plural", "mức xếp loại đơn vị")
        ordering = ["-year", "unit_type", "-min_score"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "unit_type", "name"], name="unit_band_name_unique"
            ),
            models.UniqueConstraint(
                fields=["year", "unit_type", "min_score"], name="unit_band_bound_unique"
            ),
            models.CheckConstraint(condition=Q(min_score__gte=0), name="unit_band_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_unit_type_display()}: {self.name} ≥ {self.min_score}"

    def natural_key(self) -> tuple[int, str, str]:
        return (self.year, self.unit_type, self.name)


def classify(total: Decimal, bands: Iterable[UnitBand]) -> UnitBand | None:
    """The highest band `total` reaches, or None when it reaches none."""
    reached = [band for band in bands if total >= band.min_score]
    return max(reached, key=lambda band: band.min_score, default=None)


# -- The tie between the province's index of its units and the national index -----------


class CriterionLinkQuerySet(models.QuerySet):
    def to_framework(self, framework_id: int) -> "CriterionLinkQuerySet":
        """The links to the sub-criteria of one national framework."""
        return self.filter(national_criterion__framework_id=framework_id)


class CriterionLink(models.Model):
    """A criterion of a unit framework related to a sub-criterion of the national index: how
    the units score on it bears on the province's score there. The mapping is data; it is
    read from the unit framework's .xlsx (criteria.unit_frameworks) or edited in the admin."""

    unit_criterion = models.ForeignKey(
        Criterion,
        on_delete=models.CASCADE,
        related_name="national_links",
        verbose_name=_("tiêu chí của bộ chỉ số đơn vị"),
    )
    national_criterion = models.ForeignKey(
        Criterion,
        on_delete=models.CASCADE,
        related_name="unit_links",
        verbose_name=_("tiêu chí thành phần Bộ chỉ số tỉnh"),
    )

    history = HistoricalRecords()
    objects = CriterionLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("tiêu chí liên quan")
        verbose_name_plural = pgettext_lazy("plural", "tiêu chí liên quan")
        ordering = ["unit_criterion__framework", "unit_criterion__sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit_criterion", "national_criterion"], name="criterion_link_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_criterion.framework} {self.unit_criterion.code} → " + (
            f"{self.national_criterion.framework} {self.national_criterion.code}"
        )

    def clean(self) -> None:
        if self.unit_criterion_id is None or self.national_criterion_id is None:
            return
        problem = link_problem(self.unit_criterion, self.national_criterion)
        if problem:
            raise ValidationError(problem)


def link_problem(unit: Criterion, national: Criterion) -> str | None:
    """Why `unit` may not be related to `national`, or None. A link goes from a scored
    (regular, without children) criterion of a unit framework to a sub-criterion without
    children of the national framework that applies in the unit framework's first year.
    (Two queries, for the children; the import checks its whole file without them.)"""
    if not unit.framework.is_unit_framework:
        return _(
            "Tiêu chí %(code)s thuộc bộ chỉ số %(framework)s của Bộ Nội vụ; hãy chọn một tiêu "
            "chí của bộ chỉ số tỉnh đánh giá các đơn vị."
        ) % {"code": unit.code, "framework": unit.framework}
    if national.framework.is_unit_framework:
        return _(
            "Tiêu chí %(code)s thuộc bộ chỉ số đơn vị %(framework)s; tiêu chí liên quan phải "
            "là tiêu chí thành phần của Bộ chỉ số tỉnh (bộ chỉ số của Bộ Nội vụ)."
        ) % {"code": national.code, "framework": national.framework}
    if unit.kind != Criterion.Kind.REGULAR:
        return _(
            "Tiêu chí %(code)s là %(kind)s; chỉ tiêu chí chấm điểm mới liên quan đến Bộ chỉ số "
            "tỉnh."
        ) % {"code": unit.code, "kind": unit.get_kind_display().lower()}
    if unit.children.exists():
        return _(
            "Tiêu chí %(code)s có tiêu chí con; hãy liên kết từ tiêu chí con được chấm điểm."
        ) % {"code": unit.code}
    if national.children.exists():
        return _(
            "Tiêu chí %(code)s của Bộ chỉ số tỉnh có tiêu chí thành phần; hãy chọn tiêu chí "
            "thành phần (ví dụ %(code)s.1)."
        ) % {"code": national.code}
    if not national.framework.covers(unit.framework.first_year):
        return _(
            "Bộ chỉ số %(national)s không áp dụng năm %(year)s, năm đầu của bộ chỉ số "
            "%(framework)s."
        ) % {
            "national": national.framework,
            "year": unit.framework.first_year,
            "framework": unit.framework,
        }
    return None
