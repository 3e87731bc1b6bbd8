from django.conf import settings
from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget

from assessments.links import lowest_units, units_version
from assignments.models import user_role
from criteria.caching import cached_part, render_with_cached_part
from criteria.locks import score_lock_reason
from criteria.models import Criterion, Plan, Score
from criteria.services import set_year_final
from reports import charts
from reports.exports import results_workbook
from reports.figures import Basis
from reports.forms import GapFilterForm, ScoreRowForm
from reports.grid import GridArea, GridSummary, ScoreGrid
from reports.rollups import (
    DEFAULT_GAP_SORT,
    Overview,
    Route,
    YearResults,
    current_plan,
    filter_gap_rows,
    plan_years,
    sort_gap_rows,
    stakes_balance,
)
from reports.rollups import (
    agency_stakes as agency_stakes_of,
)
from reports.services import ScoreLockedError, StaleRowError, save_scores
from reports.standing import overview_standing_context, route_standing_context
from reports.unit_views import READERS, public_unit_results

CHANGE_SCORE = "criteria.change_score"
# A refused value and a stale row are answers the grid shows, with their own status codes.
SAVE_STATUS = {"saved": 200, "unchanged": 200, "invalid": 422, "stale": 409}


def _units_vary(request: HttpRequest) -> str | None:
    """For the roles that read every unit's scores (reports.unit_views.READERS), the version
    of the units' data the gap and route pages show; None for the others, who do not see
    the units' scores there (a unit reads only its own page)."""
    return units_version() if user_role(request.user) in READERS else None


def _unit_lows(plan: Plan, year: int, units: str | None) -> dict:
    """The units lowest on the criteria related to each national sub-criterion, by the
    national criterion's id (assessments.links), for a page whose reader may see them."""
    if units is None:
        return {}
    return lowest_units(national_framework_id=plan.framework_id, year=year)


def _get_plan_for_year(year: int) -> Plan:
    """The current plan, if `year` is one of its years; 404 otherwise."""
    plan = current_plan()
    if plan is None or year not in plan_years(plan):
        raise Http404(_("Không có năm %(year)s trong kế hoạch.") % {"year": year})
    return plan


def _overview_figures(plan: Plan, *, basis: str | None = None, public: bool = False) -> str:
    """The overview's totals and areas (the public page shows its published years only),
    rendered once for the data as it is now: the partials `totals` and `areas` of
    reports/overview.html."""

    def build() -> str:
        overview = Overview.build(plan, basis=basis, published_only=public)
        context = {
            "plan": plan,
            "overview": overview,
            "totals_chart": charts.totals_chart(overview.years, plan.framework.max_score),
            "rank_chart": charts.rank_chart(overview.years),
            "areas_chart": charts.areas_chart(
                overview.areas, plan.baseline_year, overview.latest_year
            ),
        }
        return render_to_string("reports/overview.html#totals", context) + render_to_string(
            "reports/overview.html#areas", context
        )

    return cached_part("overview-figures", (plan.pk, basis, public), build)


@require_GET
@login_required
def overview(request: HttpRequest) -> HttpResponse:
    plan = current_plan()
    if plan is None:
        return render(request, "criteria/plan_empty.html")
    basis = _basis(request)
    context = {
        "plan": plan,
        "years": plan_years(plan),
        "figures": _overview_figures(plan, basis=basis),
        "basis": basis,
        "bases": Basis.choices,
    }
    context |= overview_standing_context(plan)
    return render(request, "reports/overview.html", context)


def _basis(request: HttpRequest) -> str | None:
    """The scores asked for with ?basis= (self-assessed or official); None: official where
    the year has any, else self-assessed. Junk falls back to None (one cache entry)."""
    basis = request.GET.get("basis")
    return basis if basis in Basis.values else None


@require_GET
def public_overview(request: HttpRequest) -> HttpResponse:
    """The overview for citizens: official results only, no names; off unless enabled."""
    plan = current_plan() if settings.PAR_PUBLIC_PAGE_ENABLED else None
    if plan is None:
        raise Http404
    return render(
        request,
        "reports/public_overview.html",
        {
            "plan": plan,
            "figures": _overview_figures(plan, public=True),
            # The results of the units' index a leader published for the public.
            "unit_tables": public_unit_results(),
        },
    )


@require_GET
@login_required
def score_grid(request: HttpRequest, year: int) -> HttpResponse:
    """One area's rows at a time (?area=<code>, the first area by default), all areas' sums."""
    plan = _get_plan_for_year(year)
    summary = GridSummary.build(plan, year)
    area = _grid_area(summary, request.GET.get("area"))
    can_edit = request.user.has_perm(CHANGE_SCORE)
    rows = (
        ScoreGrid.build(
            plan.framework_id, year, area=area.criterion, is_final=summary.is_final
        ).rows
        if area
        else []
    )
    context = {
        "plan": plan,
        "year": year,
        "summary": summary,
        "area": area,
        "rows": rows,
        # Another year's grid opens on the same area.
        "area_query": f"?{urlencode({'area': area.criterion.code})}" if area else "",
        "years": plan_years(plan),
        "can_edit": can_edit,
        # An approved self-assessment (criteria.locks) locks the year's self-assessed scores:
        # their cells are read-only (still posted, unchanged, with the official score).
        "self_locked": can_edit
        and score_lock_reason(framework_id=plan.framework_id, year=year, kind=Score.Kind.SELF),
    }
    return render(request, "reports/score_grid.html", context)


def _grid_area(summary: GridSummary, code: str | None) -> GridArea | None:
    """The area asked for by its code; without one the first, in the appendix's order (the
    same link always opens the same area; the summary shows which areas still have gaps)."""
    if code is None:
        return next(iter(summary.areas), None)
    area = summary.area(code)
    if area is None:
        raise Http404(_("Không có lĩnh vực %(code)s trong bảng điểm.") % {"code": code})
    return area


@require_POST
@login_required
@permission_required(CHANGE_SCORE, raise_exception=True)
def score_save(request: HttpRequest, year: int, criterion_pk: int) -> HttpResponse:
    """Save one leaf's scores; htmx gets the row's status and the sums above it."""
    plan = _get_plan_for_year(year)
    criterion = get_object_or_404(
        Criterion.objects.leaves(), pk=criterion_pk, framework=plan.framework_id
    )
    form = ScoreRowForm(request.POST, criterion=criterion)
    outcome = _save_row(form, criterion, year, request.user)
    if not request.htmx:
        return _score_save_fallback(request, year, criterion, form, outcome)
    summary = GridSummary.build(plan, year)
    area = summary.area(criterion.area_code)
    grid = ScoreGrid.build(plan.framework_id, year, area=area.criterion, is_final=summary.is_final)
    context = {
        "plan": plan,
        "year": year,
        "summary": summary,
        "area": area,
        "row": grid.by_id[criterion.pk],
        "ancestors": grid.ancestors(criterion),
        "form": form,
        "outcome": outcome,
        "can_edit": True,
    }
    response = render(request, "reports/score_saved.html", context, status=SAVE_STATUS[outcome])
    if outcome == "stale":
        # Someone else's values replace the typed ones: swap the whole row.
        response = reswap(retarget(response, f"#row-{criterion.pk}"), "outerHTML")
    return response


def _save_row(form: ScoreRowForm, criterion: Criterion, year: int, user: AbstractBaseUser) -> str:
    """Validate and save a grid row: "saved", "unchanged", "invalid" or "stale". A locked
    year's scores (an approved self-assessment) are refused as the form's error."""
    if not form.is_valid():
        return "invalid"
    try:
        changed = save_scores(criterion=criterion, year=year, entries=form.entries(), by=user)
    except StaleRowError:
        return "stale"
    except ScoreLockedError as error:
        form.add_error(None, str(error))
        return "invalid"
    return "saved" if changed else "unchanged"


def _score_save_fallback(
    request: HttpRequest, year: int, criterion: Criterion, form: ScoreRowForm, outcome: str
) -> HttpResponse:
    """Without JavaScript the grid's forms post here: report by message, back to the grid."""
    code = {"code": criterion.code}
    if outcome == "invalid":
        errors = " ".join(str(error) for errors in form.errors.values() for error in errors)
        messages.error(request, f"{criterion.code}: {errors}")
    elif outcome == "stale":
        messages.error(
            request,
            _("%(code)s: dòng này vừa được người khác sửa nên chưa lưu; hãy kiểm tra rồi nhập lại.")
            % code,
        )
    else:
        messages.success(request, _("Đã lưu điểm tiêu chí %(code)s.") % code)
    grid_url = reverse("reports:score-grid", args=[year])
    return redirect(f"{grid_url}?{urlencode({'area': criterion.area_code})}#row-{criterion.pk}")


@require_POST
@login_required
@permission_required(CHANGE_SCORE, raise_exception=True)
def year_final(request: HttpRequest, year: int) -> HttpResponse:
    """Sở Nội vụ declares the year's scores final (its total becomes the year's result) or
    opens the year again; the plan's history records it."""
    plan = _get_plan_for_year(year)
    is_final = request.POST.get("is_final") == "1"
    changed = set_year_final(plan=plan, year=year, is_final=is_final, by=request.user)
    if changed and is_final:
        messages.success(request, _("Đã chốt điểm năm %(year)s.") % {"year": year})
    elif changed:
        messages.success(request, _("Đã mở lại điểm năm %(year)s.") % {"year": year})
    return redirect("reports:score-grid", year=year)


@require_GET
@login_required
def gap_dashboard(request: HttpRequest, year: int) -> HttpResponse:
    plan = _get_plan_for_year(year)
    query = _gap_filters(request, plan)
    basis = _basis(request)
    units = _units_vary(request)
    return render_with_cached_part(
        request,
        "reports/gap_dashboard.html",
        part="content",
        vary=(plan.pk, year, tuple(sorted(query.items())), basis, units),
        build=lambda: (
            _gaps(plan, year, query, basis) | {"unit_lows": _unit_lows(plan, year, units)}
        ),
        context={"year": year},
    )


def _gap_filters(request: HttpRequest, plan: Plan) -> dict[str, str]:
    """The filters the form accepts, as strings: a bad or unknown value falls back to its
    default, so it neither changes the page nor makes another entry in the cache."""
    areas = Criterion.objects.filter(framework=plan.framework_id, parent=None).order_by("sort_key")
    form = GapFilterForm(request.GET, areas=list(areas))
    form.is_valid()
    return {name: str(value) for name, value in form.cleaned_data.items() if value}


def _gaps(plan: Plan, year: int, query: dict[str, str], basis: str | None) -> dict:
    results = YearResults.build(plan, year, basis=basis)
    form = GapFilterForm(query, areas=[row.criterion for row in results.areas])
    sort = form.value_of("sort") or DEFAULT_GAP_SORT
    survey = form.value_of("survey")
    rows = filter_gap_rows(
        results.rows,
        area_id=form.value_of("area"),
        is_survey={"yes": True, "no": False}.get(survey),
        status=form.value_of("status"),
    )
    return {
        "plan": plan,
        "results": results,
        "rows": sort_gap_rows(rows, sort),
        "form": form,
        "sort": sort,
        "headers": _sort_headers(query, sort, plan, results.basis),
        "years": plan_years(plan),
        "bases": _basis_links(query, results.basis),
    }


def _basis_links(query: dict[str, str], current: str) -> list[dict]:
    """The switch between self-assessed and official scores, keeping the other filters."""
    return [
        {
            "label": label,
            "url": f"?{urlencode({**query, 'basis': value})}",
            "current": value == current,
        }
        for value, label in Basis.choices
    ]


def _sort_headers(query: dict[str, str], sort: str, plan: Plan, basis: str) -> list[dict]:
    """The gap table's sortable column headers: a link that sorts by the column, then flips;
    the score column says which scores it shows."""
    labels = {
        **GapFilterForm.SORTS,
        "baseline": _("Năm %(year)s") % {"year": plan.baseline_year},
        "actual": f"{GapFilterForm.SORTS['actual']} ({Basis(basis).label})",
    }
    headers = []
    for key, label in labels.items():
        state = {f"-{key}": "descending", key: "ascending"}.get(sort)
        link = {**query, "sort": key if sort == f"-{key}" else f"-{key}"}
        headers.append({"key": key, "label": label, "url": f"?{urlencode(link)}", "state": state})
    return headers


@require_GET
@login_required
def results_export(request: HttpRequest, year: int) -> HttpResponse:
    plan = _get_plan_for_year(year)
    response = HttpResponse(
        cached_part("results-export", (plan.pk, year), lambda: results_workbook(plan, year)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="ket-qua-chi-so-cchc-{year}.xlsx"'
    return response


@require_GET
@login_required
def results_print(request: HttpRequest, year: int) -> HttpResponse:
    plan = _get_plan_for_year(year)
    return render_with_cached_part(
        request,
        "reports/results_print.html",
        part="content",
        vary=(plan.pk, year),
        build=lambda: {"plan": plan, "results": YearResults.build(plan, year)},
        context={"year": year},
    )


@require_GET
@login_required
def route_to_target(request: HttpRequest, year: int) -> HttpResponse:
    plan = _get_plan_for_year(year)
    without_survey = request.GET.get("without_survey") == "1"
    basis = _basis(request)
    units = _units_vary(request)
    return render_with_cached_part(
        request,
        "reports/route.html",
        part="content",
        vary=(plan.pk, year, without_survey, basis, units),
        build=lambda: (
            _route(plan, year, without_survey=without_survey, basis=basis)
            | {"unit_lows": _unit_lows(plan, year, units)}
        ),
        context={"year": year, **route_standing_context(request, plan, year)},
    )


@require_GET
@login_required
def agency_stakes(request: HttpRequest, year: int) -> HttpResponse:
    plan = _get_plan_for_year(year)
    basis = _basis(request)
    return render_with_cached_part(
        request,
        "reports/agency_stakes.html",
        part="content",
        vary=(plan.pk, year, basis),
        build=lambda: _stakes(plan, year, basis),
        context={"year": year},
    )


def _route(plan: Plan, year: int, *, without_survey: bool, basis: str | None) -> dict:
    results = YearResults.build(plan, year, basis=basis)
    return {
        "plan": plan,
        "route": Route.build(results, without_survey=without_survey),
        "years": plan_years(plan),
        "bases": _basis_links({"without_survey": "1"} if without_survey else {}, results.basis),
    }


def _stakes(plan: Plan, year: int, basis: str | None) -> dict:
    results = YearResults.build(plan, year, basis=basis)
    stakes = agency_stakes_of(results)
    return {
        "plan": plan,
        "results": results,
        "stakes": stakes,
        "balance": stakes_balance(results, stakes),
        "bases": _basis_links({}, results.basis),
        "chart": charts.stakes_chart(stakes),
        "years": plan_years(plan),
    }
