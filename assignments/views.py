import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import (
    content_disposition_header,
    url_has_allowed_host_and_scheme,
    urlencode,
)
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assignments import services
from assignments.forms import (
    CycleForm,
    DocumentForm,
    DocumentUploadForm,
    ExtensionForm,
    ReportForm,
    ResponsibilityForm,
    TaskForm,
    task_target_formset,
)
from assignments.history import report_history_entries
from assignments.mail import has_pending_mail
from assignments.models import (
    Agency,
    AgencyGroup,
    ContentArea,
    Evidence,
    EvidenceDocument,
    Reminder,
    Report,
    ReportingCycle,
    Responsibility,
    Role,
    Task,
    user_agency,
    user_role,
)
from assignments.owners import save_task, update_responsibility
from assignments.progress import (
    TargetResult,
    TaskRow,
    build_workspace,
    deadline_of,
    targets_of_year,
)
from assignments.reminders import remind_agency
from assignments.yearly_export import (
    XLSX_CONTENT_TYPE,
    cached_export,
    export_filename,
    reports_version,
)
from assignments.yearly_summary import yearly_summary
from criteria.caching import cached_part
from criteria.models import Plan

# Agencies on one page of the tracker: all are counted and sorted, the most urgent first,
# and shown a hundred at a time (the workspace's tasks likewise, see progress.py).
TRACKER_PAGE_SIZE = 100

# -- Who acts on each criterion, and the tasks of section II (Sở Nội vụ edits them) -------


def _get_responsibility_for_user(request: HttpRequest, pk: int) -> Responsibility:
    # Whoever may change responsibilities may change any of them: no narrower rule applies.
    return get_object_or_404(Responsibility.objects.select_related("plan", "criterion"), pk=pk)


def _get_task_for_user(request: HttpRequest, pk: int) -> Task:
    return get_object_or_404(Task.objects.select_related("content_area__plan__framework"), pk=pk)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("assignments.change_responsibility", raise_exception=True)
def responsibility_edit(request: HttpRequest, pk: int) -> HttpResponse:
    responsibility = _get_responsibility_for_user(request, pk)
    data = request.POST if request.method == "POST" else None
    form = ResponsibilityForm(data, instance=responsibility)
    if data is not None and form.is_valid():
        update_responsibility(
            responsibility=responsibility,
            leads=form.cleaned_data["leads"],
            lead_groups=form.cleaned_data["lead_groups"],
            supporting=form.cleaned_data["supporting"],
            groups=form.cleaned_data["groups"],
        )
        messages.success(
            request,
            _("Đã xác nhận phân công tiêu chí %(code)s; lần nhập phụ lục sau sẽ giữ nguyên.")
            % {"code": responsibility.criterion.code},
        )
        plan_url = reverse("criteria:plan-detail", args=[responsibility.plan_id])
        return redirect(f"{plan_url}#row-{responsibility.criterion.code}")
    action = responsibility.plan.actions.filter(criterion=responsibility.criterion_id).first()
    context = {
        "responsibility": responsibility,
        "action": action,
        "form": form,
        "empty_groups": AgencyGroup.objects.without_members(),
    }
    return render(request, "assignments/responsibility_edit.html", context)


TASKS_PER_PAGE = 25


@require_GET
@login_required
@permission_required("assignments.view_task", raise_exception=True)
def task_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Section II one content area at a time (?area=<number>, the first by default), a page
    of tasks at a time. Whoever may read tasks reads all of them, as the plan publishes them."""
    plan = get_object_or_404(Plan, pk=pk)
    areas = list(plan.content_areas.annotate(task_count=Count("tasks")).order_by("number"))
    area = _content_area(areas, request.GET.get("area"))
    tasks = (
        Task.objects.filter(content_area=area)
        .order_by("number")
        .prefetch_related(
            "lead_agencies", "coordinating_agencies", "coordinating_groups", "criteria", "targets"
        )
    )
    context = {
        "plan": plan,
        "areas": areas,
        "area": area,
        "page": Paginator(tasks, TASKS_PER_PAGE).get_page(request.GET.get("page")),
        "can_edit": request.user.has_perm("assignments.change_task"),
    }
    return render(request, "assignments/task_list.html", context)


def _content_area(areas: list[ContentArea], number: str | None) -> ContentArea | None:
    """The content area asked for by its number; without one the first, as the plan lists them."""
    if number is None:
        return next(iter(areas), None)
    area = next((area for area in areas if str(area.number) == number), None)
    if area is None:
        raise Http404(_("Kế hoạch không có nội dung số %(number)s.") % {"number": number})
    return area


def _task_list_url(task: Task) -> str:
    """The task's place in the list: its content area and the page it falls on."""
    before = Task.objects.filter(content_area=task.content_area_id, number__lt=task.number)
    query = {"area": task.content_area.number}
    page = before.count() // TASKS_PER_PAGE + 1
    if page > 1:
        query["page"] = page
    list_url = reverse("assignments:task-list", args=[task.content_area.plan_id])
    return f"{list_url}?{urlencode(query)}#task-{task.pk}"


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(
    ["assignments.change_task", "assignments.add_tasktarget", "assignments.change_tasktarget"],
    raise_exception=True,
)
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = _get_task_for_user(request, pk)
    plan = task.content_area.plan
    data = request.POST if request.method == "POST" else None
    form = TaskForm(data, instance=task, plan=plan)
    TargetFormSet = task_target_formset(
        can_delete=request.user.has_perm("assignments.delete_tasktarget")
    )
    targets = TargetFormSet(data, instance=task, form_kwargs={"plan": plan}, prefix="targets")
    if data is not None and form.is_valid() and targets.is_valid():
        save_task(form=form, targets=targets)
        messages.success(
            request,
            _("Đã lưu nhiệm vụ %(area)s.%(number)s.")
            % {"area": task.content_area.number, "number": task.number},
        )
        return redirect(_task_list_url(task))
    context = {
        "task": task,
        "plan": plan,
        "form": form,
        "targets": targets,
        "list_url": _task_list_url(task),
    }
    return render(request, "assignments/task_edit.html", context)


# -- The agencies' reports: workspace, report pages, evidence, Sở Nội vụ's tracker ---------
#
# An agency user reads and writes only its own agency's pages; anything else answers 404.
# Sở Nội vụ staff and administrators read and review everything; a leader reads everything
# and every write answers 403.

READERS = (Role.ADMINISTRATOR, Role.NOIVU_STAFF, Role.LEADER)
REVIEWERS = (Role.ADMINISTRATOR, Role.NOIVU_STAFF)


# Sở Nội vụ is an agency too: its staff bound to it (Membership) write its own reports.
OWN_REPORT_ROLES = (Role.AGENCY_USER, Role.NOIVU_STAFF)


def _own_agency(request: HttpRequest) -> Agency | None:
    """The agency whose reports the user writes: an agency user's, or that of a Sở Nội vụ
    staff member bound to one; None for every other user. Asked once per request."""
    if not hasattr(request, "_par_agency"):
        writes = user_role(request.user) in OWN_REPORT_ROLES
        request._par_agency = user_agency(request.user) if writes else None
    return request._par_agency


def _require_reviewer(request: HttpRequest) -> None:
    if user_role(request.user) not in REVIEWERS:
        raise PermissionDenied


def _require_editor(request: HttpRequest, report: Report) -> None:
    """Only the report's own agency writes it; the readers who may see it get 403."""
    agency = _own_agency(request)
    if agency is None or agency.pk != report.agency_id:
        raise PermissionDenied


def _get_report_for_user(request: HttpRequest, pk: int) -> Report:
    reports = Report.objects.select_related("cycle__plan", "agency", "task__content_area")
    if user_role(request.user) in READERS:
        return get_object_or_404(reports, pk=pk)
    agency = _own_agency(request)
    if agency is None:
        raise Http404
    return get_object_or_404(reports, pk=pk, agency=agency)


def _get_evidence_for_user(request: HttpRequest, pk: int) -> Evidence:
    evidence = Evidence.objects.select_related("report")
    if user_role(request.user) in READERS:
        return get_object_or_404(evidence, pk=pk)
    agency = _own_agency(request)
    if agency is None:
        raise Http404
    return get_object_or_404(evidence, pk=pk, report__agency=agency)


def _get_document_for_user(request: HttpRequest, pk: int) -> EvidenceDocument:
    documents = EvidenceDocument.objects.select_related("agency")
    if user_role(request.user) in READERS:
        return get_object_or_404(documents, pk=pk)
    agency = _own_agency(request)
    if agency is None:
        raise Http404
    return get_object_or_404(documents, pk=pk, agency=agency)


def _get_agency_for_user(request: HttpRequest, pk: int) -> Agency:
    if user_role(request.user) in READERS:
        return get_object_or_404(Agency, pk=pk)
    agency = _own_agency(request)
    if agency is None or agency.pk != pk:
        raise Http404
    return agency


def _get_cycle(year: int) -> ReportingCycle:
    cycle = (
        ReportingCycle.objects.select_related("plan")
        .filter(year=year)
        .order_by("-plan__last_year")
        .first()
    )
    if cycle is None:
        raise Http404
    return cycle


def _current_cycle() -> ReportingCycle | None:
    """This year's cycle, or the latest one before it."""
    return (
        ReportingCycle.objects.select_related("plan")
        .filter(year__lte=timezone.localdate().year)
        .order_by("-year", "-plan__last_year")
        .first()
    )


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where a user lands ("/" and after login): the page that holds the role's own work."""
    role = user_role(request.user)
    if role == Role.AGENCY_USER and user_agency(request.user) is not None:
        return redirect("assignments:workspace")
    if role == Role.NOIVU_STAFF:
        return redirect("assignments:cycle-current")  # the reports to follow and review
    if role == Role.LEADER:
        return redirect("reports:overview")
    if role == Role.COUNCIL_MEMBER:
        return redirect("assessments:unit-rounds")  # the rounds it appraises
    # Administrators keep the plan and its appendix; its consistency checks are theirs to fix.
    return redirect("criteria:plan-detail-current")


@require_GET
@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    """ "Việc của tôi": the agency's criteria, tasks and reports in the current cycle."""
    agency = _own_agency(request)
    if agency is None:
        if user_role(request.user) in READERS:
            return redirect("assignments:cycle-current")
        raise PermissionDenied
    cycle = _current_cycle()
    if cycle is None:
        return render(request, "assignments/cycle_empty.html", {"cycle_form": None})
    return _render_agency(request, agency, cycle)


@require_GET
@login_required
def agency_detail(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    agency = _get_agency_for_user(request, pk)
    return _render_agency(request, agency, _get_cycle(year))


def _page_number(value: str | None) -> int:
    """The page asked for, as Paginator.get_page reads it: junk is the first page."""
    try:
        return max(int(value or 1), 1)
    except ValueError:
        return 1


def _render_agency(
    request: HttpRequest,
    agency: Agency,
    cycle: ReportingCycle,
    *,
    extension_form: ExtensionForm | None = None,
) -> HttpResponse:
    """The agency's workspace (its own users) or its page in the tracker (readers).

    Below its header the page is kept in the cache until a row it shows is written
    (yearly_export.reports_version), per agency, cycle, page, day and whether it is the
    user's own agency; rendered without the request (the "Viết báo cáo" buttons post a form
    outside it, which carries the CSRF token), with the fields of Sở Nội vụ's extension
    form. A page read again costs one query after the agency's and the cycle's."""
    today = timezone.localdate()
    page_number = _page_number(request.GET.get("page"))
    is_own = _own_agency(request) == agency
    can_review = user_role(request.user) in REVIEWERS

    def build() -> dict[str, str]:
        context = _workspace(agency, cycle, today=today, page_number=page_number, is_own=is_own)
        extension = context["deadline"].extension
        return {
            "workspace": render_to_string("assignments/agency_detail.html#workspace", context),
            # Sở Nội vụ's form to extend the deadline, as yet unposted: its fields only.
            "extension_fields": ExtensionForm(
                initial={"until": extension.until if extension else None}
            ).as_div()
            if can_review
            else "",
        }

    parts = cached_part(
        "agency-workspace",
        (agency.pk, cycle.pk, page_number, is_own, can_review, today),
        build,
        version=reports_version,
    )
    if extension_form is not None:  # posted and refused: its values and errors
        parts = {**parts, "extension_fields": extension_form.as_div()}
    context = {
        "agency": agency,
        "cycle": cycle,
        "is_own": is_own,
        "can_review": can_review,
        "shows_tracker": user_role(request.user) in READERS,
        "extension_form": extension_form,
        **parts,
    }
    return render(request, "assignments/agency_detail.html", context)


def _workspace(
    agency: Agency,
    cycle: ReportingCycle,
    *,
    today: datetime.date,
    page_number: int,
    is_own: bool,
) -> dict:
    """What the agency's page shows below its header, for the cache."""
    workspace = build_workspace(agency=agency, cycle=cycle, today=today, page=page_number)
    return {
        "workspace": workspace,
        "agency": agency,
        "cycle": cycle,
        "deadline": workspace.deadline,
        "is_own": is_own,
        "query": {},  # the page's links carry no parameter but the page
        # The agency's yearly report: its returned sections first, what is still missing.
        "yearly": yearly_summary(agency=agency, cycle=cycle) if is_own else None,
        # What needs the agency first: returned and led tasks, then (after its criteria)
        # the tasks it coordinates.
        "first_tasks": [row for row in workspace.tasks if row.is_lead or _is_returned(row)],
        "coordinated_tasks": [
            row for row in workspace.tasks if not (row.is_lead or _is_returned(row))
        ],
    }


def _is_returned(row: TaskRow) -> bool:
    return row.report is not None and row.report.status == Report.Status.RETURNED


@require_POST
@login_required
def extension_create(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    _require_reviewer(request)
    agency = get_object_or_404(Agency, pk=pk)
    cycle = _get_cycle(year)
    form = ExtensionForm(request.POST)
    if form.is_valid():
        try:
            services.grant_extension(
                cycle=cycle,
                agency=agency,
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error("until", error)
        else:
            messages.success(request, _("Đã gia hạn báo cáo cho %(agency)s.") % {"agency": agency})
            _warn_if_mail_pending(request, agency)
            return redirect("assignments:agency-detail", year=year, pk=pk)
    return _render_agency(request, agency, cycle, extension_form=form)


@require_POST
@login_required
def reminder_create(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    """Mail one agency now while its yearly report is not sent: the reminder of
    send_reminders, at most once a day; the message says what was sent, or why nothing was."""
    _require_reviewer(request)
    agency = get_object_or_404(Agency, pk=pk)
    cycle = _get_cycle(year)
    run = remind_agency(cycle, agency)
    names = {"agency": agency.name}
    if run.mailed:
        reminder = Reminder.objects.get(cycle=cycle, agency=agency, sent_on=timezone.localdate())
        messages.success(
            request,
            _("Đã gửi thư nhắc hạn báo cáo cho %(agency)s đến: %(recipients)s.")
            % (names | {"recipients": reminder.recipients}),
        )
    elif run.already_sent:
        messages.info(
            request,
            _("Hôm nay %(agency)s đã được nhắc rồi; mỗi ngày chỉ gửi một thư nhắc.") % names,
        )
    elif run.without_address:
        messages.warning(
            request,
            _("Chưa gửi thư nhắc: %(agency)s chưa có cán bộ nào có địa chỉ thư.") % names,
        )
    elif run.failed:
        messages.error(
            request,
            _(
                "Chưa gửi được thư nhắc cho %(agency)s vì máy chủ thư không trả lời; "
                "hãy thử lại sau."
            )
            % names,
        )
    else:
        messages.info(
            request,
            _("Không gửi thư nhắc: %(agency)s đã gửi báo cáo năm hoặc không có gì phải báo cáo.")
            % names,
        )
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return redirect(back)
    return redirect("assignments:agency-detail", year=year, pk=pk)


@require_POST
@login_required
def report_create(request: HttpRequest, year: int, task_pk: int) -> HttpResponse:
    agency = _own_agency(request)
    if agency is None:
        raise PermissionDenied
    cycle = _get_cycle(year)
    tasks = Task.objects.filter(content_area__plan=cycle.plan).for_agency(agency)
    task = get_object_or_404(tasks, pk=task_pk)
    report = services.start_report(cycle=cycle, agency=agency, task=task)
    return redirect("assignments:report-detail", pk=report.pk)


@require_GET
@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_report(request, _get_report_for_user(request, pk))


@require_GET
@login_required
def report_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Who changed the report, its values and its evidence, when, and from what to what."""
    report = _get_report_for_user(request, pk)
    context = {"report": report, "entries": report_history_entries(report)}
    return render(request, "assignments/report_history.html", context)


def _render_report(
    request: HttpRequest,
    report: Report,
    *,
    report_form: ReportForm | None = None,
) -> HttpResponse:
    targets = list(targets_of_year(report.cycle.year).filter(task=report.task_id))
    values = {value.target_id: value.value for value in report.values.all()}
    own = _own_agency(request)
    can_edit = report.is_editable and own is not None and own.pk == report.agency_id
    if can_edit and report_form is None:
        report_form = ReportForm(
            initial=ReportForm.initial_for(report, values),
            targets=targets,
            documents=_library_of(report),
        )
    transitions = list(report.transitions.select_related("by"))
    # Why it was returned, at the top of the page, for as long as it stays returned.
    return_step = None
    if report.status == Report.Status.RETURNED:
        returns = [step for step in transitions if step.to_status == Report.Status.RETURNED]
        return_step = returns[-1] if returns else None
    context = {
        "report": report,
        "is_own": own is not None and own.pk == report.agency_id,
        "results": [TargetResult(target, values.get(target.pk)) for target in targets],
        "deadline": deadline_of(report.cycle, report.agency, today=timezone.localdate()),
        "transitions": transitions,
        "return_step": return_step,
        "evidence": report.evidence.select_related("document"),
        "can_edit": can_edit,
        "is_reader": user_role(request.user) in READERS,
        "report_form": report_form if can_edit else None,
    }
    return render(request, "assignments/report_detail.html", context)


@require_POST
@login_required
def report_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the agency's report (a section of its yearly report) with the evidence chosen on
    the page. A refused form saves nothing and shows back what was typed."""
    report = _get_report_for_user(request, pk)
    _require_editor(request, report)
    targets = list(targets_of_year(report.cycle.year).filter(task=report.task_id))
    form = ReportForm(request.POST, request.FILES, targets=targets, documents=_library_of(report))
    if not form.is_valid():
        return _render_report(request, report, report_form=form)
    try:
        report = services.save_report(
            report=report,
            by=request.user,
            progress=form.cleaned_data["progress"],
            narrative=form.cleaned_data["narrative"],
            values=form.values(),
            version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        # Nothing was saved (a newer version, a report already sent): the page shows the
        # report as it now is, with the reason and the files that were not uploaded.
        messages.error(request, " ".join(error.messages))
        if not_uploaded := form.files_not_uploaded():
            messages.warning(request, not_uploaded)
        return redirect("assignments:report-detail", pk=pk)
    messages.success(request, _("Đã lưu báo cáo."))
    try:
        _attach(request, report, form)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("assignments:report-detail", pk=pk)


def _library_of(report: Report) -> models.QuerySet[EvidenceDocument]:
    """The documents of the agency's library that the report may take."""
    return EvidenceDocument.objects.filter(agency=report.agency_id).order_by("-issued_on", "-pk")


def _warn_if_mail_pending(request: HttpRequest, agency: Agency) -> None:
    """The change is saved; say so when the mail telling the agency could not go yet."""
    if has_pending_mail(agency):
        messages.warning(
            request,
            _(
                "Chưa gửi được thư báo cho %(agency)s vì máy chủ thư không trả lời. Thư được "
                "giữ lại và sẽ tự gửi lại sau."
            )
            % {"agency": agency},
        )


def _attach(request: HttpRequest, report: Report, form: ReportForm) -> None:
    """After the text and values: the new files, the library document, the confirmed
    deletion. The report is sent with the agency's whole yearly report (yearly_views.py)."""
    for upload, kind in form.evidence_uploads():
        services.add_evidence(
            report=report,
            upload=upload,
            content_type=kind.content_type,
            extension=kind.extension,
            by=request.user,
        )
        messages.success(request, _("Đã tải lên “%(name)s”.") % {"name": upload.name})
    if document := form.cleaned_data["library_document"]:
        services.attach_document(
            report=report,
            document=document,
            location=form.cleaned_data["location"],
            by=request.user,
        )
        messages.success(request, _("Đã đính kèm “%(name)s”.") % {"name": document})
    delete_pk = form.cleaned_data["delete_evidence"]
    evidence = report.evidence.filter(pk=delete_pk).first() if delete_pk else None
    if evidence is not None:
        services.delete_evidence(evidence=evidence, by=request.user)
        messages.success(request, _("Đã xóa tài liệu “%(name)s”.") % {"name": evidence})


@require_GET
@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = _get_evidence_for_user(request, pk)
    try:
        stream = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def cycle_current(request: HttpRequest) -> HttpResponse:
    if user_role(request.user) not in READERS:
        raise PermissionDenied
    cycle = _current_cycle()
    if cycle is None:
        can_open = user_role(request.user) in REVIEWERS
        context = {"cycle_form": CycleForm() if can_open else None}
        return render(request, "assignments/cycle_empty.html", context)
    return redirect("assignments:cycle-detail", year=cycle.year)


@require_POST
@login_required
def cycle_create(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request)
    plan = Plan.objects.order_by("-last_year", "-issued_on").first()
    if plan is None:
        raise Http404
    form = CycleForm(request.POST)
    if form.is_valid():
        try:
            cycle = services.open_cycle(
                plan=plan, year=form.cleaned_data["year"], deadline=form.cleaned_data["deadline"]
            )
        except ValidationError as error:
            form.add_error("year", error)
        else:
            messages.success(request, _("Đã mở %(cycle)s.") % {"cycle": cycle})
            return redirect("assignments:cycle-detail", year=cycle.year)
    return render(request, "assignments/cycle_empty.html", {"cycle_form": form})


@require_GET
@login_required
def cycle_export(request: HttpRequest, year: int) -> HttpResponse:
    """The agencies' yearly reports, for the People's Committee, as one workbook."""
    if user_role(request.user) not in READERS:
        raise PermissionDenied
    cycle = _get_cycle(year)
    return HttpResponse(
        cached_export(cycle, today=timezone.localdate()),
        content_type=XLSX_CONTENT_TYPE,
        headers={
            "Content-Disposition": content_disposition_header(
                as_attachment=True, filename=export_filename(cycle)
            )
        },
    )


# -- The agency's library of evidence documents -------------------------------------------
#
# An agency sees and manages only its own documents; Sở Nội vụ and leaders read them all.


def _library_agency(request: HttpRequest) -> Agency | None:
    """The agency whose library the user lists; None for the readers of every library."""
    if user_role(request.user) in READERS:
        return None
    agency = _own_agency(request)
    if agency is None:
        raise PermissionDenied
    return agency


@require_GET
@login_required
def document_list(request: HttpRequest) -> HttpResponse:
    agency = _library_agency(request)
    documents = EvidenceDocument.objects.select_related("agency").order_by(
        "agency__name", "-issued_on", "-pk"
    )
    if agency is not None:
        documents = documents.filter(agency=agency)
    page = Paginator(documents, TRACKER_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"agency": agency, "page": page, "documents": list(page)}
    return render(request, "assignments/document_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def document_create(request: HttpRequest) -> HttpResponse:
    agency = _own_agency(request)
    if agency is None:
        raise PermissionDenied  # readers read every library and write none
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        document, created = services.add_document(
            agency=agency,
            upload=form.cleaned_data["file"],
            content_type=form.kind.content_type,
            extension=form.kind.extension,
            by=request.user,
            **{name: form.cleaned_data[name] for name in DocumentForm.Meta.fields},
        )
        if created:
            messages.success(request, _("Đã thêm “%(name)s” vào thư viện.") % {"name": document})
        else:
            messages.info(
                request,
                _("Tệp này đã có trong thư viện: “%(name)s”; không lưu thêm bản nữa.")
                % {"name": document},
            )
        return redirect("assignments:document-list")
    return render(request, "assignments/document_form.html", {"form": form, "document": None})


@require_http_methods(["GET", "POST"])
@login_required
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    document = _get_document_for_user(request, pk)
    own = _own_agency(request)
    if own is None or own.pk != document.agency_id:
        raise PermissionDenied
    form = DocumentForm(request.POST or None, instance=document)
    if request.method == "POST" and form.is_valid():
        document._history_user = request.user
        form.save()
        messages.success(request, _("Đã lưu “%(name)s”.") % {"name": document})
        return redirect("assignments:document-list")
    context = {"form": form, "document": document}
    return render(request, "assignments/document_form.html", context)


@require_GET
@login_required
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    """The file, through the portal and its access check, never from a public URL."""
    document = _get_document_for_user(request, pk)
    try:
        stream = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
