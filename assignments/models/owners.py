"""Who acts on each criterion of a plan: owners proposed from the appendix, confirmed by Sở Nội vụ.

The writes that propose and confirm them are in assignments/owners.py.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from assignments.models.agencies import Agency, AgencyGroup


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
