from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from criteria.exporters import XLSX_CONTENT_TYPE, appendix_filename, plan_appendix_bytes
from criteria.models import Plan


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
    return render(request, "criteria/plan_detail.html", {"plan": plan})


@require_GET
@login_required
def plan_appendix_download(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(Plan.objects.select_related("framework"), pk=pk)
    return HttpResponse(
        plan_appendix_bytes(plan),
        content_type=XLSX_CONTENT_TYPE,
        headers={
            "Content-Disposition": content_disposition_header(
                as_attachment=True, filename=appendix_filename(plan)
            )
        },
    )
