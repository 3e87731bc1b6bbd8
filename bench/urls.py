"""The project's URLs plus two pages that do nothing, measured as the floor of every page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from par_portal.urls import urlpatterns as project_urlpatterns


@require_GET
@login_required
def trivial_page(request: HttpRequest) -> HttpResponse:
    """The portal's layout around one sentence: session, user, middleware, base template."""
    return render(request, "bench/trivial.html")


@require_GET
@login_required
def trivial_text(request: HttpRequest) -> HttpResponse:
    """Session, user and middleware only: no template at all."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial_page, name="bench-trivial"),
    path("bench/trivial.txt", trivial_text, name="bench-trivial-text"),
    *project_urlpatterns,
]
