"""The agency's side of its yearly report (assignments/yearly.py): one page with every
section, each saved on its own as a draft, what is still missing, and one button that
sends the whole report.

Only the report's own agency reads and writes these pages; another agency's ids answer
404. Sở Nội vụ's review of the report is another page.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from assignments import services, yearly
from assignments.forms import DocumentForm, DocumentUploadForm
from assignments.models import (
    Agency,
    EvidenceDocument,
    EvidenceLink,
    Report,
    ScoreProposal,
    Task,
    YearlyReport,
)
from assignments.progress import Deadline, TargetResult, deadline_of, targets_of_year
from assignments.views import _get_cycle, _own_agency
from assignments.yearly_forms import GeneralForm, ProposalForm, SendForm


def _writer(request: HttpRequest) -> Agency:
    """The agency whose yearly report the user writes; everyone else gets 403."""
    agency = _own_agency(request)
    if agency is None:
        raise PermissionDenied
    return agency


def _get_proposal_for_user(request: HttpRequest, year: int, pk: int) -> ScoreProposal:
    proposals = ScoreProposal.objects.select_related(
        "criterion", "report__cycle__plan", "report__agency"
    )
    return get_object_or_404(
        proposals, pk=pk, report__agency=_writer(request), report__cycle__year=year
    )


def _get_yearly_for_user(request: HttpRequest, year: int) -> YearlyReport:
    reports = YearlyReport.objects.select_related("cycle__plan", "agency")
    return get_object_or_404(reports, agency=_writer(request), cycle=_get_cycle(year))


def _page_url(report: YearlyReport, anchor: str = "") -> str:
    url = reverse("assignments:yearly-report", args=[report.cycle.year])
    return f"{url}#{anchor}" if anchor else url


# -- The page ------------------------------------------------------------------------------


@dataclass
class TaskSection:
    """A task the agency leads or coordinates: its report is the section."""

    report: Report
    is_lead: bool
    results: list[TargetResult]

    @property
    def anchor(self) -> str:
        return f"task-{self.report.pk}"

    @property
    def is_returned(self) -> bool:
        return self.report.status == Report.Status.RETURNED


@dataclass
class ProposalSection:
    """A sub-criterion the agency owns: its proposed score, evidence and explanation."""

    proposal: ScoreProposal
    links: list[EvidenceLink]
    form: ProposalForm | None
    upload_form: DocumentUploadForm | None

    @property
    def anchor(self) -> str:
        return f"proposal-{self.proposal.pk}"

    @property
    def is_returned(self) -> bool:
        return self.proposal.status == Report.Status.RETURNED


@dataclass
class YearlyPage:
    report: YearlyReport
    deadline: Deadline
    returned_tasks: list[TaskSection] = field(default_factory=list)
    returned_proposals: list[ProposalSection] = field(default_factory=list)
    lead: list[TaskSection] = field(default_factory=list)
    proposals: list[ProposalSection] = field(default_factory=list)
    coordinated: list[TaskSection] = field(default_factory=list)
    general_form: GeneralForm | None = None
    missing: list[yearly.Missing] = field(default_factory=list)
    send_form: SendForm | None = None

    @property
    def general_returned(self) -> bool:
        return self.report.general_status == Report.Status.RETURNED

    @property
    def has_returned(self) -> bool:
        return bool(self.returned_tasks or self.returned_proposals or self.general_returned)


def _task_sections(report: YearlyReport) -> list[TaskSection]:
    """The report's task sections in the plan's order, with their targets of the year and
    values (three queries)."""
    year = report.cycle.year
    reports = (
        report.task_reports.select_related("task__content_area")
        .annotate(
            is_lead=Exists(
                Task.lead_agencies.through.objects.filter(
                    task=OuterRef("task"), agency=report.agency_id
                )
            )
        )
        .prefetch_related(
            Prefetch("task__targets", queryset=targets_of_year(year), to_attr="year_targets"),
            "values",
        )
        .order_by("task__content_area__number", "task__number")
    )
    sections = []
    for task_report in reports:
        values = {value.target_id: value.value for value in task_report.values.all()}
        results = [
            TargetResult(target, values.get(target.pk)) for target in task_report.task.year_targets
        ]
        sections.append(TaskSection(task_report, task_report.is_lead, results))
    return sections


def _library_choices(agency: Agency) -> list[tuple[int, str]]:
    documents = EvidenceDocument.objects.filter(agency=agency).order_by("-issued_on", "-pk")
    return [(document.pk, str(document)) for document in documents]


def build_page(
    report: YearlyReport,
    *,
    today,
    bound_proposal: tuple[int, ProposalForm | None, DocumentUploadForm | None] | None = None,
    general_form: GeneralForm | None = None,
) -> YearlyPage:
    """Everything the page shows, in a fixed number of queries however many sections.

    `bound_proposal` (proposal id, its form, its upload form) and `general_form` carry
    what was typed into a section whose saving was refused.
    """
    page = YearlyPage(report=report, deadline=deadline_of(report.cycle, report.agency, today=today))
    is_returned = report.status == YearlyReport.Status.RETURNED
    for section in _task_sections(report):
        if is_returned and section.is_returned:
            page.returned_tasks.append(section)
        elif section.is_lead:
            page.lead.append(section)
        else:
            page.coordinated.append(section)
    proposals = report.score_proposals.select_related("criterion").prefetch_related(
        Prefetch(
            "evidence_links",
            queryset=EvidenceLink.objects.select_related("document").order_by("pk"),
            to_attr="links",
        )
    )
    choices = _library_choices(report.agency) if report.is_editable else []
    for proposal in proposals.order_by("criterion__sort_key"):
        form = upload_form = None
        editable = report.is_editable and proposal.is_editable
        if bound_proposal is not None and bound_proposal[0] == proposal.pk:
            _pk, form, upload_form = bound_proposal
        if editable and form is None:
            form = ProposalForm(
                initial=ProposalForm.initial_for(proposal), proposal=proposal, documents=choices
            )
        if editable and upload_form is None:
            upload_form = DocumentUploadForm(prefix=f"doc{proposal.pk}")
        section = ProposalSection(proposal, proposal.links, form, upload_form)
        if is_returned and section.is_returned:
            page.returned_proposals.append(section)
        else:
            page.proposals.append(section)
    if report.general_is_editable:
        page.general_form = general_form or GeneralForm.for_report(report)
    if report.is_editable:
        page.missing = yearly.missing_items(report)
        page.send_form = SendForm(initial={"version": report.version})
    return page


def _render_page(request: HttpRequest, report: YearlyReport, **bound) -> HttpResponse:
    page = build_page(report, today=timezone.localdate(), **bound)
    return render(request, "assignments/yearly/report.html", {"page": page, "report": report})


@require_GET
@login_required
def yearly_report(request: HttpRequest, year: int) -> HttpResponse:
    """The agency's report of the year, opened with its sections on the first visit."""
    agency = _writer(request)
    cycle = _get_cycle(year)
    report = yearly.open_yearly_report(cycle=cycle, agency=agency)
    report.cycle, report.agency = cycle, agency  # read already, with the cycle's plan
    return _render_page(request, report)


# -- Saving a section ----------------------------------------------------------------------


@require_POST
@login_required
def proposal_update(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    """Save a proposed score, then link, unlink or upload-and-link its evidence. A refused
    form saves nothing and shows back what was typed; a refused upload keeps the score and
    explanation, saved first."""
    proposal = _get_proposal_for_user(request, year, pk)
    report = proposal.report
    choices = _library_choices(report.agency)
    form = ProposalForm(request.POST, proposal=proposal, documents=choices)
    upload_prefix = f"doc{proposal.pk}"
    wants_upload = "upload" in request.POST or f"{upload_prefix}-file" in request.FILES
    upload_form = (
        DocumentUploadForm(request.POST, request.FILES, prefix=upload_prefix)
        if wants_upload
        else None
    )
    if not form.is_valid():
        if upload_form is not None:
            upload_form.is_valid()  # its own errors too, shown with the score's
            _say_not_uploaded(upload_form)
        return _render_page(request, report, bound_proposal=(pk, form, upload_form))
    try:
        proposal = yearly.save_proposal(
            proposal=proposal,
            by=request.user,
            score=form.cleaned_data["score"],
            evidence_complete=form.cleaned_data["evidence_complete"],
            explanation=form.cleaned_data["explanation"],
            version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        return _refused(request, report, proposal, form, upload_form, error)
    messages.success(request, _("Đã lưu tiêu chí %(code)s.") % {"code": proposal.criterion.code})
    try:
        _change_links(request, proposal, form)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if upload_form is not None:
        if not upload_form.is_valid():
            # The score and explanation are saved: the page shows them from the database,
            # and the document's details as typed, with why the file was refused.
            messages.warning(
                request,
                _("Tài liệu mới chưa được tải lên: hãy xem lý do, chọn lại tệp rồi bấm tải lên."),
            )
            proposal.refresh_from_db()
            return _render_page(request, report, bound_proposal=(pk, None, upload_form))
        _upload_and_link(request, proposal, upload_form, form.cleaned_data["new_location"])
    return redirect(_page_url(report, f"proposal-{proposal.pk}"))


def _say_not_uploaded(upload_form: DocumentUploadForm) -> None:
    """A browser never fills a file input again: the chosen file must be chosen again."""
    chosen = upload_form.files.get(upload_form.add_prefix("file"))
    if chosen is not None and "file" not in upload_form.errors:
        upload_form.add_error(
            "file",
            _("Chưa tải lên: %(names)s. Hãy chọn lại tệp rồi bấm lưu.") % {"names": chosen.name},
        )


def _refused(
    request: HttpRequest,
    report: YearlyReport,
    proposal: ScoreProposal,
    form: ProposalForm,
    upload_form: DocumentUploadForm | None,
    error: ValidationError,
) -> HttpResponse:
    """The service refused the score: show it back as typed, with the reason. A newer
    version saved meanwhile: the next save, after reading the page, writes over it."""
    if getattr(error, "code", None) == "stale":
        proposal.refresh_from_db()
        data = request.POST.copy()
        data[form.add_prefix("version")] = str(proposal.version)
        form = ProposalForm(data, proposal=proposal, documents=form.fields["document"].choices[1:])
        form.is_valid()
    form.add_error("score" if getattr(error, "code", None) == "score" else None, error)
    if upload_form is not None:
        upload_form.is_valid()
        _say_not_uploaded(upload_form)
    return _render_page(request, report, bound_proposal=(proposal.pk, form, upload_form))


def _change_links(request: HttpRequest, proposal: ScoreProposal, form: ProposalForm) -> None:
    """The link removed ("Bỏ" of a listed document), and the library document chosen."""
    unlink = request.POST.get("unlink", "")
    if unlink.isdigit():
        link = proposal.evidence_links.select_related("document").filter(pk=int(unlink)).first()
        if link is not None:
            yearly.unlink_document(link=link, by=request.user)
            messages.success(
                request, _("Đã bỏ “%(name)s” khỏi tiêu chí.") % {"name": link.document}
            )
    if document_pk := form.cleaned_data["document"]:
        document = EvidenceDocument.objects.get(pk=document_pk, agency=proposal.report.agency_id)
        yearly.link_document(
            proposal=proposal,
            document=document,
            location=form.cleaned_data["location"],
            by=request.user,
        )
        messages.success(request, _("Đã gắn “%(name)s”.") % {"name": document})


def _upload_and_link(
    request: HttpRequest, proposal: ScoreProposal, upload_form: DocumentUploadForm, location: str
) -> None:
    """A new document into the agency's library, linked to the sub-criterion at once."""
    document, created = services.add_document(
        agency=proposal.report.agency,
        upload=upload_form.cleaned_data["file"],
        content_type=upload_form.kind.content_type,
        extension=upload_form.kind.extension,
        by=request.user,
        **{name: upload_form.cleaned_data[name] for name in DocumentForm.Meta.fields},
    )
    if not created:
        messages.info(
            request,
            _("Tệp này đã có trong thư viện: “%(name)s”; không lưu thêm bản nữa.")
            % {"name": document},
        )
    try:
        yearly.link_document(
            proposal=proposal, document=document, location=location, by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Đã thêm “%(name)s” vào thư viện và gắn vào tiêu chí.") % {"name": document}
        )


@require_POST
@login_required
def general_update(request: HttpRequest, year: int) -> HttpResponse:
    report = _get_yearly_for_user(request, year)
    form = GeneralForm(request.POST)
    if not form.is_valid():
        return _render_page(request, report, general_form=form)
    try:
        yearly.save_general(
            report=report,
            by=request.user,
            difficulties=form.cleaned_data["difficulties"],
            proposals=form.cleaned_data["proposals"],
            version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        if getattr(error, "code", None) == "stale":
            report.refresh_from_db()
            data = request.POST.copy()
            data[form.add_prefix("version")] = str(report.version)
            form = GeneralForm(data)
            form.is_valid()
        form.add_error(None, error)
        return _render_page(request, report, general_form=form)
    messages.success(request, _("Đã lưu phần khó khăn, vướng mắc và kiến nghị."))
    return redirect(_page_url(report, "general"))


@require_POST
@login_required
def yearly_send(request: HttpRequest, year: int) -> HttpResponse:
    """Send the whole report to Sở Nội vụ, as it was when the page was read."""
    report = _get_yearly_for_user(request, year)
    form = SendForm(request.POST)
    if not form.is_valid():
        messages.error(request, services.STALE_MESSAGE)
        return redirect(_page_url(report))
    try:
        yearly.send_yearly_report(
            report=report, by=request.user, version=form.cleaned_data["version"]
        )
    except ValidationError as error:
        if len(error.messages) > 1:
            count = len(error.messages)
            messages.error(
                request,
                ngettext(
                    "Chưa gửi được: còn %(count)s mục cần bổ sung, xem danh sách “Còn thiếu”.",
                    "Chưa gửi được: còn %(count)s mục cần bổ sung, xem danh sách “Còn thiếu”.",
                    count,
                )
                % {"count": count},
            )
        else:
            messages.error(request, " ".join(error.messages))
        return redirect(_page_url(report, "send"))
    messages.success(
        request,
        _("Đã gửi báo cáo năm %(year)s đến Sở Nội vụ.") % {"year": report.cycle.year},
    )
    return redirect(_page_url(report))
