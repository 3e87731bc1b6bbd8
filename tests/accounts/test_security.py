"""Production-safe settings: deploy checks, headers, cookies, sessions, lockout, error pages."""

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import path, reverse

from accounts.security import LAST_SEEN_AT, LOGGED_IN_AT

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PASSWORD = "mật-khẩu-đủ-dài-2026"

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x7Qp2LmZ9vR4tY8wK3nB6cJ1" * 2,
    "DJANGO_ALLOWED_HOSTS": "par.tiengiang.gov.vn",
    "DJANGO_DEBUG": "false",
    "DJANGO_EMAIL_HOST": "smtp.tiengiang.gov.vn",
}


def test_deploy_check_passes_with_production_settings(tmp_path):
    # The check opens the database: an empty SQLite file outside the project, left unused.
    database = {"DATABASE_URL": "sqlite:///" + str(tmp_path / "unused-deploy-check.sqlite3")}
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env |= PRODUCTION_ENV | database

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env | {"DJANGO_DEBUG": "false"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_bad_boolean_setting_fails_loudly():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env | {"DJANGO_DEBUG": "maybe"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "DJANGO_DEBUG must be true or false" in result.stderr


@pytest.mark.django_db
def test_responses_carry_csp_hsts_and_nosniff(client):
    response = client.get(reverse("login"), secure=True)

    csp = response.headers["Content-Security-Policy"]
    assert "object-src 'none'" in csp
    assert "base-uri 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get(reverse("login"))

    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")


@pytest.mark.django_db
def test_login_sets_secure_httponly_session_cookie(client, django_user_model):
    django_user_model.objects.create_user("noivu", password=PASSWORD)

    response = client.post(
        reverse("login"), {"username": "noivu", "password": PASSWORD}, secure=True
    )

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert response.status_code == 302
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert int(cookie["max-age"]) == settings.PAR_SESSION_ABSOLUTE_SECONDS
    assert response.cookies[settings.CSRF_COOKIE_NAME]["secure"] is True


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_the_account_out(client, django_user_model, caplog):
    django_user_model.objects.create_user("noivu", password=PASSWORD)
    caplog.set_level("INFO", logger="par.security")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "noivu", "password": "sai-mật-khẩu"})

    response = client.post(reverse("login"), {"username": "noivu", "password": PASSWORD})

    assert response.status_code == 429
    assert "Tạm khóa đăng nhập" in response.content.decode()
    assert any(r.getMessage().startswith("locked-out user=noivu") for r in caplog.records)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_session_ends_at_the_absolute_limit_however_active(client, django_user_model):
    user = django_user_model.objects.create_user("noivu", password=PASSWORD)
    client.force_login(user)
    session = client.session
    session[LOGGED_IN_AT] = int(time.time()) - settings.PAR_SESSION_ABSOLUTE_SECONDS - 1
    session.save()

    response = client.get(reverse("criteria:plan-detail-current"))

    assert response.status_code == 302
    assert reverse("login") in response.headers["Location"]
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_session_ends_after_idle_time(client, django_user_model):
    user = django_user_model.objects.create_user("noivu", password=PASSWORD)
    client.force_login(user)
    session = client.session
    session[LAST_SEEN_AT] = int(time.time()) - settings.PAR_SESSION_IDLE_SECONDS - 1
    session.save()

    response = client.get(reverse("criteria:plan-detail-current"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_active_session_stays_logged_in(client, django_user_model):
    user = django_user_model.objects.create_user("noivu", password=PASSWORD)
    client.force_login(user)

    response = client.get(reverse("criteria:plan-detail-current"))

    assert response.status_code in (200, 302)
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_security_log_records_logins_logouts_and_failures_one_line_each(
    client, django_user_model, caplog
):
    django_user_model.objects.create_user("noivu", password=PASSWORD)
    caplog.set_level("INFO", logger="par.security")

    client.post(reverse("login"), {"username": "noivu", "password": PASSWORD})
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "kẻ\nlạ login user=admin", "password": "x"})

    lines = [record.getMessage() for record in caplog.records if record.name == "par.security"]
    assert lines[0].startswith("login user=noivu ip=127.0.0.1")
    assert lines[1].startswith("logout user=noivu")
    assert lines[2].startswith('login-failed user="kẻ\\nlạ login')
    assert all("\n" not in line for line in lines)


@pytest.mark.django_db
def test_logout_ends_the_session_on_the_server(client, django_user_model):
    from django.contrib.sessions.models import Session

    user = django_user_model.objects.create_user("noivu", password=PASSWORD)
    client.force_login(user)
    key = client.session.session_key

    client.post(reverse("logout"))

    assert not Session.objects.filter(session_key=key).exists()


@pytest.mark.django_db
def test_deactivated_user_is_logged_out_on_next_request(client, django_user_model):
    user = django_user_model.objects.create_user("noivu", password=PASSWORD)
    client.force_login(user)
    user.is_active = False
    user.save()

    response = client.get(reverse("criteria:plan-detail-current"))

    assert response.status_code == 302
    assert reverse("login") in response.headers["Location"]


def test_password_validators_need_twelve_characters():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("Ngắn-1234")
    validate_password("một-mật-khẩu-đủ-dài-2026")


def _boom(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_server_error_shows_a_plain_page_without_trace(client):
    client.raise_request_exception = False

    response = client.get("/boom/")

    assert response.status_code == 500
    assert "Lỗi hệ thống" in response.content.decode()
    assert "secret internal detail" not in response.content.decode()
    assert "Traceback" not in response.content.decode()


@pytest.mark.django_db
def test_security_log_records_refused_access_imports_and_permission_changes(
    client, django_user_model, caplog, tmp_path
):
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    caplog.set_level("INFO", logger="par.security")
    user = django_user_model.objects.create_user("canbo", password=PASSWORD)
    client.force_login(user)

    client.get(reverse("criteria:plan-detail", args=[999999]))
    user.groups.add(Group.objects.get(name="Lãnh đạo"))
    call_command("loaddata", "fixtures/seed_plan.json", verbosity=0)
    call_command(
        "import_appendix",
        "fixtures/appendix_252_KH-UBND.xlsx",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )

    lines = [r.getMessage() for r in caplog.records if r.name == "par.security"]
    assert any(line.startswith("refused user=canbo") and "status=404" in line for line in lines)
    assert any(
        line.startswith("permissions-changed user=canbo") and "change=add of=user_groups" in line
        for line in lines
    )
    assert any(
        line.startswith("import user=manage.py") and "plan=252/KH-UBND" in line for line in lines
    )


@pytest.mark.django_db
def test_passwords_are_stored_with_argon2id_and_old_hashes_upgraded_at_login(
    client, django_user_model, settings
):
    from django.contrib.auth.hashers import identify_hasher, make_password

    from par_portal import settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user = django_user_model.objects.create_user("noivu")
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save()

    response = client.post(reverse("login"), {"username": "noivu", "password": PASSWORD})

    user.refresh_from_db()
    assert response.status_code == 302
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password(PASSWORD)


# -- Behind nginx: the client's address is the one the trusted proxy added -----------------

CLIENT = "203.0.113.5"
OTHER_CLIENT = "198.51.100.7"


@pytest.fixture
def behind_one_proxy(settings) -> None:
    settings.PAR_TRUSTED_PROXY_COUNT = 1


def post_login(client, password: str, forwarded_for: str):
    return client.post(
        reverse("login"),
        {"username": "noivu", "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@pytest.mark.django_db
def test_lockout_behind_the_proxy_locks_only_the_forwarded_address(
    client, django_user_model, behind_one_proxy
):
    django_user_model.objects.create_user("noivu", password=PASSWORD)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "sai-mật-khẩu", CLIENT)

    locked = post_login(client, PASSWORD, CLIENT)
    other = post_login(client, PASSWORD, OTHER_CLIENT)

    assert locked.status_code == 429
    assert other.status_code == 302
    assert client.session["_auth_user_id"]


@pytest.mark.django_db
def test_spoofed_forwarded_hops_do_not_let_an_attacker_choose_his_address(
    client, django_user_model, behind_one_proxy
):
    django_user_model.objects.create_user("noivu", password=PASSWORD)
    # nginx appends the address it saw; whatever the attacker wrote stays on the left.
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "sai-mật-khẩu", f"10.0.0.{attempt}, {CLIENT}")

    response = post_login(client, PASSWORD, f"{OTHER_CLIENT}, {CLIENT}")

    assert response.status_code == 429
    assert post_login(client, PASSWORD, OTHER_CLIENT).status_code == 302


@pytest.mark.django_db
def test_security_log_carries_the_forwarded_client_address(
    client, django_user_model, behind_one_proxy, caplog
):
    django_user_model.objects.create_user("noivu", password=PASSWORD)
    caplog.set_level("INFO", logger="par.security")

    post_login(client, "sai-mật-khẩu", f"10.9.9.9, {CLIENT}")
    post_login(client, PASSWORD, OTHER_CLIENT)

    lines = [r.getMessage() for r in caplog.records if r.name == "par.security"]
    assert lines[0] == f"login-failed user=noivu ip={CLIENT} "
    assert lines[1] == f"login user=noivu ip={OTHER_CLIENT} "


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, CLIENT, "127.0.0.1"),  # no proxy trusted: the header is anyone's to write
        (1, CLIENT, CLIENT),
        (1, f" 10.0.0.1 ,{CLIENT} ", CLIENT),
        (1, "", "127.0.0.1"),  # a request that did not come through the proxy
        (1, "không-phải-địa-chỉ", "127.0.0.1"),
        (2, f"10.0.0.1, {CLIENT}, 192.168.1.1", CLIENT),
        (2, CLIENT, "127.0.0.1"),  # fewer hops than proxies: not written by them
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_is_the_hop_the_outermost_trusted_proxy_added(
    rf, settings, proxies, forwarded_for, expected
):
    from accounts.security import client_address

    settings.PAR_TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)

    assert client_address(request) == expected


def test_persistent_connections_are_checked_before_reuse():
    # A connection the database ended (restart, failover) would fail one request per worker.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    script = (
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=BASE_DIR,
        env=env | {"DJANGO_DEBUG": "true", "DATABASE_CONN_MAX_AGE": "60"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.stdout.split() == ["60", "True"], result.stderr


@pytest.fixture
def console_output() -> io.StringIO:
    """What the site's log handler (settings.LOGGING's console) writes, as the server would."""
    import logging

    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.mark.django_db
@pytest.mark.parametrize("newline", ["\n", "\r", "\r\n"])
def test_a_username_with_a_newline_forges_no_log_line(client, console_output, newline):
    forged = f"kẻ lạ{newline}login user=admin ip=10.0.0.1"

    client.post(reverse("login"), {"username": forged, "password": "x"})

    lines = console_output.getvalue().splitlines()
    # django-axes' own warning and the par.security line, each on one line.
    assert any(line.startswith("AXES: New login failure") for line in lines)
    assert any(line.startswith('login-failed user="kẻ lạ\\') for line in lines)
    assert all(line.startswith(("AXES:", "login-failed")) for line in lines), lines


@pytest.mark.django_db
def test_a_username_with_spaces_forges_no_field_of_the_line(client, console_output):
    client.post(reverse("login"), {"username": "admin ip=10.0.0.1 by=noivu", "password": "x"})

    line = next(
        line for line in console_output.getvalue().splitlines() if line.startswith("login-fail")
    )
    # What the visitor typed stays one quoted value: the line has one ip, the real one.
    assert line == 'login-failed user="admin ip=10.0.0.1 by=noivu" ip=127.0.0.1 '


@pytest.mark.django_db
def test_a_path_with_a_newline_forges_no_log_line(client, console_output):
    client.get("/no-such-page%0Alogin%20user=admin")

    lines = console_output.getvalue().splitlines()
    assert lines == ["Not Found: /no-such-page\\nlogin user=admin"]
