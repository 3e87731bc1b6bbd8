"""Downloads of the documents Sở Nội vụ issues (reports/documents/): for Sở Nội vụ, leaders
and administrators; an agency's staff get 403."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from assignments.models import Role, user_role
from reports.documents.drafts import FORMATS, KIND_FORMATS, DraftError, Kind, draft_report
from reports.rollups import current_plan

DRAFTERS = (Role.ADMINISTRATOR, Role.NOIVU_STAFF, Role.LEADER)


@require_GET
@login_required
def document_download(request: HttpRequest, year: int, kind: str, fmt: str) -> HttpResponse:
    """The draft of `kind` for `year` of the current plan, as .docx or .xlsx; the decision
    publishing the units' results is the year's (reports/documents/unit_results.py)."""
    if user_role(request.user) not in DRAFTERS:
        raise PermissionDenied
    if kind not in Kind.__members__.values() or fmt not in KIND_FORMATS.get(kind, FORMATS):
        raise Http404
    plan = current_plan()
    if plan is None:
        raise Http404
    try:
        draft = draft_report(kind=kind, plan=plan, year=year, fmt=fmt)
    except DraftError as error:
        raise Http404(str(error)) from None
    response = HttpResponse(draft.content, content_type=draft.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=draft.filename
    )
    response["Cache-Control"] = "private, no-store"
    return response
