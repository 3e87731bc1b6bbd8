"""Scores and targets as people read them, in the active language ("73,64", "8,5 – 9")."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from criteria.models import Target

register = template.Library()


def format_score(value: Decimal | int | str | None) -> str:
    """A score without trailing zeros in the active locale; "" when there is none.

    Templates pass "" for a missing attribute (a row without a score).
    """
    if value is None or value == "":
        return ""
    value = Decimal(value)
    value = value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
    return number_format(value)


@register.filter
def score(value: Decimal | int | str | None) -> str:
    return format_score(value)


@register.filter
def target_range(target: Target | None) -> str:
    if target is None:
        return ""
    if target.is_range:
        return f"{format_score(target.min_score)} – {format_score(target.max_score)}"
    return format_score(target.min_score)
