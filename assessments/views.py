"""The province's self-assessment of a year: Sở Nội vụ decides each sub-criterion from the
owners' proposals, a leader approves (which locks the year's self-assessed scores) or unlocks
with a reason. Agencies have no access."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessments import services
from assessments.forms import DecideForm, UnlockForm
from assessments.province import ProvinceSheet, province_assessment_of
from assignments.models import ReportingCycle, Role, user_role
from criteria.models import Criterion, Plan

EDITORS = (Role.ADMINISTRATOR, Role.NOIVU_STAFF)
# Approving the province's self-assessment is a leader's act; so is unlocking it.
APPROVERS = (Role.LEADER,)
READERS = (*EDITORS, *APPROVERS)


def _require(request: HttpRequest, roles: tuple[Role, ...]) -> None:
    if user_role(request.user) not in roles:
        raise PermissionDenied


def _current_plan() -> Plan | None:
    """The plan the portal follows: the one reaching furthest, the latest issued on a tie."""
    return Plan.objects.select_related("framework").order_by("-last_year", "-issued_on").first()


def _get_plan_for_year(year: int) -> Plan:
    """The current plan, if `year` is one it is carried out in; 404 otherwise."""
    plan = _current_plan()
    if plan is None or not plan.first_year <= year <= plan.last_year:
        raise Http404(_("Không có năm %(year)s trong kế hoạch.") % {"year": year})
    return plan


def _page(year: int, criterion: Criterion | None = None) -> str:
    url = reverse("assessments:assessment-detail", args=[year])
    return f"{url}#row-{criterion.pk}" if criterion else url


@require_GET
@login_required
def assessment_current(request: HttpRequest) -> HttpResponse:
    """This year's self-assessment, or that of the latest reporting cycle before it."""
    _require(request, READERS)
    plan = _current_plan()
    if plan is None:
        raise Http404
    today = timezone.localdate().year
    year = (
        ReportingCycle.objects.filter(plan=plan, year__lte=today)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    ) or min(max(today, plan.first_year), plan.last_year)
    return redirect("assessments:assessment-detail", year=year)


@require_GET
@login_required
def assessment_detail(request: HttpRequest, year: int) -> HttpResponse:
    _require(request, READERS)
    plan = _get_plan_for_year(year)
    sheet = ProvinceSheet.build(plan, year)
    role = user_role(request.user)
    context = {
        "plan": plan,
        "year": year,
        "years": range(plan.first_year, plan.last_year + 1),
        "sheet": sheet,
        "can_edit": role in EDITORS and not sheet.is_approved,
        "can_approve": role in APPROVERS,
        "unlock_form": UnlockForm(),
    }
    return render(request, "assessments/assessment_detail.html", context)


@require_POST
@login_required
def entry_decide(request: HttpRequest, year: int, criterion_pk: int) -> HttpResponse:
    """Sở Nội vụ decides one sub-criterion: score, explanation, evidence complete."""
    _require(request, EDITORS)
    plan = _get_plan_for_year(year)
    criterion = get_object_or_404(
        Criterion.objects.leaves(), pk=criterion_pk, framework=plan.framework_id
    )
    form = DecideForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.decide_province_entry(
            plan=plan,
            year=year,
            criterion=criterion,
            by=request.user,
            **form.cleaned_data,
        )
    except ValidationError as error:
        reasons = " ".join(error.messages)
        messages.error(request, f"{criterion.code}: {reasons}")
    else:
        messages.success(
            request, _("Đã lưu điểm tự đánh giá tiêu chí %(code)s.") % {"code": criterion.code}
        )
    return redirect(_page(year, criterion))


@require_POST
@login_required
def assessment_adopt(request: HttpRequest, year: int) -> HttpResponse:
    """Decide every undecided sub-criterion with sent proposals as the owners proposed."""
    _require(request, EDITORS)
    plan = _get_plan_for_year(year)
    try:
        decided = services.adopt_proposals(plan=plan, year=year, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Đã lấy điểm đề xuất cho %(count)s tiêu chí chưa quyết định.")
            % {"count": len(decided)},
        )
    return redirect(_page(year))


@require_POST
@login_required
def assessment_approve(request: HttpRequest, year: int) -> HttpResponse:
    """A leader approves the year's self-assessment, which locks its scores."""
    _require(request, APPROVERS)
    plan = _get_plan_for_year(year)
    assessment = province_assessment_of(plan, year)
    try:
        if assessment is None:
            raise ValidationError(_("Chưa có tiêu chí nào được quyết định điểm để phê duyệt."))
        services.approve(assessment=assessment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã phê duyệt bản tự đánh giá năm %(year)s.") % {"year": year})
    return redirect(_page(year))


@require_POST
@login_required
def assessment_unlock(request: HttpRequest, year: int) -> HttpResponse:
    """A leader unlocks the approved self-assessment, with a recorded reason."""
    _require(request, APPROVERS)
    plan = _get_plan_for_year(year)
    assessment = province_assessment_of(plan, year)
    form = UnlockForm(request.POST)
    try:
        if assessment is None:
            raise ValidationError(_("Bản đánh giá chưa được phê duyệt, không cần mở khóa."))
        if not form.is_valid():
            raise ValidationError(_("Cần ghi lý do mở khóa."))
        services.unlock(assessment=assessment, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã mở khóa bản tự đánh giá năm %(year)s.") % {"year": year})
    return redirect(_page(year))
