"""Targets as people read them ("8,5 – 9"); scores use the criteria app's `score` filter."""

from django import template

from criteria.models import Target
from criteria.templatetags.scores import score

register = template.Library()


@register.filter
def target_range(target: Target | None) -> str:
    """A plan's target for a span: one score, or "low – high" when it is a range."""
    if target is None:
        return ""
    if target.is_range:
        return f"{score(target.min_score)} – {score(target.max_score)}"
    return score(target.min_score)
