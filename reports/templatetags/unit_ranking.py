"""The rows of a ranking table of the units' index (templates/reports/includes/unit_table.html).

A round of a province's departments or communes ranks hundreds of units, each shown twice
(the type's table and its cluster's): one Python function per row instead of a template
loop of two dozen nodes keeps the page within a few times the cost of an empty one at
300 units (BENCHMARKS.md). The cells after the rank are the same in both tables and are
built once per unit and page.
"""

from django import template
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from assessments.ranking import UnitResult
from criteria.templatetags.scores import score

register = template.Library()


def _cells(result: UnitResult, *, year: int, linked: bool, public: bool) -> SafeString:
    """Every cell of a unit's row after its rank."""
    name = result.agency.name
    if linked:
        url = reverse("reports:unit-detail", args=[year, result.agency.pk])
        unit = format_html('<a href="{}">{}</a>', url, name)
    else:
        unit = format_html("{}", name)
    scaled = (
        format_html(
            ' <span class="meta" title="{}">/ {}</span>',
            gettext("Quy đổi do được miễn tiêu chí"),
            score(result.applicable_maximum),
        )
        if result.is_scaled
        else ""
    )
    penalty = f"−{score(result.penalty)}" if result.penalty else ""
    change = ""
    if not public:
        if result.change is not None:
            change = ("+" if result.change > 0 else "") + floatformat(result.change, 2)
        change = format_html('<td class="num">{}</td>', change)
    return format_html(
        "    <td>{}</td>\n"
        '    <td class="num">{}{}</td>\n'
        '    <td class="num">{}</td>\n'
        '    <td class="num">{}</td>\n'
        '    <td class="num total">{}</td>\n'
        "    <td>{}</td>\n"
        "    {}\n",
        unit,
        score(result.regular),
        scaled,
        score(result.bonus),
        penalty,
        floatformat(result.total, 2),
        result.band.name if result.band else "",
        change,
    )


@register.simple_tag(takes_context=True)
def unit_rows(context, results: list[UnitResult], in_cluster: bool = False) -> SafeString:
    """The table's rows: the rank (in the cluster with `in_cluster`), the unit, linked to
    its page for those who may read it (not on the public page), its points, total, band
    and change from last year (not on the public page)."""
    public, own = context.get("public"), context.get("own")
    can_read_all, year = context.get("can_read_all"), context.get("year")
    rows = []
    for result in results:
        is_own = bool(own) and own.pk == result.agency.pk
        # Kept on the result, for its row in its cluster's table (another include).
        built = vars(result).setdefault("_row_cells", {})
        key = (year, bool(public), bool(can_read_all), is_own)
        if key not in built:
            linked = not public and (bool(can_read_all) or is_own)
            built[key] = _cells(result, year=year, linked=linked, public=bool(public))
        rank = result.cluster_rank if in_cluster else result.rank
        rows.append(
            format_html(
                '\n  <tr{}>\n    <td class="num">{}</td>\n{}  </tr>\n  ',
                ' class="own"' if is_own else "",
                localize(rank),
                built[key],
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 (each row built by format_html)
