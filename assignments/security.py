"""Who may stay logged in, and the security log of logins, lockouts and refusals.

One line per event on the "par.security" logger, with user, UTC time and source address;
user-supplied text has its newlines escaped so that nobody can forge a log line.
"""

import logging
import time
from collections.abc import Callable

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

security_log = logging.getLogger("par.security")

LOGGED_IN_AT = "par_logged_in_at"
LAST_SEEN_AT = "par_last_seen_at"
# Refresh the last-seen stamp at most this often, so a page view rarely writes the session.
LAST_SEEN_RESOLUTION = 60


def clean(value: object) -> str:
    """A value fit for one log line: newlines and other control characters escaped."""
    return str(value).encode("unicode_escape").decode("ascii")


def client_address(request: HttpRequest | None) -> str:
    if request is None:
        return "-"
    return clean(request.META.get("REMOTE_ADDR", "-"))


def log_event(event: str, *, request: HttpRequest | None, username: object, **details) -> None:
    extra = " ".join(f"{key}={clean(value)}" for key, value in details.items())
    security_log.info("%s user=%s ip=%s %s", event, clean(username), client_address(request), extra)


class SessionLifetimeMiddleware:
    """End a session after idle time and at an absolute limit after login."""

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
        return self.get_response(request)


@receiver(user_logged_in)
def _stamp_and_log_login(sender, request: HttpRequest, user, **kwargs) -> None:
    now = int(time.time())
    if request is not None and hasattr(request, "session"):
        request.session[LOGGED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now
    log_event("login", request=request, username=user.get_username())


@receiver(user_logged_out)
def _log_logout(sender, request: HttpRequest, user, **kwargs) -> None:
    log_event("logout", request=request, username=user.get_username() if user else "-")


@receiver(user_login_failed)
def _log_login_failure(sender, credentials: dict, request: HttpRequest | None = None, **kwargs):
    log_event("login-failed", request=request, username=credentials.get("username", "-"))


@receiver(user_locked_out)
def _log_lockout(sender, request: HttpRequest, username: str, ip_address: str, **kwargs) -> None:
    log_event("locked-out", request=request, username=username)
