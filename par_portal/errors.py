"""Error pages that need more than a template: a form too large for the portal to read."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults

MEGABYTE = 1024 * 1024


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400, except for a form larger than DATA_UPLOAD_MAX_MEMORY_SIZE: 413 with what to do.

    The page must not read request.POST: reading it is what failed.
    """
    if isinstance(exception, RequestDataTooBig):
        context = {
            "limit_mb": round(settings.DATA_UPLOAD_MAX_MEMORY_SIZE / MEGABYTE, 1),
            "evidence_mb": round(settings.PAR_EVIDENCE_MAX_BYTES / MEGABYTE, 1),
        }
        return render(request, "413.html", context, status=413)
    return defaults.bad_request(request, exception)
