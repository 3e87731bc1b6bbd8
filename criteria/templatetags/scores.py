"""Scores as the active language writes them: "8,5 – 9" in Vietnamese, "8.5 – 9" in English."""

from decimal import Decimal
from functools import lru_cache

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language

register = template.Library()


@register.filter
def score(value: Decimal | None) -> str:
    """A score without trailing zeros, with the active language's decimal mark; "" when empty."""
    if value is None:
        return ""
    return _formatted(Decimal(value).normalize(), get_language())


# A page of the whole tree formats thousands of scores drawn from a few hundred values;
# Django looks the language's separators up on every call.
@lru_cache(maxsize=4096)
def _formatted(value: Decimal, language: str) -> str:
    return number_format(value)


@register.filter
def score_range(value: tuple[Decimal, Decimal] | None) -> str:
    """A target: one score, or "low – high" with an en dash when the bounds differ."""
    if value is None:
        return ""
    low, high = value
    if low == high:
        return score(low)
    return f"{score(low)} – {score(high)}"
