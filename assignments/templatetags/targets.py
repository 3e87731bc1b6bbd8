"""Measurable targets as the plan writes them: "ít nhất 70%", "từ 95 đến 100%"."""

from django import template
from django.utils.translation import gettext as _

from assignments.models import TaskTarget
from criteria.templatetags.scores import score

register = template.Library()


@register.filter
def target_label(target: TaskTarget) -> str:
    """The target's comparison and value, with the active language's decimal mark."""
    unit = target.unit
    if target.comparator == TaskTarget.Comparator.BETWEEN:
        return _("từ %(low)s đến %(high)s%(unit)s") % {
            "low": score(target.value),
            "high": score(target.value_max),
            "unit": unit,
        }
    prefix = {
        TaskTarget.Comparator.AT_LEAST: _("ít nhất"),
        TaskTarget.Comparator.ABOVE: _("trên"),
        TaskTarget.Comparator.EXACTLY: _("đạt"),
    }[target.comparator]
    return f"{prefix} {score(target.value)}{unit}"
