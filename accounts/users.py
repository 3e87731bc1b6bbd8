"""Who may manage which users, and each user's role as the people page shows it.

Administrators manage every account except superusers, which only a superuser edits (an
account whose email can be changed can be taken over through the password reset). Sở Nội
vụ staff, who follow the agencies' reporting and know each agency's contact people, manage
the agencies' accounts only: they cannot create or edit an administrator, a leader or a
colleague, so the page gives them no way to widen anyone's rights, their own included;
and they set an agency account's email only when they create it.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AbstractUser
from django.db.models import QuerySet

from assignments.models import Role, user_role

MANAGERS = (Role.ADMINISTRATOR, Role.NOIVU_STAFF)


def may_manage_users(user: AbstractBaseUser) -> bool:
    return user_role(user) in MANAGERS


def manageable_roles(manager: AbstractUser) -> list[Role]:
    """The roles a manager may give."""
    return list(Role) if user_role(manager) == Role.ADMINISTRATOR else [Role.AGENCY_USER]


def manageable_users(manager: AbstractUser) -> QuerySet:
    """The accounts a manager may see and edit on the people page."""
    users = get_user_model().objects.all()
    if user_role(manager) == Role.NOIVU_STAFF:
        return users.filter(
            groups__name=Role.AGENCY_USER.value, is_superuser=False, is_staff=False
        ).exclude(groups__name__in=[r.value for r in Role if r != Role.AGENCY_USER])
    if not manager.is_superuser:
        return users.filter(is_superuser=False)
    return users


def role_of(user: AbstractUser) -> Role | None:
    """The user's role from groups already fetched (prefetch_related("groups")): no query."""
    if user.is_superuser:
        return Role.ADMINISTRATOR
    names = {group.name for group in user.groups.all()}
    return next((role for role in Role if role.value in names), None)
