"""The appraisal page and its .xlsx, and the year's evidence package: for Sở Nội vụ, the
administrators and the leaders; an agency gets 403 (they hold every agency's figures)."""

import tempfile

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from assignments.models import Role, user_role
from criteria.exporters import XLSX_CONTENT_TYPE
from reports.appraisal import appraisal_filename, appraisal_workbook, losses
from reports.evidence_package import package_filename, write_evidence_package
from reports.rollups import plan_years
from reports.views import _get_plan_for_year

READERS = (Role.ADMINISTRATOR, Role.NOIVU_STAFF, Role.LEADER)


def _require_reader(request: HttpRequest) -> None:
    if user_role(request.user) not in READERS:
        raise PermissionDenied


@require_GET
@login_required
def appraisal(request: HttpRequest, year: int) -> HttpResponse:
    _require_reader(request)
    plan = _get_plan_for_year(year)
    context = {"year": year, "years": plan_years(plan), "appraisal": losses(plan, year)}
    return render(request, "reports/appraisal.html", context)


@require_GET
@login_required
def appraisal_export(request: HttpRequest, year: int) -> HttpResponse:
    _require_reader(request)
    plan = _get_plan_for_year(year)
    return HttpResponse(
        appraisal_workbook(losses(plan, year)),
        content_type=XLSX_CONTENT_TYPE,
        headers={
            "Content-Disposition": content_disposition_header(
                as_attachment=True, filename=appraisal_filename(year)
            )
        },
    )


@require_GET
@login_required
def evidence_package(request: HttpRequest, year: int) -> FileResponse:
    """The zip is written to a temporary file and streamed from it: hundreds of documents
    never sit in memory at once. FileResponse closes (and so removes) the file."""
    _require_reader(request)
    plan = _get_plan_for_year(year)
    archive = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    try:
        write_evidence_package(plan=plan, year=year, out=archive)
        archive.seek(0)
    except BaseException:
        archive.close()
        raise
    return FileResponse(
        archive,
        as_attachment=True,
        filename=package_filename(plan, year),
        content_type="application/zip",
    )
