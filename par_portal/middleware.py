"""Project-wide request policy that no single app owns."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

LOGGED_IN_AT = "par_logged_in_at"


class SessionLifetimeMiddleware:
    """End a session at an absolute limit after login, however active it has been.

    The idle limit is Django's own (SESSION_COOKIE_AGE renewed on every request).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault(LOGGED_IN_AT, now)
            if now - started > settings.PAR_SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)
