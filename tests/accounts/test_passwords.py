"""Changing and recovering a password inside the portal; the reset mail is rate-limited."""

import re
import socket

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "mật-khẩu-mới-rất-dài-2027"


@pytest.fixture
def with_email(noivu_staff):
    noivu_staff.email = "lan.noivu@tiengiang.gov.vn"
    noivu_staff.first_name = "Lan"
    noivu_staff.last_name = "Nguyễn Thị"
    noivu_staff.save()
    return noivu_staff


def request_reset(client, email: str, address: str = "127.0.0.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def reset_link(message) -> str:
    return re.search(r"https?://testserver(/\S+)", message.body).group(1)


# -- Links ---------------------------------------------------------------------------------


def test_login_page_links_to_the_portal_reset_page(client):
    content = client.get(reverse("login")).content.decode()

    assert f'href="{reverse("password_reset")}"' in content
    assert "Quên mật khẩu?" in content


def test_security_page_links_to_the_portal_change_page(client, noivu_staff):
    client.force_login(noivu_staff)

    content = client.get(reverse("twofactor:device-detail")).content.decode()

    assert f'href="{reverse("password_change")}"' in content


@pytest.mark.parametrize(
    "url_name", ["password_reset", "password_reset_done", "password_reset_complete"]
)
def test_reset_pages_are_the_portal_pages_not_the_admin_ones(client, url_name):
    response = client.get(reverse(url_name))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Cổng theo dõi Chỉ số CCHC" in content
    assert "Django" not in content
    assert 'id="site-name"' not in content  # the admin's header


# -- Changing ------------------------------------------------------------------------------


def test_user_changes_the_password_on_the_portal_page(client, noivu_staff, staff_password):
    client.force_login(noivu_staff)
    page = client.get(reverse("password_change"))
    assert "Đổi mật khẩu" in page.content.decode()
    assert "Django" not in page.content.decode()

    response = client.post(
        reverse("password_change"),
        {
            "old_password": staff_password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    noivu_staff.refresh_from_db()
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("password_change_done")
    assert noivu_staff.check_password(NEW_PASSWORD)
    assert "Đã đổi mật khẩu" in client.get(reverse("password_change_done")).content.decode()


def test_a_wrong_old_password_changes_nothing(client, noivu_staff, staff_password):
    client.force_login(noivu_staff)

    response = client.post(
        reverse("password_change"),
        {"old_password": "sai", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    noivu_staff.refresh_from_db()
    assert response.status_code == 200
    assert noivu_staff.check_password(staff_password)


def test_anonymous_is_sent_to_login_from_the_change_page(client):
    response = client.get(reverse("password_change"))

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("login"))


# -- Recovering ----------------------------------------------------------------------------


def test_reset_mail_leads_to_a_new_password(client, with_email, staff_password):
    response = request_reset(client, "LAN.noivu@tiengiang.gov.vn")

    assert response.status_code == 302
    assert response.headers["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lan.noivu@tiengiang.gov.vn"]
    assert message.subject == "Đặt lại mật khẩu trên Cổng theo dõi Chỉ số CCHC"
    assert "Kính gửi Lan Nguyễn Thị," in message.body
    assert "Tên đăng nhập của bạn: noivu" in message.body

    form_url = client.get(reset_link(message)).headers["Location"]
    assert "Đặt mật khẩu mới" in client.get(form_url).content.decode()
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    with_email.refresh_from_db()
    assert done.headers["Location"] == reverse("password_reset_complete")
    assert with_email.check_password(NEW_PASSWORD)
    assert not with_email.check_password(staff_password)
    # The link is good for one reset only.
    assert "không hợp lệ" in client.get(reset_link(message), follow=True).content.decode()


def test_reset_mail_in_english_for_an_english_visitor(client, with_email):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    request_reset(client, with_email.email)

    assert mail.outbox[0].subject == "Reset your password on the PAR Index Portal"
    assert "Dear Lan Nguyễn Thị," in mail.outbox[0].body


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, with_email):
    known = request_reset(client, with_email.email)
    unknown = request_reset(client, "khong-co@tiengiang.gov.vn")

    assert unknown.status_code == known.status_code == 302
    assert unknown.headers["Location"] == known.headers["Location"]
    assert len(mail.outbox) == 1


def test_reset_mail_is_limited_per_address(client, with_email, caplog):
    caplog.set_level("INFO", logger="par.security")
    for number in range(settings.PAR_PASSWORD_RESET_PER_ADDRESS):
        request_reset(client, with_email.email, address=f"203.0.113.{number}")
    assert len(mail.outbox) == settings.PAR_PASSWORD_RESET_PER_ADDRESS

    response = request_reset(client, with_email.email.upper(), address="203.0.113.99")

    assert response.status_code == 429
    assert "Đã có quá nhiều yêu cầu đặt lại mật khẩu" in response.content.decode()
    assert len(mail.outbox) == settings.PAR_PASSWORD_RESET_PER_ADDRESS
    assert any(
        r.getMessage().startswith("password-reset-limited user=- ip=203.0.113.99")
        for r in caplog.records
    )


def test_reset_mail_is_limited_per_client_address(client, with_email, settings):
    settings.PAR_PASSWORD_RESET_PER_CLIENT = 2
    request_reset(client, "a@tiengiang.gov.vn")
    request_reset(client, "b@tiengiang.gov.vn")

    refused = request_reset(client, with_email.email)
    other_client = request_reset(client, with_email.email, address="198.51.100.7")

    assert refused.status_code == 429
    assert other_client.status_code == 302
    assert len(mail.outbox) == 1


def test_the_limit_answers_alike_for_known_and_unknown_addresses(client, with_email):
    for _attempt in range(settings.PAR_PASSWORD_RESET_PER_ADDRESS):
        request_reset(client, with_email.email, address="203.0.113.1")
        request_reset(client, "khong-co@tiengiang.gov.vn", address="203.0.113.2")

    known = request_reset(client, with_email.email, address="203.0.113.1")
    unknown = request_reset(client, "khong-co@tiengiang.gov.vn", address="203.0.113.2")

    def page(response, email: str) -> str:
        content = response.content.decode().replace(email, "EMAIL")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content)

    assert known.status_code == unknown.status_code == 429
    assert page(known, with_email.email) == page(unknown, "khong-co@tiengiang.gov.vn")


def test_the_limit_ends_with_its_window(client, with_email, settings):
    from django.core.cache import cache

    for _attempt in range(settings.PAR_PASSWORD_RESET_PER_ADDRESS + 1):
        request_reset(client, with_email.email)
    assert request_reset(client, with_email.email).status_code == 429

    cache.clear()  # as when the window's keys expire

    assert request_reset(client, with_email.email).status_code == 302


# -- A mail server that fails --------------------------------------------------------------


@pytest.fixture
def smtp_down(settings) -> None:
    """SMTP to a port of 127.0.0.1 where nothing listens: every connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = {"host": "127.0.0.1", "port": port, "timeout": 5, "use_tls": False}
    settings.MAILERS = {
        "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}
    }


def test_reset_mail_the_server_refuses_is_reported_not_claimed_sent(
    client, with_email, smtp_down, caplog
):
    caplog.set_level("INFO", logger="par.security")

    response = request_reset(client, with_email.email, address="203.0.113.5")

    assert response.status_code == 503
    content = response.content.decode()
    assert "Chưa gửi được thư đặt lại mật khẩu" in content
    assert 'name="email"' in content  # the form again, to try later
    assert any(
        r.getMessage().startswith("password-reset-mail-failed user=- ip=203.0.113.5")
        for r in caplog.records
    )


def test_reset_mail_failure_is_in_english_for_an_english_reader(client, with_email, smtp_down):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = request_reset(client, with_email.email)

    assert response.status_code == 503
    assert "The password reset mail could not be sent" in response.content.decode()
