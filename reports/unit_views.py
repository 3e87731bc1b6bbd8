"""The results of the province's index of its units (assessments.ranking): the tables per
unit type and per cluster for a year, and a unit's page. Sở Nội vụ, administrators and
leaders read every round; units and council members read published rounds only, and a unit
only its own page."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from assessments.models import AssessmentRound
from assessments.ranking import RoundResults, round_results, unit_page
from assignments.models import Agency, Role, user_agency, user_role
from reports.document_views import DRAFTERS
from reports.documents.unit_results import not_ready

READERS = (Role.ADMINISTRATOR, Role.NOIVU_STAFF, Role.LEADER)


def _rounds_for_user(request: HttpRequest, year: int):
    rounds = AssessmentRound.objects.filter(year=year).select_related("framework")
    if user_role(request.user) not in READERS:
        rounds = rounds.filter(is_published=True)
    return rounds.order_by("unit_type")


def public_unit_results() -> list[RoundResults]:
    """The rounds of the latest year a leader made public, each with its results (one query
    when there is none)."""
    rounds = list(
        AssessmentRound.objects.filter(is_published=True, is_public=True)
        .select_related("framework")
        .order_by("-year", "unit_type")
    )
    latest = rounds[0].year if rounds else None
    return [round_results(r) for r in rounds if r.year == latest]


@require_GET
@login_required
def unit_results(request: HttpRequest, year: int) -> HttpResponse:
    """Every round of the year: its ranking table, and per cluster for districts."""
    if user_role(request.user) is None:
        raise Http404
    tables = [round_results(unit_round) for unit_round in _rounds_for_user(request, year)]
    role = user_role(request.user)
    own = user_agency(request.user) if role == Role.AGENCY_USER else None
    # The draft of the People's Committee's decision publishing them (reports.document_views),
    # or why it cannot be drafted yet.
    can_draft = role in DRAFTERS and bool(tables)
    draft_blocker = not_ready(tables) if can_draft else None
    return render(
        request,
        "reports/unit_results.html",
        {
            "year": year,
            "tables": tables,
            "own": own,
            "can_read_all": own is None,
            "can_draft": can_draft,
            "draft_blocker": draft_blocker,
        },
    )


@require_GET
@login_required
def unit_detail(request: HttpRequest, year: int, agency_pk: int) -> HttpResponse:
    """A unit's page: its result, its areas against last year and the group's median, the
    points lost at appraisal, its weakest criteria."""
    agency = get_object_or_404(Agency, pk=agency_pk)
    role = user_role(request.user)
    is_own = role == Role.AGENCY_USER and user_agency(request.user) == agency
    if role not in READERS and not is_own:
        raise Http404
    unit_round = _rounds_for_user(request, year).filter(unit_type=agency.kind).first()
    if unit_round is None:
        raise Http404
    page = unit_page(round_results(unit_round), agency)
    if page is None:
        raise Http404
    return render(request, "reports/unit_detail.html", {"year": year, "page": page})
