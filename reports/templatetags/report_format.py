"""Targets as people read them ("8,5 – 9"); scores use the criteria app's `score` filter."""

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

from criteria.models import Target
from criteria.templatetags.scores import score
from reports.figures import Figure

register = template.Library()


@register.filter
def target_range(target: Target | None) -> str:
    """A plan's target for a span: one score, or "low – high" when it is a range."""
    if target is None:
        return ""
    if target.is_range:
        return f"{score(target.min_score)} – {score(target.max_score)}"
    return score(target.min_score)


@register.simple_tag
def children_sum_note(value: Decimal | None, children_sum: Decimal | None) -> str:
    """Beside a stated figure that differs from its children's sum: the sum and the
    difference, marked, so that a page never picks one of the two silently."""
    if value is None or children_sum is None or value == children_sum:
        return ""
    difference = value - children_sum
    sign = "+" if difference > 0 else "−"
    return format_html(
        ' <span class="stated-sum" title="{}">{}</span>',
        gettext("Số được ghi (phụ lục, kết quả công bố) khác tổng các dòng con"),
        gettext("≠ tổng các dòng con %(sum)s, chênh lệch %(difference)s")
        % {"sum": score(children_sum), "difference": f"{sign}{score(abs(difference))}"},
    )


@register.simple_tag
def show_figure(figure: Figure | None) -> str:
    """A figure as every page shows it: its value, marked as a projection where the year is
    not final, with its children's sum where a stated value differs from it."""
    if figure is None or figure.value is None:
        return ""
    badge = (
        format_html(
            ' <span class="badge projection" title="{}">{}</span>',
            gettext("Năm chưa chốt điểm: điểm đã nhập cộng điểm năm trước cho phần còn lại"),
            gettext("dự kiến"),
        )
        if figure.is_projection
        else ""
    )
    return format_html(
        "{}{}{}", score(figure.value), children_sum_note(figure.value, figure.children_sum), badge
    )


@register.filter
def lows_of(unit_lows: dict, criterion_id: int) -> list:
    """The units lowest on the criteria related to a national criterion (assessments.links)."""
    return unit_lows.get(criterion_id, []) if unit_lows else []
