"""Two-factor login: setting up a TOTP device, the code step after the password, turning it
off, and keeping unverified administrators out of the admin when the setting is on."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.security import OTP_PENDING

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app holding the device's key shows now (or later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """A well-formed code that none of the windows the device accepts would show."""
    accepted = {code_for(device, steps_ahead=step) for step in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in accepted)


def log_in_with_password(client, user, password: str, path: str = "login"):
    return client.post(reverse(path), {"username": user.get_username(), "password": password})


def log_in_verified(client, user, device: TOTPDevice) -> None:
    """A session that has passed both steps, as if the code had been given."""
    client.force_login(user)
    session = client.session
    session.pop(OTP_PENDING, None)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def security_lines(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "par.security"]


@pytest.fixture
def device(noivu_staff) -> TOTPDevice:
    return TOTPDevice.objects.create(user=noivu_staff, name="Điện thoại", confirmed=True)


@pytest.fixture
def waiting_device(noivu_staff) -> TOTPDevice:
    return TOTPDevice.objects.create(user=noivu_staff, name="Điện thoại", confirmed=False)


@pytest.fixture
def superuser(db, django_user_model, staff_password):
    return django_user_model.objects.create_superuser("quantri", password=staff_password)


@pytest.fixture
def require_2fa(settings) -> None:
    settings.PAR_REQUIRE_2FA_FOR_ADMINS = True


@pytest.fixture
def other_devices(leader, agency_user) -> list[TOTPDevice]:
    """Devices of other users, which no page of this user may count or show."""
    return [
        TOTPDevice.objects.create(user=leader, name="Điện thoại", confirmed=True),
        TOTPDevice.objects.create(user=agency_user, name="Điện thoại", confirmed=False),
    ]


# -- Setting up -----------------------------------------------------------------------------


def test_security_page_offers_two_factor_when_it_is_off(client, noivu_staff):
    client.force_login(noivu_staff)

    response = client.get(reverse("twofactor:device-detail"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Chưa bật." in content
    assert "Bật xác thực hai lớp" in content
    assert response.headers["Cache-Control"].startswith("max-age=0")


def test_turning_on_creates_a_waiting_device_and_shows_its_secret(client, noivu_staff):
    client.force_login(noivu_staff)
    assert not TOTPDevice.objects.filter(user=noivu_staff).exists()

    response = client.post(reverse("twofactor:device-create"))
    page = client.get(reverse("twofactor:device-detail")).content.decode()

    device = TOTPDevice.objects.get(user=noivu_staff)
    assert response.status_code == 302
    assert device.confirmed is False
    secret = TOTPDevice.objects.get(pk=device.pk).config_url.split("secret=")[1].split("&")[0]
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    assert grouped in page
    assert f"otpauth://totp/PAR%20Portal%3Anoivu?secret={secret}&amp;issuer=PAR%20Portal" in page
    assert 'src="data:image/svg+xml;base64,' in page


def test_turning_on_again_replaces_the_waiting_secret(client, noivu_staff, waiting_device):
    client.force_login(noivu_staff)

    client.post(reverse("twofactor:device-create"))

    devices = list(TOTPDevice.objects.filter(user=noivu_staff))
    assert len(devices) == 1
    assert devices[0].pk != waiting_device.pk
    assert devices[0].key != waiting_device.key


def test_setup_with_a_correct_code_confirms_the_device(client, noivu_staff, waiting_device, caplog):
    client.force_login(noivu_staff)
    caplog.set_level("INFO", logger="par.security")

    response = client.post(
        reverse("twofactor:device-confirm"), {"otp_token": code_for(waiting_device)}
    )

    waiting_device.refresh_from_db()
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("twofactor:device-detail")
    assert waiting_device.confirmed is True
    assert client.session[DEVICE_ID_SESSION_KEY] == waiting_device.persistent_id
    assert any(line.startswith("otp-enabled user=noivu") for line in security_lines(caplog))


def test_setup_with_a_wrong_code_is_refused_and_confirms_nothing(
    client, noivu_staff, waiting_device, caplog
):
    client.force_login(noivu_staff)
    caplog.set_level("INFO", logger="par.security")

    response = client.post(
        reverse("twofactor:device-confirm"), {"otp_token": wrong_code(waiting_device)}
    )

    waiting_device.refresh_from_db()
    assert response.status_code == 200
    assert "Mã xác thực không đúng hoặc đã được dùng" in response.content.decode()
    assert waiting_device.confirmed is False
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert any(
        line.startswith("otp-failed user=noivu") and "step=setup" in line
        for line in security_lines(caplog)
    )


def test_setup_with_a_code_that_is_not_six_digits_is_refused(client, noivu_staff, waiting_device):
    client.force_login(noivu_staff)

    response = client.post(reverse("twofactor:device-confirm"), {"otp_token": "12ab56"})

    waiting_device.refresh_from_db()
    assert response.status_code == 200
    assert "Mã xác thực gồm 6 chữ số." in response.content.decode()
    assert waiting_device.confirmed is False


def test_setup_accepts_the_code_with_a_space_in_the_middle(client, noivu_staff, waiting_device):
    client.force_login(noivu_staff)
    code = code_for(waiting_device)

    client.post(reverse("twofactor:device-confirm"), {"otp_token": f"{code[:3]} {code[3:]}"})

    waiting_device.refresh_from_db()
    assert waiting_device.confirmed is True


def test_setup_returns_to_the_page_the_user_was_going_to(client, noivu_staff, waiting_device):
    client.force_login(noivu_staff)

    response = client.post(
        reverse("twofactor:device-confirm"),
        {"otp_token": code_for(waiting_device), "next": reverse("admin:index")},
    )

    assert response.headers["Location"] == reverse("admin:index")


def test_setup_does_not_follow_a_next_address_off_the_site(client, noivu_staff, waiting_device):
    client.force_login(noivu_staff)

    response = client.post(
        reverse("twofactor:device-confirm"),
        {"otp_token": code_for(waiting_device), "next": "https://lừa-đảo.example/"},
    )

    assert response.headers["Location"] == reverse("twofactor:device-detail")


def test_security_page_has_no_inline_script_or_style(client, noivu_staff, waiting_device):
    client.force_login(noivu_staff)

    content = client.get(reverse("twofactor:device-detail")).content.decode()

    assert "<script" not in content
    assert "style=" not in content
    assert "<style" not in content


def test_header_links_to_the_security_page_next_to_the_name(client, noivu_staff):
    client.force_login(noivu_staff)

    content = client.get(reverse("twofactor:device-detail")).content.decode()

    name_at = content.index('<span class="who">noivu</span>')
    link_at = content.index(f'href="{reverse("twofactor:device-detail")}">Bảo mật tài khoản</a>')
    assert 0 < link_at - name_at < 120


# -- Turning it off ---------------------------------------------------------------------------


def test_turning_off_with_a_valid_code_removes_the_device(client, noivu_staff, device, caplog):
    log_in_verified(client, noivu_staff, device)
    caplog.set_level("INFO", logger="par.security")

    response = client.post(reverse("twofactor:device-delete"), {"otp_token": code_for(device)})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=noivu_staff).exists()
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert any(line.startswith("otp-disabled user=noivu") for line in security_lines(caplog))


def test_turning_off_with_a_wrong_code_keeps_the_device(client, noivu_staff, device):
    log_in_verified(client, noivu_staff, device)

    response = client.post(reverse("twofactor:device-delete"), {"otp_token": wrong_code(device)})

    assert response.status_code == 200
    assert "Mã xác thực không đúng hoặc đã được dùng" in response.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()


def test_turning_off_does_not_touch_other_users_devices(client, noivu_staff, device, other_devices):
    log_in_verified(client, noivu_staff, device)

    client.post(reverse("twofactor:device-delete"), {"otp_token": code_for(device)})

    assert set(TOTPDevice.objects.values_list("pk", flat=True)) == {d.pk for d in other_devices}


# -- Logging in -------------------------------------------------------------------------------


def test_password_alone_does_not_log_a_user_with_a_device_in_fully(
    client, noivu_staff, staff_password, device
):
    plans = reverse("criteria:plan-detail-current")

    log_in_with_password(client, noivu_staff, staff_password)
    response = client.get(plans)

    assert response.status_code == 302
    assert response.headers["Location"] == f"{reverse('twofactor:login-verify')}?next={plans}"
    assert client.session[OTP_PENDING] is True
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_code_step_page_asks_for_the_code(client, noivu_staff, staff_password, device):
    log_in_with_password(client, noivu_staff, staff_password)

    response = client.get(reverse("twofactor:login-verify"))

    assert response.status_code == 200
    assert "Nhập mã xác thực" in response.content.decode()


def test_a_valid_code_completes_the_login(client, noivu_staff, staff_password, device, caplog):
    plans = reverse("criteria:plan-detail-current")
    log_in_with_password(client, noivu_staff, staff_password)
    key_before = client.session.session_key
    caplog.set_level("INFO", logger="par.security")

    response = client.post(
        reverse("twofactor:login-verify"), {"otp_token": code_for(device), "next": plans}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == plans
    assert OTP_PENDING not in client.session
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.session.session_key != key_before
    assert client.get(plans).status_code == 200
    assert any(line.startswith("otp-verified user=noivu") for line in security_lines(caplog))


def test_a_code_is_not_accepted_twice(client, noivu_staff, staff_password, device):
    code = code_for(device)
    log_in_with_password(client, noivu_staff, staff_password)
    client.post(reverse("twofactor:login-verify"), {"otp_token": code})
    client.post(reverse("logout"))
    log_in_with_password(client, noivu_staff, staff_password)

    response = client.post(reverse("twofactor:login-verify"), {"otp_token": code})

    assert response.status_code == 200
    assert client.session[OTP_PENDING] is True


def test_a_wrong_code_is_refused_logged_and_counted_as_a_failed_login(
    client, noivu_staff, staff_password, device, caplog
):
    log_in_with_password(client, noivu_staff, staff_password)
    caplog.set_level("INFO", logger="par.security")
    assert not AccessAttempt.objects.exists()

    response = client.post(reverse("twofactor:login-verify"), {"otp_token": wrong_code(device)})

    assert response.status_code == 200
    assert "Mã xác thực không đúng hoặc đã được dùng" in response.content.decode()
    assert client.session[OTP_PENDING] is True
    assert AccessAttempt.objects.get(username="noivu").failures_since_start == 1
    lines = security_lines(caplog)
    assert [line for line in lines if line.startswith("otp-failed")] == [
        "otp-failed user=noivu ip=127.0.0.1 step=login"
    ]
    assert not any(line.startswith("login-failed") for line in lines)


def test_repeated_wrong_codes_lock_out_and_end_the_session(
    client, noivu_staff, staff_password, device, caplog
):
    log_in_with_password(client, noivu_staff, staff_password)
    caplog.set_level("INFO", logger="par.security")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("twofactor:login-verify"), {"otp_token": wrong_code(device)})
    assert client.session[OTP_PENDING] is True

    response = client.post(reverse("twofactor:login-verify"), {"otp_token": wrong_code(device)})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert any(line.startswith("locked-out user=noivu") for line in security_lines(caplog))
    assert log_in_with_password(client, noivu_staff, staff_password).status_code == 429


def test_logging_in_again_does_not_shorten_the_wait_after_wrong_codes(
    client, noivu_staff, staff_password, device
):
    # As after ten wrong codes: django-otp checks no code for 2**9 seconds.
    device.throttle_increment(commit=False)
    device.throttling_failure_count = 10
    device.save()

    log_in_with_password(client, noivu_staff, staff_password)
    response = client.post(reverse("twofactor:login-verify"), {"otp_token": code_for(device)})

    assert response.status_code == 200
    assert "Mã xác thực đã bị nhập sai nhiều lần" in response.content.decode()
    assert client.session[OTP_PENDING] is True
    assert AccessAttempt.objects.get(username="noivu").failures_since_start == 1
    assert TOTPDevice.objects.get(pk=device.pk).throttling_failure_count == 10


def test_admin_login_page_also_stops_at_the_code_step(client, superuser, staff_password, settings):
    TOTPDevice.objects.create(user=superuser, name="Điện thoại", confirmed=True)

    log_in_with_password(client, superuser, staff_password, path="admin:login")
    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("twofactor:login-verify"))


def test_user_held_at_the_code_step_may_still_log_out(client, noivu_staff, staff_password, device):
    log_in_with_password(client, noivu_staff, staff_password)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_user_without_a_device_logs_in_with_the_password_alone(client, noivu_staff, staff_password):
    log_in_with_password(client, noivu_staff, staff_password)

    response = client.get(reverse("twofactor:device-detail"))

    assert response.status_code == 200
    assert OTP_PENDING not in client.session


def test_code_step_without_a_device_goes_on_to_the_portal(client, noivu_staff):
    client.force_login(noivu_staff)

    response = client.get(reverse("twofactor:login-verify"))

    assert response.status_code == 302
    assert response.headers["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


# -- Administrators, when the setting is on ---------------------------------------------------


@pytest.mark.parametrize(
    "url_name", ["admin:index", "admin:criteria_criterion_import", "admin:auth_user_changelist"]
)
def test_unverified_superuser_is_sent_to_set_up_two_factor(admin_client, require_2fa, url_name):
    url = reverse(url_name)

    response = admin_client.get(url)

    assert response.status_code == 302
    assert response.headers["Location"] == f"{reverse('twofactor:device-detail')}?next={url}"
    page = admin_client.get(response.headers["Location"]).content.decode()
    assert "phải bật xác thực hai lớp trước khi vào trang Quản trị" in page


def test_user_who_may_import_the_appendix_is_sent_to_set_up_two_factor(
    client, noivu_staff, require_2fa
):
    noivu_staff.is_staff = True
    noivu_staff.save()
    noivu_staff.user_permissions.add(Permission.objects.get(codename="change_criterion"))
    client.force_login(noivu_staff)

    response = client.get(reverse("admin:criteria_criterion_import"))

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("twofactor:device-detail"))


def test_staff_without_import_rights_is_not_forced(client, noivu_staff, require_2fa):
    noivu_staff.is_staff = True
    noivu_staff.save()
    client.force_login(noivu_staff)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200


def test_superuser_verified_with_a_code_gets_into_the_admin(
    client, superuser, staff_password, require_2fa
):
    device = TOTPDevice.objects.create(user=superuser, name="Điện thoại", confirmed=True)
    log_in_with_password(client, superuser, staff_password)
    assert client.get(reverse("admin:index")).status_code == 302

    client.post(reverse("twofactor:login-verify"), {"otp_token": code_for(device)})
    response = client.get(reverse("admin:index"))

    assert response.status_code == 200


def test_superuser_setting_up_two_factor_then_gets_into_the_admin(client, superuser, require_2fa):
    client.force_login(superuser)
    client.post(reverse("twofactor:device-create"))
    device = TOTPDevice.objects.get(user=superuser)

    client.post(reverse("twofactor:device-confirm"), {"otp_token": code_for(device)})
    response = client.get(reverse("admin:index"))

    assert response.status_code == 200


def test_superuser_with_a_device_but_an_unverified_session_is_sent_to_the_code_step(
    client, superuser, require_2fa
):
    # Logged in before the device was confirmed elsewhere: the session owes no code yet.
    client.force_login(superuser)
    TOTPDevice.objects.create(user=superuser, name="Điện thoại", confirmed=True)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("twofactor:login-verify"))


def test_with_the_setting_off_administrators_are_not_forced(admin_client):
    assert settings.PAR_REQUIRE_2FA_FOR_ADMINS is False

    response = admin_client.get(reverse("admin:index"))

    assert response.status_code == 200


def test_setting_is_on_unless_debug_or_the_environment_says_otherwise():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PAR_"))}
    env["DJANGO_SECRET_KEY"] = "tests-only-secret-key-not-for-production-use-0123456789"
    script = "from django.conf import settings; print(settings.PAR_REQUIRE_2FA_FOR_ADMINS)"

    def value(**extra: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
            cwd=Path(__file__).resolve().parent.parent.parent,
            env=env | extra,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return result.stdout.strip()

    assert value() == "True"
    assert value(DJANGO_DEBUG="true") == "False"
    assert value(PAR_REQUIRE_2FA_FOR_ADMINS="false") == "False"
    assert value(DJANGO_DEBUG="true", PAR_REQUIRE_2FA_FOR_ADMINS="true") == "True"


# -- Every view: anonymous, wrong method, queries ---------------------------------------------


@pytest.mark.parametrize(
    ("method", "url_name"),
    [
        ("get", "device-detail"),
        ("post", "device-create"),
        ("post", "device-confirm"),
        ("post", "device-delete"),
        ("get", "login-verify"),
        ("post", "login-verify"),
    ],
)
def test_anonymous_is_sent_to_login(client, method, url_name):
    url = reverse(f"twofactor:{url_name}")

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response.headers["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(
    ("method", "url_name"),
    [
        ("post", "device-detail"),
        ("get", "device-create"),
        ("get", "device-confirm"),
        ("get", "device-delete"),
        ("put", "login-verify"),
    ],
)
def test_wrong_method_gets_405(client, noivu_staff, method, url_name):
    client.force_login(noivu_staff)

    response = getattr(client, method)(reverse(f"twofactor:{url_name}"))

    assert response.status_code == 405


def test_security_page_query_count(
    client, noivu_staff, device, other_devices, django_assert_num_queries
):
    log_in_verified(client, noivu_staff, device)

    # session, user, the device that verified this session, this user's devices,
    # the user's groups (the navigation's role links)
    with django_assert_num_queries(5):
        response = client.get(reverse("twofactor:device-detail"))

    assert response.status_code == 200
    assert "Đang bật." in response.content.decode()


def test_code_step_query_count(
    client, noivu_staff, staff_password, device, other_devices, django_assert_num_queries
):
    log_in_with_password(client, noivu_staff, staff_password)

    # session, user, this user's devices, the user's groups (the navigation's role links)
    with django_assert_num_queries(4):
        response = client.get(reverse("twofactor:login-verify"))

    assert response.status_code == 200


# -- The admin's list of devices: who has one, never the secret -------------------------------


def test_admin_lists_devices_without_their_secret(admin_client, device, other_devices):
    from base64 import b32encode

    response = admin_client.get(reverse("admin:otp_totp_totpdevice_changelist"))
    change = admin_client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))

    for page in (response, change):
        content = page.content.decode()
        assert page.status_code == 200
        assert "noivu" in content
        assert device.key not in content
        assert b32encode(device.bin_key).decode().rstrip("=") not in content
        assert "otpauth://" not in content


def test_admin_cannot_change_a_device_or_read_its_qr_code(admin_client, device):
    url = reverse("admin:otp_totp_totpdevice_change", args=[device.pk])

    response = admin_client.post(url, {"user": device.user_id, "name": "x", "key": "00" * 20})

    assert response.status_code == 403
    assert TOTPDevice.objects.get(pk=device.pk).key == device.key
    assert admin_client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
    config = f"{reverse('admin:otp_totp_totpdevice_changelist')}{device.pk}/config/"
    assert device.key not in admin_client.get(config).content.decode()


def test_admin_deletes_the_device_of_a_user_who_lost_the_phone(admin_client, device):
    url = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])

    response = admin_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
