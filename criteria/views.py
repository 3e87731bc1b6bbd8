from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

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
