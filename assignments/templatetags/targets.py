"""Measurable targets as the plan writes them: "ít nhất 70%", "từ 95 đến 100%"."""

from django import template
from django.utils.translation import gettext as _

from assignments.models import TaskTarget
from criteria.templatetags.scores import score

register = template.Library()


def with_unit(value: str, unit: str) -> str:
    """A figure and its unit as they are written: "95%", but "5 ngày làm việc"."""
    if not unit or not unit[0].isalpha():
        return f"{value}{unit}"
    return f"{value} {unit}"


@register.filter
def unit_of(value: str, target: TaskTarget) -> str:
    """`{{ value|score|unit_of:target }}`: the figure followed by the target's unit."""
    return with_unit(value, target.unit)


@register.filter
def target_label(target: TaskTarget) -> str:
    """The target's comparison and value, with the active language's decimal mark."""
    if target.comparator == TaskTarget.Comparator.BETWEEN:
        return _("từ %(low)s đến %(high)s") % {
            "low": score(target.value),
            "high": with_unit(score(target.value_max), target.unit),
        }
    prefix = {
        TaskTarget.Comparator.AT_LEAST: _("ít nhất"),
        TaskTarget.Comparator.ABOVE: _("trên"),
        TaskTarget.Comparator.EXACTLY: _("đạt"),
    }[target.comparator]
    return f"{prefix} {with_unit(score(target.value), target.unit)}"
