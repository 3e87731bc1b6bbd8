"""Two-factor login with a one-time code from an authenticator app (TOTP, django-otp).

Any user can turn it on from the "Bảo mật tài khoản" page and off again with a valid code.
A user who has it gives the password, then a code at the second step; until then
accounts.security holds the session at that step. One device per user.
"""

import re
from base64 import b32encode, b64encode
from urllib.parse import quote, urlencode

import qrcode
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import DEVICE_ID_SESSION_KEY, verify_token
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode.image.svg import SvgPathImage

from accounts.security import OTP_PENDING, is_privileged, log_event, refuse_one_time_code

# The name authenticator apps show above the code.
ISSUER = "PAR Portal"
WRONG_CODE = gettext_lazy(
    "Mã xác thực không đúng hoặc đã được dùng. Vui lòng nhập mã mới đang hiển thị trên ứng dụng."
)
TOO_MANY_TRIES = gettext_lazy(
    "Mã xác thực đã bị nhập sai nhiều lần. Vui lòng đợi một lát rồi nhập mã mới."
)


class CodeForm(forms.Form):
    """A six-digit code as the app shows it; spaces between the digits are allowed."""

    otp_token = forms.CharField(
        label=gettext_lazy("Mã xác thực"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "size": 8}
        ),
    )

    def clean_otp_token(self) -> str:
        code = "".join(self.cleaned_data["otp_token"].split())
        if not re.fullmatch(r"[0-9]{6}", code):
            raise ValidationError(_("Mã xác thực gồm 6 chữ số."))
        return code


def grouped_secret(device: TOTPDevice) -> str:
    """The key in base32, as typed into an app by hand: groups of four letters or digits."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def otpauth_uri(device: TOTPDevice, username: str) -> str:
    """The key URI that authenticator apps read, named after the portal and the user."""
    params = {
        "secret": b32encode(device.bin_key).decode("ascii").rstrip("="),
        "issuer": ISSUER,
        "algorithm": "SHA1",
        "digits": device.digits,
        "period": device.step,
    }
    label = quote(f"{ISSUER}:{username}")
    return f"otpauth://totp/{label}?{urlencode(params, quote_via=quote)}"


def qr_data_uri(text: str) -> str:
    """An SVG QR code of the text, as a data: URL for an <img> (the CSP allows data: images)."""
    image = qrcode.make(text, image_factory=SvgPathImage)
    return "data:image/svg+xml;base64," + b64encode(image.to_string()).decode("ascii")


def start_device(*, user: AbstractBaseUser) -> TOTPDevice:
    """A fresh secret waiting to be confirmed; an earlier unconfirmed one is dropped."""
    with transaction.atomic():
        TOTPDevice.objects.devices_for_user(user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=_("Ứng dụng xác thực"), confirmed=False)


def _devices(user: AbstractBaseUser) -> tuple[TOTPDevice | None, TOTPDevice | None]:
    """The user's confirmed device and the one waiting to be confirmed, in one query."""
    devices = list(TOTPDevice.objects.devices_for_user(user).order_by("pk"))
    confirmed = next((device for device in devices if device.confirmed), None)
    waiting = next((device for device in devices if not device.confirmed), None)
    return confirmed, waiting


def _next_url(request: HttpRequest) -> str:
    """The page the user was on the way to before this step, if it is ours; else ""."""
    url = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _detail_url(request: HttpRequest) -> str:
    url = reverse("twofactor:device-detail")
    next_url = _next_url(request)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _render_detail(
    request: HttpRequest,
    *,
    confirm_form: CodeForm | None = None,
    delete_form: CodeForm | None = None,
) -> HttpResponse:
    device, waiting = _devices(request.user)
    context = {
        "device": device,
        "waiting": waiting if device is None else None,
        "confirm_form": confirm_form or CodeForm(),
        "delete_form": delete_form or CodeForm(),
        "next": _next_url(request),
        "is_required": settings.PAR_REQUIRE_2FA_FOR_ADMINS and is_privileged(request.user),
    }
    if context["waiting"] is not None:
        uri = otpauth_uri(waiting, request.user.get_username())
        context.update(secret=grouped_secret(waiting), uri=uri, qr=qr_data_uri(uri))
    return render(request, "accounts/device_detail.html", context)


@require_GET
@never_cache
@login_required
def device_detail(request: HttpRequest) -> HttpResponse:
    """The "Bảo mật tài khoản" page: two-factor login on or off, and the steps to change it."""
    return _render_detail(request)


@require_POST
@login_required
def device_create(request: HttpRequest) -> HttpResponse:
    if TOTPDevice.objects.devices_for_user(request.user, confirmed=True).exists():
        messages.info(request, _("Xác thực hai lớp đã được bật cho tài khoản này."))
    else:
        start_device(user=request.user)
    return redirect(_detail_url(request))


@require_POST
@login_required
def device_confirm(request: HttpRequest) -> HttpResponse:
    """Turn two-factor login on with the first code the app shows for the new secret."""
    form = CodeForm(request.POST)
    _device, waiting = _devices(request.user)
    if waiting is None:
        return redirect(_detail_url(request))
    if form.is_valid():
        verified = _verify(request, waiting, form)
        if verified is not None:
            verified.confirmed = True
            verified.save(update_fields=["confirmed"])
            _complete_verification(request, verified)
            log_event("otp-enabled", request=request, username=request.user.get_username())
            messages.success(request, _("Đã bật xác thực hai lớp."))
            return redirect(_next_url(request) or "twofactor:device-detail")
        log_event("otp-failed", request=request, username=request.user.get_username(), step="setup")
    return _render_detail(request, confirm_form=form)


@require_POST
@login_required
def device_delete(request: HttpRequest) -> HttpResponse:
    """Turn two-factor login off; a valid code proves the phone is at hand."""
    form = CodeForm(request.POST)
    device, _waiting = _devices(request.user)
    if device is None:
        return redirect("twofactor:device-detail")
    if form.is_valid():
        verified = _verify(request, device, form)
        if verified is not None:
            TOTPDevice.objects.devices_for_user(request.user).delete()
            request.session.pop(DEVICE_ID_SESSION_KEY, None)
            log_event("otp-disabled", request=request, username=request.user.get_username())
            messages.success(request, _("Đã tắt xác thực hai lớp."))
            return redirect("twofactor:device-detail")
        log_event(
            "otp-failed", request=request, username=request.user.get_username(), step="disable"
        )
    return _render_detail(request, delete_form=form)


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
def login_verify(request: HttpRequest) -> HttpResponse:
    """The second step of login: the code from the app, after the password."""
    device, _waiting = _devices(request.user)
    if device is None or request.user.is_verified():
        request.session.pop(OTP_PENDING, None)
        return redirect(_next_url(request) or settings.LOGIN_REDIRECT_URL)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verified = _verify(request, device, form)
        if verified is not None:
            _complete_verification(request, verified)
            log_event("otp-verified", request=request, username=request.user.get_username())
            return redirect(_next_url(request) or settings.LOGIN_REDIRECT_URL)
        refuse_one_time_code(request=request, user=request.user)
    context = {"form": form, "next": _next_url(request)}
    return render(request, "accounts/login_verify.html", context)


def _verify(request: HttpRequest, device: TOTPDevice, form: CodeForm) -> TOTPDevice | None:
    """The device if the valid form's code is right for it; else None, the reason on the form.

    After each wrong code django-otp makes the device wait twice as long (1, 2, 4, … s)
    before it checks another; logging in again does not shorten the wait.
    """
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        form.add_error("otp_token", TOO_MANY_TRIES)
        return None
    verified = verify_token(request.user, device.persistent_id, form.cleaned_data["otp_token"])
    if verified is None:
        form.add_error("otp_token", WRONG_CODE)
    return verified


def _complete_verification(request: HttpRequest, device: TOTPDevice) -> None:
    otp_login(request, device)
    request.session.pop(OTP_PENDING, None)
    # A new session key for the session that has just gained rights, as login() does.
    request.session.cycle_key()
