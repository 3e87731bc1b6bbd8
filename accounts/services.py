"""Writes to users: one call saves the account, its role (groups) and its agency."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractUser
from django.db import transaction
from django.utils.crypto import get_random_string

from accounts.security import log_event
from assignments.models import Agency, Membership, Role


@transaction.atomic
def save_user(
    *,
    user: AbstractUser,
    role: Role,
    agency: Agency | None,
    by: AbstractUser,
    changed: Iterable[str] = (),
) -> AbstractUser:
    """Save a user built by the people page's form with the groups and agency of the role.

    A new account gets a long random password that nobody knows: its owner sets one with
    "Quên mật khẩu?" and the address just entered. Staff status (the admin) follows the
    role; superuser status is never given here. The security log names who changed which
    fields: an email changed by someone else is how an account could be taken over.
    """
    created = user.pk is None
    if created:
        user.set_password(get_random_string(48))
    user.is_staff = user.is_superuser or role in (Role.ADMINISTRATOR, Role.NOIVU_STAFF)
    user.save()
    user.groups.set([role.group()])
    Membership.objects.update_or_create(user=user, defaults={"agency": agency})
    log_event(
        "user-created" if created else "user-saved",
        request=None,
        username=user.get_username(),
        by=by.get_username(),
        role=role.value,
        agency=agency.pk if agency else "-",
        active=user.is_active,
        fields=",".join(changed) or "-",
    )
    return user
