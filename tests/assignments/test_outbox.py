"""A mail server that fails never turns a saved action into an error, and never loses the
mail: it waits in the outbox, and send_outbox (or send_reminders) sends it once."""

import datetime
import socket
import threading
from io import StringIO

import pytest
from aiosmtpd.controller import Controller
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from assignments.mail import send_outbox
from assignments.models import Extension, OutgoingMail, YearlyReport
from tests.assignments.yearly_reports import review_url, sent_bare

AGENCY_MAIL = "canbo@sotuphap.tiengiang.gov.vn"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.fixture
def committed(django_db_serialized_rollback, transactional_db) -> None:
    """Real commits, so that on-commit mail runs as in production; the roles' groups, made
    by a migration, are restored after the flush."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_down(settings) -> None:
    """SMTP to a port of 127.0.0.1 where nothing listens: every connection is refused."""
    options = {"host": "127.0.0.1", "port": _free_port(), "timeout": 5, "use_tls": False}
    settings.MAILERS = {"default": {"BACKEND": SMTP, "OPTIONS": options}}


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), envelope.content.decode()))
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 (aiosmtpd); yields what it received."""
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    options = {"host": "127.0.0.1", "port": controller.port, "timeout": 5, "use_tls": False}
    settings.MAILERS = {"default": {"BACKEND": SMTP, "OPTIONS": options}}
    yield inbox.messages
    controller.stop()


@pytest.fixture
def mailed_agency(agency_user) -> None:
    agency_user.email = AGENCY_MAIL
    agency_user.save()


def _client(user) -> Client:
    client = Client(raise_request_exception=True)
    client.force_login(user)
    return client


PENDING = "Chưa gửi được thư báo cho Sở Tư pháp"


def _return(world, noivu_staff):
    report = sent_bare(world.cycle, world.agency)
    response = _client(noivu_staff).post(
        review_url(report),
        {
            "version": report.version,
            "action": "return",
            "comment-general": "Thiếu số liệu mức độ 3.",
        },
        follow=True,
    )
    return report, response


def test_returning_with_the_mail_server_down_saves_and_keeps_the_mail(
    committed, smtp_down, world, today, mailed_agency, noivu_staff
):
    report, response = _return(world, noivu_staff)

    assert response.status_code == 200
    assert "Đã trả lại 1 phần của báo cáo năm cho Sở Tư pháp." in response.text
    assert PENDING in response.text
    report.refresh_from_db()
    assert report.status == YearlyReport.Status.RETURNED
    mail = OutgoingMail.objects.get()
    assert (mail.to, mail.subject, mail.sent_at, mail.attempts) == (
        AGENCY_MAIL,
        "Báo cáo năm 2019 bị trả lại một số phần",
        None,
        1,
    )
    assert "Thiếu số liệu mức độ 3." in mail.body
    assert "ConnectionRefusedError" in mail.last_error


def test_accepting_with_the_mail_server_down_saves_and_keeps_the_mail(
    committed, smtp_down, world, today, mailed_agency, noivu_staff
):
    report = sent_bare(world.cycle, world.agency)

    response = _client(noivu_staff).post(
        review_url(report),
        {"note": "Đạt", "version": report.version, "action": "accept"},
        follow=True,
    )

    assert response.status_code == 200
    assert PENDING in response.text
    report.refresh_from_db()
    assert report.status == YearlyReport.Status.ACCEPTED
    mail = OutgoingMail.objects.pending().get()
    assert mail.subject == "Báo cáo năm 2019 đã được chấp nhận"
    assert "Đạt" in mail.body


def test_granting_an_extension_with_the_mail_server_down_saves_and_keeps_the_mail(
    committed, smtp_down, world, today, mailed_agency, noivu_staff
):
    url = reverse("assignments:extension-create", args=[2019, world.agency.pk])

    response = _client(noivu_staff).post(
        url, {"until": "2019-12-05", "reason": "Chờ số liệu"}, follow=True
    )

    assert response.status_code == 200
    assert PENDING in response.text
    assert Extension.objects.get().until == datetime.date(2019, 12, 5)
    assert OutgoingMail.objects.pending().get().subject == "Gia hạn báo cáo năm 2019"


def test_a_mail_sent_at_once_says_nothing_of_waiting(
    committed, smtp_server, world, today, mailed_agency, noivu_staff
):
    report, response = _return(world, noivu_staff)

    assert PENDING not in response.text
    assert [to for to, _content in smtp_server] == [[AGENCY_MAIL]]
    mail = OutgoingMail.objects.get()
    assert mail.sent_at is not None
    assert mail.attempts == 1


def test_send_outbox_sends_the_kept_mail_once_the_server_is_back(
    committed, smtp_down, world, today, mailed_agency, noivu_staff, settings
):
    _return(world, noivu_staff)
    with pytest.raises(CommandError, match="Còn 1 thư chưa gửi được"):
        call_command("send_outbox", stdout=StringIO())
    assert OutgoingMail.objects.pending().get().attempts == 2

    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        options = {"host": "127.0.0.1", "port": controller.port, "timeout": 5, "use_tls": False}
        settings.MAILERS = {"default": {"BACKEND": SMTP, "OPTIONS": options}}
        out = StringIO()
        call_command("send_outbox", stdout=out)
        call_command("send_outbox", stdout=StringIO())  # again: nothing is sent twice
    finally:
        controller.stop()

    assert "Đã gửi 1 thư chờ gửi" in out.getvalue()
    assert [to for to, _content in inbox.messages] == [[AGENCY_MAIL]]
    assert "Subject: =?utf-8?" in inbox.messages[0][1]
    assert not OutgoingMail.objects.pending().exists()


@pytest.mark.django_db
def test_send_reminders_sends_the_outbox_first(world, today, mailoutbox):
    OutgoingMail.objects.create(
        agency=world.agency, to=AGENCY_MAIL, subject="Gia hạn báo cáo năm 2019", body="…"
    )
    out = StringIO()

    call_command("send_reminders", "--days", "0", stdout=out)

    assert [mail.subject for mail in mailoutbox] == ["Gia hạn báo cáo năm 2019"]
    assert "Đã gửi 1 thư chờ gửi" in out.getvalue()
    assert not OutgoingMail.objects.pending().exists()


@pytest.mark.django_db
def test_send_reminders_fails_loudly_while_the_outbox_cannot_be_sent(world, today, smtp_down):
    OutgoingMail.objects.create(agency=world.agency, to=AGENCY_MAIL, subject="Thư", body="…")

    with pytest.raises(CommandError, match="Còn 1 thư chưa gửi được"):
        call_command("send_reminders", "--days", "0", stdout=StringIO())

    assert OutgoingMail.objects.pending().get().attempts == 1


@pytest.mark.django_db
def test_a_mail_is_sent_once_however_often_the_outbox_is_sent(world, mailoutbox):
    OutgoingMail.objects.create(agency=world.agency, to=AGENCY_MAIL, subject="Thư", body="…")

    first, second = send_outbox(), send_outbox()

    assert (first.sent, second.sent) == (1, 0)
    assert len(mailoutbox) == 1
