"""Who may stay logged in, and the security log of logins, lockouts and refusals.

One line per event on the "par.security" logger, with user, UTC time and source address;
user-supplied text has its newlines escaped so that nobody can forge a log line.

A user with a two-factor device who has given only the password is logged in but held at
the code step (accounts.twofactor) until a valid code is given; when
PAR_REQUIRE_2FA_FOR_ADMINS is on, administrators and those who may import the appendix
are also kept out of the admin until they have verified with a code.
"""

import ipaddress
import logging
import time
from collections.abc import Callable

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.models import AbstractBaseUser, Group, User
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django_otp import user_has_device

from accounts.logs import clean

security_log = logging.getLogger("par.security")

LOGGED_IN_AT = "par_logged_in_at"
LAST_SEEN_AT = "par_last_seen_at"
# Refresh the last-seen stamp at most this often, so a page view rarely writes the session.
LAST_SEEN_RESOLUTION = 60
# Set at login for a user with a confirmed device, removed when a valid code is given.
OTP_PENDING = "par_otp_pending"
# The sender of user_login_failed for a wrong code at the second step of login.
SECOND_FACTOR = "par.second-factor"
# Who must have verified with a code before the admin opens, when the setting is on.
IMPORT_PERMISSION = "criteria.change_criterion"


def client_address(request: HttpRequest) -> str:
    """The client's address: the hop the outermost of PAR_TRUSTED_PROXY_COUNT proxies added.

    nginx appends the address it saw to X-Forwarded-For; whatever the client wrote there
    stays on the left and is never believed. A request with fewer hops than trusted proxies,
    or with a hop that is not an address, did not come through them: REMOTE_ADDR is used.
    django-axes keys the lockout on this (AXES_CLIENT_IP_CALLABLE), the log shows it.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.PAR_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-proxies]))
    except ValueError:
        return remote


def _value(value: object) -> str:
    """One field's value: escaped, and quoted when it holds a space, "=" or a quote, so that
    a username typed as "admin ip=10.0.0.1" cannot add a field to the line."""
    text = str(value)
    if text and not any(char.isspace() or char in '="' for char in text):
        return clean(text)
    return '"' + clean(text.replace("\\", "\\\\").replace('"', '\\"')) + '"'


def log_event(event: str, *, request: HttpRequest | None, username: object, **details) -> None:
    address = "-" if request is None else _value(client_address(request) or "-")
    extra = " ".join(f"{key}={_value(value)}" for key, value in details.items())
    security_log.info("%s user=%s ip=%s %s", event, _value(username), address, extra)


class SessionLifetimeMiddleware:
    """End a session after idle time and at an absolute limit after login.

    It also holds a session that still owes a one-time code at the code step, and keeps
    unverified administrators out of the admin when PAR_REQUIRE_2FA_FOR_ADMINS is on.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.get(LOGGED_IN_AT, now)
            seen = session.get(LAST_SEEN_AT, now)
            if (
                now - started > settings.PAR_SESSION_ABSOLUTE_SECONDS
                or now - seen > settings.PAR_SESSION_IDLE_SECONDS
            ):
                log_event("session-expired", request=request, username=request.user)
                logout(request)
                return redirect_to_login(request.get_full_path())
            if now - seen >= LAST_SEEN_RESOLUTION or LOGGED_IN_AT not in session:
                session[LOGGED_IN_AT] = started
                session[LAST_SEEN_AT] = now
            held = _hold_for_second_factor(request)
            if held is not None:
                return held
        response = self.get_response(request)
        if response.status_code in (403, 404) and request.user.is_authenticated:
            log_event(
                "refused",
                request=request,
                username=request.user.get_username(),
                status=response.status_code,
                method=request.method,
                path=request.path,
            )
        return response


def is_privileged(user: AbstractBaseUser) -> bool:
    """An administrator, or one who may import the appendix."""
    return user.is_superuser or user.has_perm(IMPORT_PERMISSION)


def must_verify_for_admin(user: AbstractBaseUser) -> bool:
    """Whether the setting asks this user for a code before the admin opens."""
    return settings.PAR_REQUIRE_2FA_FOR_ADMINS and not user.is_verified() and is_privileged(user)


def _hold_for_second_factor(request: HttpRequest) -> HttpResponse | None:
    """A redirect to the code step or the set-up page, or None to let the request through."""
    verify_url = reverse("twofactor:login-verify")
    if request.session.get(OTP_PENDING):
        if request.path in {verify_url, reverse("logout"), reverse("set_language")}:
            return None
        return redirect_to_login(request.get_full_path(), verify_url)
    if request.path.startswith(reverse("admin:index")) and must_verify_for_admin(request.user):
        # The set-up page tells them why they are there.
        target = verify_url if user_has_device(request.user) else reverse("twofactor:device-detail")
        return redirect_to_login(request.get_full_path(), target)
    return None


def refuse_one_time_code(*, request: HttpRequest, user: AbstractBaseUser) -> None:
    """Count a wrong code at the second step of login as a failed login.

    django-axes counts it towards the lockout of this user from this address, as it does a
    wrong password. When that locks the pair out, the half-open session ends here and
    AxesMiddleware answers with the lockout page.
    """
    user_login_failed.send(
        sender=SECOND_FACTOR, credentials={"username": user.get_username()}, request=request
    )
    if getattr(request, "axes_locked_out", False):
        logout(request)


@receiver(user_logged_in)
def _stamp_and_log_login(sender, request: HttpRequest, user, **kwargs) -> None:
    now = int(time.time())
    if request is not None and hasattr(request, "session"):
        request.session[LOGGED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now
        # Whatever view logged the user in (ours, the admin's), a device means a code is due.
        if user_has_device(user):
            request.session[OTP_PENDING] = True
    log_event("login", request=request, username=user.get_username())


@receiver(user_logged_out)
def _log_logout(sender, request: HttpRequest, user, **kwargs) -> None:
    log_event("logout", request=request, username=user.get_username() if user else "-")


@receiver(user_login_failed)
def _log_login_failure(sender, credentials: dict, request: HttpRequest | None = None, **kwargs):
    username = credentials.get("username", "-")
    if sender == SECOND_FACTOR:
        log_event("otp-failed", request=request, username=username, step="login")
    else:
        log_event("login-failed", request=request, username=username)


@receiver(user_locked_out)
def _log_lockout(sender, request: HttpRequest, username: str, ip_address: str, **kwargs) -> None:
    log_event("locked-out", request=request, username=username)


@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
@receiver(m2m_changed, sender=Group.permissions.through)
def _log_permission_change(sender, instance, action: str, pk_set, **kwargs) -> None:
    """Roles and rights given or taken: who holds what is a security fact."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    log_event(
        "permissions-changed",
        request=None,
        username=instance,
        change=action.removeprefix("post_"),
        of=sender._meta.model_name,
        ids=",".join(map(str, sorted(pk_set or []))),
    )
