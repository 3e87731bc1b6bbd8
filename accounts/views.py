"""The people page: administrators (and Sở Nội vụ, for the agencies' accounts) list, create,
edit and deactivate users, with role and agency in one form (accounts.users says who may)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.forms import UserForm
from accounts.services import save_user
from accounts.users import manageable_users, may_manage_users, role_of
from assignments.models import Agency, Membership

USERS_PER_PAGE = 100


def _require_manager(request: HttpRequest) -> None:
    if not may_manage_users(request.user):
        raise PermissionDenied


def _get_user_for_user(request: HttpRequest, pk: int) -> AbstractUser:
    """A user the requester may manage, with the agency; 404 for any other."""
    _require_manager(request)
    return get_object_or_404(manageable_users(request.user), pk=pk)


def _agency_of(user: AbstractUser) -> Agency | None:
    membership = Membership.objects.select_related("agency").filter(user=user).first()
    return membership.agency if membership else None


@require_GET
@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    users = (
        manageable_users(request.user)
        .select_related("membership__agency")
        .prefetch_related("groups")
        .order_by("-is_active", "username")
    )
    page = Paginator(users, USERS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(user, role_of(user)) for user in page.object_list]
    return render(request, "accounts/user_list.html", {"page": page, "rows": rows})


def _user_form_page(request: HttpRequest, user: AbstractUser) -> HttpResponse:
    agency = _agency_of(user) if user.pk else None
    form = UserForm(request.POST or None, instance=user, manager=request.user, agency=agency)
    if request.method == "POST" and form.is_valid():
        saved = save_user(
            user=form.save(commit=False),
            role=form.cleaned_data["role"],
            agency=form.cleaned_data["agency"],
            by=request.user,
            changed=form.changed_data,
        )
        messages.success(request, _("Đã lưu tài khoản %(username)s.") % {"username": saved})
        return redirect("accounts:user-list")
    return render(request, "accounts/user_form.html", {"form": form, "edited": user})


@require_http_methods(["GET", "POST"])
@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    return _user_form_page(request, get_user_model()())


@require_http_methods(["GET", "POST"])
@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _user_form_page(request, _get_user_for_user(request, pk))
