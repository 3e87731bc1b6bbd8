"""The data of the province's own index of its units that names agencies: which unit is
exempt from which criteria of its framework, and the clusters units are ranked within.

The frameworks, their trees and the classification bands are criteria's (they name no
agency); the assessments and rankings built on these are assessments'.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from assignments.models.agencies import Agency
from criteria.models import NOTE_MAX_LENGTH, Criterion, Framework, MaxTextLengthValidator


def applicable_maximum(maximum: Decimal, exempt: dict[str, Decimal]) -> Decimal:
    """`maximum` less the maxima of the exempt criteria, by code; a criterion under an
    exempt area or criterion is counted with it, not again."""
    return maximum - sum(
        (
            value
            for code, value in exempt.items()
            if not any(code.startswith(f"{other}.") for other in exempt)
        ),
        Decimal(0),
    )


class ExemptionQuerySet(models.QuerySet):
    def of_framework(self, framework: Framework) -> "ExemptionQuerySet":
        return self.filter(criterion__framework=framework)

    def applicable_maxima(self, framework: Framework) -> dict[int, Decimal]:
        """The maximum of the criteria that apply, by agency id, for the agencies exempt
        from any criterion of `framework` (one query); the others' is the framework's
        maximum. An exempt area counts once, with the criteria under it."""
        rows = self.of_framework(framework).values_list(
            "agency_id", "criterion__code", "criterion__max_score"
        )
        by_agency: dict[int, dict[str, Decimal]] = {}
        for agency_id, code, maximum in rows:
            by_agency.setdefault(agency_id, {})[code] = maximum
        return {
            agency_id: applicable_maximum(framework.max_score, exempt)
            for agency_id, exempt in by_agency.items()
        }


class Exemption(models.Model):
    """A unit exempt from a criterion, or a whole area, of its framework (e.g. a body with no
    administrative procedures, from the area of administrative procedures): the criterion is
    not scored for it, and its total is scaled by the framework's rule
    (Framework.exemption_scaling, Framework.unit_total)."""

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="exemptions", verbose_name=_("đơn vị")
    )
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.CASCADE,
        related_name="exemptions",
        verbose_name=_("lĩnh vực, tiêu chí"),
        help_text=_("Chọn một lĩnh vực để miễn cả lĩnh vực, hoặc một tiêu chí."),
    )
    reason = models.TextField(
        _("lý do"),
        blank=True,
        validators=[MaxTextLengthValidator(NOTE_MAX_LENGTH, _("Lý do"))],
        help_text=_("Ví dụ: đơn vị không có thủ tục hành chính thuộc thẩm quyền giải quyết."),
    )

    history = HistoricalRecords()
    objects = ExemptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("miễn đánh giá tiêu chí")
        verbose_name_plural = pgettext_lazy("plural", "miễn đánh giá tiêu chí")
        ordering = ["agency", "criterion__framework", "criterion__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "criterion"], name="exemption_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} – {self.criterion.framework}: {self.criterion.code}"

    def clean(self) -> None:
        if self.agency_id is None or self.criterion_id is None:
            return
        framework = self.criterion.framework
        if not framework.is_unit_framework:
            raise ValidationError(
                {
                    "criterion": _(
                        "Bộ chỉ số %(framework)s là bộ chỉ số của Bộ Nội vụ đánh giá tỉnh; chỉ "
                        "miễn tiêu chí của bộ chỉ số tỉnh đánh giá các đơn vị."
                    )
                    % {"framework": framework}
                }
            )
        if self.agency.kind != framework.unit_type:
            raise ValidationError(
                {
                    "agency": _(
                        "%(agency)s không thuộc loại đơn vị “%(type)s” mà bộ chỉ số "
                        "%(framework)s đánh giá."
                    )
                    % {
                        "agency": self.agency,
                        "type": framework.get_unit_type_display(),
                        "framework": framework,
                    }
                }
            )
        if self.criterion.kind != Criterion.Kind.REGULAR:
            raise ValidationError(
                {
                    "criterion": _(
                        "Chỉ miễn tiêu chí chấm điểm; %(code)s là %(kind)s, đơn vị không có thì "
                        "không được cộng, không bị trừ."
                    )
                    % {"code": self.criterion.code, "kind": self.criterion.get_kind_display()}
                }
            )
        others = (
            Exemption.objects.filter(agency=self.agency_id, criterion__framework=framework)
            .exclude(pk=self.pk)
            .values_list("criterion__code", "criterion__max_score")
        )
        exempt = dict(others) | {self.criterion.code: self.criterion.max_score}
        if applicable_maximum(framework.max_score, exempt) <= 0:
            raise ValidationError(
                _("Đơn vị không thể được miễn toàn bộ các tiêu chí chấm điểm của bộ chỉ số.")
            )


class UnitClusterManager(models.Manager):
    def get_by_natural_key(self, year: int, unit_type: str, name: str) -> "UnitCluster":
        return self.get(year=year, unit_type=unit_type, name=name)

    def by_member(self, *, year: int, unit_type: str) -> dict[int, "UnitCluster"]:
        """Each member agency's cluster in a year, by agency id (one query)."""
        links = UnitCluster.members.through.objects.filter(
            unitcluster__year=year, unitcluster__unit_type=unit_type
        ).select_related("unitcluster")
        clusters: dict[int, UnitCluster] = {}
        return {
            link.agency_id: clusters.setdefault(link.unitcluster_id, link.unitcluster)
            for link in links
        }


class UnitCluster(models.Model):
    """A cluster within which units of one type are ranked in a year, e.g. the districts'
    Cụm 1 and Cụm 2. A unit belongs to at most one cluster of a year."""

    year = models.PositiveSmallIntegerField(_("năm"))
    unit_type = models.CharField(
        _("loại đơn vị"),
        max_length=20,
        choices=Framework.UnitType.choices,
        default=Framework.UnitType.DISTRICT,
    )
    name = models.CharField(_("tên cụm"), max_length=100)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    description = models.TextField(_("mô tả"), blank=True)
    members = models.ManyToManyField(
        Agency, blank=True, related_name="unit_clusters", verbose_name=_("đơn vị trong cụm")
    )

    objects = UnitClusterManager()

    class Meta:
        verbose_name = _("cụm xếp hạng")
        verbose_name_plural = pgettext_lazy("plural", "cụm xếp hạng")
        ordering = ["-year", "unit_type", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "unit_type", "name"], name="unit_cluster_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"

    def natural_key(self) -> tuple[int, str, str]:
        return (self.year, self.unit_type, self.name)

    def check_members(self, members: list[Agency]) -> None:
        """Refuse members of another kind, or already in another cluster of the year."""
        problems = [
            _("%(agency)s không phải là “%(type)s”.")
            % {"agency": agency, "type": self.get_unit_type_display()}
            for agency in members
            if agency.kind != self.unit_type
        ]
        elsewhere = (
            UnitCluster.members.through.objects.filter(
                unitcluster__year=self.year,
                unitcluster__unit_type=self.unit_type,
                agency__in=members,
            )
            .exclude(unitcluster=self.pk)
            .select_related("agency", "unitcluster")
        )
        problems += [
            _("%(agency)s đã thuộc %(cluster)s năm %(year)s.")
            % {"agency": row.agency, "cluster": row.unitcluster.name, "year": self.year}
            for row in elsewhere
        ]
        if problems:
            raise ValidationError(problems)
