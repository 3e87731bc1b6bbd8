from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from assignments.forms import ResponsibilityForm, TaskForm, task_target_formset
from assignments.models import Responsibility, Task
from assignments.services import save_task, update_responsibility
from criteria.models import Plan

# -- Who acts on each criterion, and the tasks of section II (Sở Nội vụ edits them) -------


def _get_responsibility_for_user(request: HttpRequest, pk: int) -> Responsibility:
    # Whoever may change responsibilities may change any of them: no narrower rule applies.
    return get_object_or_404(
        Responsibility.objects.select_related("plan", "criterion", "lead"), pk=pk
    )


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
            lead=form.cleaned_data["lead"],
            supporting=form.cleaned_data["supporting"],
            groups=form.cleaned_data["groups"],
        )
        messages.success(
            request,
            _("Đã lưu phân công tiêu chí %(code)s; lần nhập phụ lục sau sẽ giữ nguyên.")
            % {"code": responsibility.criterion.code},
        )
        plan_url = reverse("criteria:plan-detail", args=[responsibility.plan_id])
        return redirect(f"{plan_url}#row-{responsibility.criterion.code}")
    action = responsibility.plan.actions.filter(criterion=responsibility.criterion_id).first()
    context = {"responsibility": responsibility, "action": action, "form": form}
    return render(request, "assignments/responsibility_edit.html", context)


@require_GET
@login_required
@permission_required("assignments.view_task", raise_exception=True)
def task_list(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=pk)
    tasks = Task.objects.prefetch_related(
        "lead_agencies", "coordinating_agencies", "coordinating_groups", "criteria", "targets"
    )
    areas = plan.content_areas.prefetch_related(Prefetch("tasks", queryset=tasks))
    context = {
        "plan": plan,
        "areas": areas,
        "can_edit": request.user.has_perm("assignments.change_task"),
    }
    return render(request, "assignments/task_list.html", context)


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
        list_url = reverse("assignments:task-list", args=[plan.pk])
        return redirect(f"{list_url}#task-{task.pk}")
    context = {"task": task, "plan": plan, "form": form, "targets": targets}
    return render(request, "assignments/task_edit.html", context)
