"""The standing pages: the province among its peers, and the read-only JSON of the national
tables and of the province's yearly results, with the access rules of the pages they mirror
(any signed-in user, as the overview)."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from criteria.caching import cached_part
from criteria.models import NationalTable, Plan
from reports import charts
from reports.peers import Peers, region_chart
from reports.rollups import Overview, current_plan
from reports.standing import ProvinceStanding, year_tables


def _current_plan_or_404():
    plan = current_plan()
    if plan is None:
        raise Http404(_("Chưa có kế hoạch nào."))
    return plan


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) <= 9 else None


@require_GET
@login_required
def standing(request: HttpRequest) -> HttpResponse:
    plan = _current_plan_or_404()
    peers = Peers.build(plan, _int_param(request, "year"), _int_param(request, "peer"))
    context = {
        "plan": plan,
        "peers": peers,
        "chart": region_chart(peers) if peers.region else None,
        "rank_chart": charts.rank_chart(peers.trend),
        "distributions": [d for d in (peers.national, peers.regional, peers.sipas) if d],
    }
    return render(request, "reports/standing.html", context)


def _number(value: Decimal | None) -> str | None:
    """Decimals as strings: exact, and the same in every language."""
    return None if value is None else f"{value:.2f}"


@require_GET
@login_required
def national_table_json(request: HttpRequest, year: int) -> JsonResponse:
    table = get_object_or_404(NationalTable, year=year)
    tables = year_tables([year], None)
    rows = tables[year].others if year in tables else []
    groups = tables[year].groups if year in tables else []
    return JsonResponse(
        {
            "year": table.year,
            "source": table.citation,
            "is_illustrative": table.is_illustrative,
            "province_count": table.province_count,
            "is_complete": len(rows) >= table.province_count,
            "groups": [{"code": g.code, "min_index": _number(g.min_index)} for g in groups],
            "results": [
                {
                    "province": r.province.name,
                    "region": r.province.region,
                    "total": _number(r.total),
                    "index": _number(r.index),
                    "appraised_score": _number(r.appraised_score),
                    "survey_score": _number(r.survey_score),
                    "rank": r.rank,
                    "group": r.group,
                    "sipas_percent": _number(r.sipas_percent),
                    "sipas_rank": r.sipas_rank,
                }
                for r in rows
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
@login_required
def province_results_json(request: HttpRequest) -> JsonResponse:
    plan = _current_plan_or_404()
    # Kept until the data changes, like the overview's figures it repeats.
    results = cached_part("standing-json", (plan.pk,), lambda: _province_results(plan))
    return JsonResponse(results, json_dumps_params={"ensure_ascii": False})


def _province_results(plan: Plan) -> dict:
    """The province's yearly results, targets, ranks and areas, as the overview shows them."""
    standing = ProvinceStanding.build(plan)
    # The areas' figures as the overview shows them (stated, or the children's sum).
    overview = Overview.build(plan)
    areas = [area.criterion for area in overview.areas]
    return {
        "province": plan.province,
        "region": standing.province.region if standing.province else None,
        "plan": plan.number,
        "rank_goals": [
            {
                "kind": g.kind,
                "first_year": g.first_year,
                "last_year": g.last_year,
                "groups": g.group_codes,
                "worst_rank": g.worst_rank,
                "wording": g.wording,
            }
            for g in standing.goals
        ],
        "years": [
            {
                "year": y.year,
                "total": _number(y.total),
                "rank": y.rank,
                "province_count": y.province_count,
                "change": y.change,
                "group": y.group,
                "sipas_percent": _number(y.sipas_percent),
                "sipas_rank": y.sipas_rank,
                "source": y.source,
                "is_illustrative": y.is_illustrative,
                "target": {
                    "min": _number(y.target.min_score),
                    "max": _number(y.target.max_score),
                }
                if y.target
                else None,
                "points_status": y.points_status.value if y.points_status else None,
                "rank_goals": [{"kind": c.goal.kind, "status": c.status.value} for c in y.goals],
                "areas": {
                    a.code: _number(overview.by_year[y.year].figure(a.id).value)
                    for a in areas
                    if y.year in overview.by_year
                },
            }
            for y in standing.years
        ],
    }
