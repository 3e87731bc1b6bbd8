"""The units' self-assessment and its appraisal (assessments.units): a unit sees and writes
only its own; a council member sees the units' entries of the areas it appraises; Sở Nội vụ
appraises and sets the final scores; leaders approve and publish, and read everything."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from assessments import services, units
from assessments.forms import AppraiseForm, FinalForm, PublishForm, RespondForm, UnitEntryForm
from assessments.models import Assessment, AssessmentRound, Entry, EntryEvidence
from assessments.province import Evidence
from assignments.models import Agency, EvidenceDocument, Role, user_agency, user_role
from criteria.models import Criterion

STAFF = (Role.ADMINISTRATOR, Role.NOIVU_STAFF)
LEADERS = (Role.LEADER,)
READERS = (*STAFF, *LEADERS)
Status = Assessment.Status


def _get_round_for_user(request: HttpRequest, round_pk: int) -> AssessmentRound:
    """The round, for Sở Nội vụ, leaders, its council members and units of its type."""
    unit_round = get_object_or_404(AssessmentRound.objects.select_related("framework"), pk=round_pk)
    role = user_role(request.user)
    if role in READERS:
        return unit_round
    if role == Role.COUNCIL_MEMBER and unit_round.council.filter(member=request.user).exists():
        return unit_round
    agency = user_agency(request.user) if role == Role.AGENCY_USER else None
    if agency is not None and agency.kind == unit_round.unit_type:
        return unit_round
    raise Http404


def _get_agency_for_user(request: HttpRequest, unit_round: AssessmentRound, pk: int) -> Agency:
    """A unit of the round: a unit user only gets its own."""
    agency = get_object_or_404(Agency, pk=pk, kind=unit_round.unit_type)
    if user_role(request.user) == Role.AGENCY_USER and user_agency(request.user) != agency:
        raise Http404
    return agency


def _get_entry_for_user(request: HttpRequest, entry_pk: int) -> Entry:
    entry = get_object_or_404(
        Entry.objects.select_related("assessment__unit_round", "assessment__agency", "criterion"),
        pk=entry_pk,
        assessment__unit_round__isnull=False,
    )
    unit_round = _get_round_for_user(request, entry.assessment.unit_round_id)
    _get_agency_for_user(request, unit_round, entry.assessment.agency_id)
    areas = units.appraised_areas(request.user, unit_round)
    if user_role(request.user) == Role.COUNCIL_MEMBER and not units.may_appraise(
        areas, entry.criterion
    ):
        raise Http404
    return entry


def _page(unit_round_pk: int, agency_pk: int, entry: Entry | None = None) -> str:
    url = reverse("assessments:unit-assessment", args=[unit_round_pk, agency_pk])
    return f"{url}#entry-{entry.pk}" if entry else url


def _errors(form) -> ValidationError:
    return ValidationError([e for errors in form.errors.values() for e in errors])


@require_GET
@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    """The rounds a user works in: a unit goes to its own assessment of the latest one."""
    role = user_role(request.user)
    rounds = AssessmentRound.objects.select_related("framework")
    if role == Role.AGENCY_USER:
        agency = user_agency(request.user)
        rounds = rounds.filter(unit_type=agency.kind) if agency else rounds.none()
    elif role == Role.COUNCIL_MEMBER:
        rounds = rounds.filter(council__member=request.user).distinct()
    elif role not in READERS:
        raise Http404
    return render(request, "assessments/unit_round_list.html", {"rounds": list(rounds)})


@require_GET
@login_required
def round_detail(request: HttpRequest, round_pk: int) -> HttpResponse:
    """Every unit of the round's type with its assessment's status."""
    unit_round = _get_round_for_user(request, round_pk)
    role = user_role(request.user)
    if role == Role.AGENCY_USER:
        return redirect(_page(round_pk, user_agency(request.user).pk))
    agencies = list(Agency.objects.filter(kind=unit_round.unit_type, is_active=True))
    statuses = dict(
        Assessment.objects.filter(unit_round=unit_round).values_list("agency_id", "status")
    )
    rows = [(agency, statuses.get(agency.pk)) for agency in agencies]
    context = {
        "unit_round": unit_round,
        "rows": rows,
        "status_labels": dict(Status.choices),
        "can_publish": role in LEADERS,
        "publish_form": PublishForm(initial={"is_public": unit_round.is_public}),
    }
    return render(request, "assessments/unit_round_detail.html", context)


@dataclass
class Row:
    """A line of a unit's assessment page: an area or criterion heading, a scored entry, or
    a criterion the unit is exempt from."""

    criterion: Criterion
    entry: Entry | None = None
    is_exempt: bool = False


def _rows(assessment: Assessment | None, unit_round: AssessmentRound, agency: Agency, areas):
    """The framework's tree with the unit's entries (four queries: the tree, the exemptions,
    the entries, their documents); a council member's rows are its areas'."""
    tree = Criterion.objects.filter(framework=unit_round.framework_id).for_tree()
    exempt = units.exempt_codes(unit_round.framework_id, agency)
    entries = {}
    if assessment is not None:
        entries = {
            e.criterion_id: e
            for e in assessment.entries.select_related("appraised_by").prefetch_related(
                Prefetch(
                    "evidence",
                    queryset=EntryEvidence.objects.select_related("document").order_by("pk"),
                )
            )
        }
    if assessment is not None and assessment.status != Status.PROPOSED:
        # Sent: the criteria that apply are those it was assessed on, whatever the
        # exemptions became since (units._apply_exemptions).
        tree = list(tree)
        assessed = [c.code for c in tree if c.pk in entries]
        exempt = {c.code for c in tree if not any(units.is_exempt(a, {c.code}) for a in assessed)}
    return [
        Row(
            criterion,
            entry=entries.get(criterion.pk),
            is_exempt=units.is_exempt(criterion.code, exempt),
        )
        for criterion in tree
        if units.may_appraise(areas, criterion)
    ]


@require_GET
@login_required
def assessment_detail(request: HttpRequest, round_pk: int, agency_pk: int) -> HttpResponse:
    unit_round = _get_round_for_user(request, round_pk)
    agency = _get_agency_for_user(request, unit_round, agency_pk)
    role = user_role(request.user)
    assessment = (
        Assessment.objects.filter(unit_round=unit_round, agency=agency)
        .select_related("approved_by")
        .first()
    )
    # A council member sees the areas it appraises; the unit, Sở Nội vụ and leaders, all.
    areas = units.appraised_areas(request.user, unit_round) if role == Role.COUNCIL_MEMBER else None
    is_unit = role == Role.AGENCY_USER
    status = assessment.status if assessment else None
    # A draft is the unit's own until it sends: the others see the criteria, not its scores.
    is_draft_of_another = not is_unit and status == Status.PROPOSED
    today = timezone.localdate()
    context = {
        "unit_round": unit_round,
        "agency": agency,
        "assessment": assessment,
        "is_draft_of_another": is_draft_of_another,
        "rows": _rows(None if is_draft_of_another else assessment, unit_round, agency, areas),
        "deadline": units.deadline_for(unit_round, agency),
        "is_unit": is_unit,
        "can_start": is_unit and assessment is None,
        "can_edit": is_unit and status == Status.PROPOSED,
        "can_respond": is_unit
        and status in (Status.APPRAISED, Status.RESPONSE)
        and today <= assessment.response_until,
        "can_appraise": (role in STAFF or role == Role.COUNCIL_MEMBER) and status == Status.SENT,
        "can_complete": role in STAFF and status == Status.SENT,
        "can_decide": role in STAFF and status in (Status.APPRAISED, Status.RESPONSE),
        "can_approve": role in LEADERS and status == Status.FINAL,
        "documents": list(EvidenceDocument.objects.of_agency(agency))
        if is_unit and status == Status.PROPOSED
        else [],
    }
    return render(request, "assessments/unit_assessment.html", context)


@require_POST
@login_required
def assessment_start(request: HttpRequest, round_pk: int, agency_pk: int) -> HttpResponse:
    unit_round = _get_round_for_user(request, round_pk)
    agency = _get_agency_for_user(request, unit_round, agency_pk)
    if user_role(request.user) != Role.AGENCY_USER:
        raise Http404
    units.unit_assessment(unit_round=unit_round, agency=agency, by=request.user)
    return redirect(_page(round_pk, agency_pk))


def _act(request: HttpRequest, entry: Entry, action, success: str) -> HttpResponse:
    try:
        action()
    except ValidationError as error:
        messages.error(request, f"{entry.criterion.code}: {' '.join(error.messages)}")
    else:
        messages.success(request, success % {"code": entry.criterion.code})
    return redirect(_page(entry.assessment.unit_round_id, entry.assessment.agency_id, entry))


@require_POST
@login_required
def entry_save(request: HttpRequest, entry_pk: int) -> HttpResponse:
    """The unit saves its draft of a criterion."""
    entry = _get_entry_for_user(request, entry_pk)
    if user_role(request.user) != Role.AGENCY_USER:
        raise Http404
    form = UnitEntryForm(request.POST, entry=entry)

    def save() -> None:
        if not form.is_valid():
            raise _errors(form)
        data = form.cleaned_data
        removed = {row.pk for row in data["remove"]}
        evidence = [
            Evidence(row.document, row.location)
            for row in entry.evidence.select_related("document")
            if row.pk not in removed
        ]
        added = Evidence(data["document"], data["location"].strip()) if data["document"] else None
        if added and (added.document.pk, added.location) not in {
            (e.document.pk, e.location) for e in evidence
        }:
            evidence.append(added)
        units.save_entry(
            entry=entry, by=request.user, score=data["score"], explanation=data["explanation"],
            evidence_complete=data["evidence_complete"], evidence=evidence,
            version=data["version"], today=timezone.localdate(),
        )  # fmt: skip

    return _act(request, entry, save, _("Đã lưu bản nháp tiêu chí %(code)s."))


@require_POST
@login_required
def entry_appraise(request: HttpRequest, entry_pk: int) -> HttpResponse:
    entry = _get_entry_for_user(request, entry_pk)
    if user_role(request.user) not in (*STAFF, Role.COUNCIL_MEMBER):
        raise Http404
    form = AppraiseForm(request.POST)

    def appraise() -> None:
        if not form.is_valid():
            raise _errors(form)
        units.appraise_entry(entry=entry, by=request.user, **form.cleaned_data)

    return _act(request, entry, appraise, _("Đã thẩm định tiêu chí %(code)s."))


@require_POST
@login_required
def entry_respond(request: HttpRequest, entry_pk: int) -> HttpResponse:
    entry = _get_entry_for_user(request, entry_pk)
    if user_role(request.user) != Role.AGENCY_USER:
        raise Http404
    form = RespondForm(request.POST)

    def respond() -> None:
        if not form.is_valid():
            raise _errors(form)
        units.respond_entry(
            entry=entry, by=request.user, text=form.cleaned_data["response"],
            version=form.cleaned_data["version"], today=timezone.localdate(),
        )  # fmt: skip

    return _act(request, entry, respond, _("Đã gửi giải trình tiêu chí %(code)s."))


@require_POST
@login_required
def entry_final(request: HttpRequest, entry_pk: int) -> HttpResponse:
    entry = _get_entry_for_user(request, entry_pk)
    if user_role(request.user) not in STAFF:
        raise Http404
    form = FinalForm(request.POST)

    def decide() -> None:
        if not form.is_valid():
            raise _errors(form)
        units.decide_final(entry=entry, by=request.user, **form.cleaned_data)

    return _act(request, entry, decide, _("Đã đặt điểm cuối cùng tiêu chí %(code)s."))


STEPS = {
    # step: (roles, service, message)
    "send": ((Role.AGENCY_USER,), units.send, gettext_lazy("Đã gửi bản tự đánh giá để thẩm định.")),
    "complete": (STAFF, units.complete_appraisal, gettext_lazy("Đã hoàn thành thẩm định.")),
    "finalize": (STAFF, units.finalize, gettext_lazy("Đã chốt điểm cuối cùng.")),
    "approve": (LEADERS, None, gettext_lazy("Đã phê duyệt kết quả; điểm đã khóa.")),
}


@require_POST
@login_required
def assessment_step(request: HttpRequest, round_pk: int, agency_pk: int, step: str) -> HttpResponse:
    """A step of the whole assessment: the unit sends, Sở Nội vụ completes the appraisal and
    sets the final scores, a leader approves."""
    if step not in STEPS:
        raise Http404
    unit_round = _get_round_for_user(request, round_pk)
    agency = _get_agency_for_user(request, unit_round, agency_pk)
    roles, service, success = STEPS[step]
    if user_role(request.user) not in roles:
        raise Http404
    assessment = get_object_or_404(Assessment, unit_round=unit_round, agency=agency)
    try:
        if service is None:
            services.approve(assessment=assessment, by=request.user)
        else:
            service(assessment=assessment, by=request.user, today=timezone.localdate())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, str(success))
    return redirect(_page(round_pk, agency_pk))


@require_POST
@login_required
def round_publish(request: HttpRequest, round_pk: int) -> HttpResponse:
    """A leader publishes the round's results to the units, and perhaps to the public."""
    unit_round = _get_round_for_user(request, round_pk)
    if user_role(request.user) not in LEADERS:
        raise Http404
    form = PublishForm(request.POST)
    form.is_valid()
    try:
        units.publish(
            unit_round=unit_round, by=request.user, public=form.cleaned_data.get("is_public", False)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã công bố kết quả đợt đánh giá."))
    return redirect("assessments:unit-round", round_pk=round_pk)
