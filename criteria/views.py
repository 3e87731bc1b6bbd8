from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from assignments.models import AgencyGroup, Responsibility
from criteria.caching import cached_part, render_with_cached_part
from criteria.consistency import find_mismatches
from criteria.exporters import XLSX_CONTENT_TYPE, appendix_filename, plan_appendix_bytes
from criteria.history import history_entries
from criteria.layout import AppendixRow, AppendixTable
from criteria.models import Action, Criterion, Plan, Score, Target
from criteria.published import PublishedResult, published_results


@require_GET
@login_required
def plan_detail_current(request: HttpRequest) -> HttpResponse:
    plan = Plan.objects.order_by("-last_year", "-issued_on").first()
    if plan is None:
        return render(request, "criteria/plan_empty.html")
    return redirect("criteria:plan-detail", pk=plan.pk)


@require_GET
@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(Plan.objects.select_related("framework"), pk=pk)
    can_assign = request.user.has_perm("assignments.change_responsibility")
    # The appendix's own inconsistencies are shown to those who can correct its figures
    # (administrators, Sở Nội vụ), not first thing to the leaders and agencies who read it.
    can_check = request.user.has_perm("criteria.change_target")
    return render_with_cached_part(
        request,
        "criteria/plan_detail.html",
        part="body",
        vary=(plan.pk, can_assign, can_check),
        build=lambda: _plan_body(plan, can_assign=can_assign, can_check=can_check),
        context={"plan": plan},
    )


def _plan_body(plan: Plan, *, can_assign: bool, can_check: bool) -> dict:
    """What the plan page shows below its header: the appendix, its checks and the history."""
    table = AppendixTable.from_plan(plan)
    mismatches = find_mismatches(table) if can_check else []
    history = list(published_results(plan.province).values())
    responsibilities = {
        responsibility.criterion.code: responsibility
        for responsibility in Responsibility.objects.filter(plan=plan)
        .select_related("criterion")
        .prefetch_related("leads", "lead_groups", "groups")
    }
    empty_groups = AgencyGroup.objects.without_members()
    return {
        "plan": plan,
        "table": table,
        "areas": _area_groups(table, responsibilities),
        "unassigned": _unassigned(table, responsibilities),
        "unconfirmed": _unconfirmed(table, responsibilities),
        "empty_groups": _used(empty_groups, responsibilities.values()),
        "can_assign": can_assign,
        "can_check": can_check,
        "survey_codes": {row.code for row in table.criteria_rows if row.is_survey},
        "mismatches": mismatches,
        "mismatched_codes": {mismatch.code for mismatch in mismatches},
        "history": _history_years(history),
        "conflicting_results": [result for result in history if result.is_conflicting],
    }


@require_GET
@login_required
def plan_appendix_download(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(Plan.objects.select_related("framework"), pk=pk)
    return HttpResponse(
        cached_part("plan-appendix", (plan.pk,), lambda: plan_appendix_bytes(plan)),
        content_type=XLSX_CONTENT_TYPE,
        headers={
            "Content-Disposition": content_disposition_header(
                as_attachment=True, filename=appendix_filename(plan)
            )
        },
    )


class PlanLine(NamedTuple):
    """A row of the appendix and who acts on it (None before its action is assigned)."""

    row: AppendixRow
    responsibility: Responsibility | None


@dataclass(frozen=True)
class AreaGroup:
    """An area's row and the rows below it, which the plan page folds together."""

    area: PlanLine | None  # None for rows that come before any area
    rows: list[PlanLine]


def _area_groups(
    table: AppendixTable, responsibilities: dict[str, Responsibility]
) -> list[AreaGroup]:
    groups: list[AreaGroup] = []
    for row in table.criteria_rows:
        line = PlanLine(row, responsibilities.get(row.code))
        if row.depth == 1:
            groups.append(AreaGroup(area=line, rows=[]))
        elif groups:
            groups[-1].rows.append(line)
        else:
            groups.append(AreaGroup(area=None, rows=[line]))
    return groups


def _unassigned(
    table: AppendixTable, responsibilities: dict[str, Responsibility]
) -> list[PlanLine]:
    """Rows whose action text names no agency, or was never read: a person must assign them."""
    lines = []
    for row in table.criteria_rows:
        responsibility = responsibilities.get(row.code)
        if row.action and (responsibility is None or not responsibility.is_recognised):
            lines.append(PlanLine(row, responsibility))
    return lines


def _unconfirmed(
    table: AppendixTable, responsibilities: dict[str, Responsibility]
) -> list[PlanLine]:
    """Scored sub-criteria (leaves) whose owners Sở Nội vụ has not confirmed yet."""
    codes = [row.code for row in table.criteria_rows]
    parents = {code.rpartition(".")[0] for code in codes}
    return [
        PlanLine(row, responsibilities.get(row.code))
        for row in table.criteria_rows
        if row.code not in parents
        and (row.code not in responsibilities or not responsibilities[row.code].is_confirmed)
    ]


def _used(
    groups: list[AgencyGroup], responsibilities: Iterable[Responsibility]
) -> list[AgencyGroup]:
    """The groups, of those given, that some responsibility names as lead or support."""
    named = {
        group.pk
        for responsibility in responsibilities
        for group in [*responsibility.lead_groups.all(), *responsibility.groups.all()]
    }
    return [group for group in groups if group.pk in named]


@dataclass(frozen=True)
class HistoryYear:
    """A year's published index, with its change against the year before (None for the first)."""

    result: PublishedResult
    total_change: Decimal | None
    places_gained: int | None  # positive when the rank moved up, i.e. its number went down

    @property
    def total_change_size(self) -> Decimal | None:
        return None if self.total_change is None else abs(self.total_change)

    @property
    def places_changed(self) -> int | None:
        return None if self.places_gained is None else abs(self.places_gained)


def _history_years(results: Iterable[PublishedResult]) -> list[HistoryYear]:
    years = []
    previous = None
    for result in results:
        total_change = places_gained = None
        if previous is not None and previous.year == result.year - 1:
            total_change = result.total - previous.total
            if previous.rank is not None and result.rank is not None:
                places_gained = previous.rank - result.rank
        years.append(HistoryYear(result, total_change, places_gained))
        previous = result
    return years


@require_GET
@login_required
def criterion_history(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = get_object_or_404(Criterion.objects.select_related("framework"), pk=pk)
    records = [
        *Criterion.history.filter(id=pk).select_related("history_user"),
        *Score.history.filter(criterion_id=pk).select_related("history_user"),
        *Target.history.filter(criterion_id=pk).select_related("history_user", "plan"),
        *Action.history.filter(criterion_id=pk).select_related("history_user", "plan"),
    ]
    subjects = {
        "HistoricalCriterion": lambda r: _("Tiêu chí"),
        "HistoricalScore": lambda r: (
            _("Điểm năm %(year)s (%(kind)s)") % {"year": r.year, "kind": Score.Kind(r.kind).label}
        ),
        "HistoricalTarget": lambda r: _("Mục tiêu %(years)s") % {"years": r.first_year},
        "HistoricalAction": lambda r: _("Giải pháp thực hiện"),
    }
    entries = history_entries(records, lambda r: subjects[type(r).__name__](r))
    return render(
        request, "criteria/criterion_history.html", {"criterion": criterion, "entries": entries}
    )
