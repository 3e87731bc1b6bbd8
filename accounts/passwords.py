"""Changing and recovering a password inside the portal, with the reset mail rate-limited.

Django's own views do the work; the portal gives them its pages and keeps a mailbox from
being flooded: a few reset mails per address, and per client address, in a window. The
limit is counted before any account is looked up, so the answer never tells whether an
address belongs to an account.
"""

import hashlib
import smtplib

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

from accounts.security import client_address, log_event


def reset_mail_allowed(request: HttpRequest, email: str) -> bool:
    """Count one reset request for this address and this client; False past either limit."""
    window = settings.PAR_PASSWORD_RESET_WINDOW_SECONDS
    digest = hashlib.sha256(email.strip().casefold().encode()).hexdigest()
    client = client_address(request)
    counters = {
        f"par:password-reset:email:{digest}": settings.PAR_PASSWORD_RESET_PER_ADDRESS,
        f"par:password-reset:client:{client}": settings.PAR_PASSWORD_RESET_PER_CLIENT,
    }
    allowed = True
    for key, limit in counters.items():
        # add() starts the window; incr() never extends it.
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=window)
            count = 1
        allowed = allowed and count <= limit
    return allowed


class PasswordResetMailForm(PasswordResetForm):
    """Django's reset form, except that a mail the server refuses raises instead of being
    logged behind a page that says it was sent.

    The mail is sent now, not through the assignments outbox: accounts sits below
    assignments and imports nothing from it, and a reset link is a short-lived secret that
    must not wait in a table the administrators can read, to arrive after the user gave up.
    """

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict,
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        message = EmailMultiAlternatives(subject, body, from_email, [to_email])
        if html_email_template_name is not None:
            html = loader.render_to_string(html_email_template_name, context)
            message.attach_alternative(html, "text/html")
        message.send()


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = PasswordResetMailForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        email = form.cleaned_data["email"]
        if not reset_mail_allowed(self.request, email):
            log_event("password-reset-limited", request=self.request, username="-", email=email)
            minutes = settings.PAR_PASSWORD_RESET_WINDOW_SECONDS // 60
            form.add_error(
                None,
                _(
                    "Đã có quá nhiều yêu cầu đặt lại mật khẩu cho địa chỉ thư này hoặc từ máy "
                    "này. Vui lòng thử lại sau %(minutes)s phút."
                )
                % {"minutes": minutes},
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        log_event("password-reset-requested", request=self.request, username="-", email=email)
        try:
            return super().form_valid(form)
        except (smtplib.SMTPException, OSError) as error:
            # Only an address with an account gets a mail, so only it can fail: the answer
            # tells that the address is known, but only while the mail server is down and
            # within the limit above; telling the user the mail was sent would be a lie.
            log_event(
                "password-reset-mail-failed",
                request=self.request,
                username="-",
                email=email,
                error=type(error).__name__,
            )
            form.add_error(
                None,
                _(
                    "Chưa gửi được thư đặt lại mật khẩu: máy chủ thư của cổng không nhận thư. "
                    "Vui lòng thử lại sau ít phút; nếu vẫn không được, hãy báo quản trị viên."
                ),
            )
            return self.render_to_response(self.get_context_data(form=form), status=503)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"

    def form_valid(self, form) -> HttpResponse:
        log_event("password-reset", request=self.request, username=form.user.get_username())
        return super().form_valid(form)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_done.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"

    def form_valid(self, form) -> HttpResponse:
        log_event("password-changed", request=self.request, username=form.user.get_username())
        return super().form_valid(form)


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"
