"""The tracker's button that reminds one agency now: the mail of send_reminders, once a day,
for Sở Nội vụ only, with a message that says what was sent or why nothing was."""

import datetime
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse

from assignments.models import Reminder, Report
from tests.assignments.reporting import make_report

pytestmark = pytest.mark.django_db

AGENCY_MAIL = "canbo@sotuphap.tiengiang.gov.vn"
TRACKER = reverse("assignments:cycle-detail", args=[2019])


def _url(agency) -> str:
    return reverse("assignments:reminder-create", args=[2019, agency.pk])


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def address(agency_user) -> None:
    agency_user.email = AGENCY_MAIL
    agency_user.save()


def test_noivu_reminds_one_agency_now_with_the_daily_reminders_mail(
    world, today, address, noivu_client, mailoutbox
):
    make_report(world, "1.1", status=Report.Status.SUBMITTED)
    # 24 days left: further than send_reminders' seven days, but Sở Nội vụ asks now.

    response = noivu_client.post(_url(world.agency), {"next": f"{TRACKER}?sort=name"})

    assert response.status_code == 302
    assert response.url == f"{TRACKER}?sort=name"
    (mail,) = mailoutbox
    assert mail.to == [AGENCY_MAIL]
    assert mail.subject == "Sắp đến hạn báo cáo năm 2019: còn 2 nhiệm vụ chưa gửi"
    assert "- 1.2. Kiểm tra công tác CCHC tại các đơn vị" in mail.body
    assert "1.1." not in mail.body  # already sent
    reminder = Reminder.objects.get()
    assert (reminder.agency, reminder.sent_on) == (world.agency, datetime.date(2019, 11, 1))
    assert _messages(response) == [
        f"Đã gửi thư nhắc hạn báo cáo cho Sở Tư pháp đến: {AGENCY_MAIL}."
    ]


def test_the_mail_is_in_vietnamese_whatever_the_page_language(
    world, today, address, noivu_client, mailoutbox
):
    noivu_client.cookies["django_language"] = "en"

    noivu_client.post(_url(world.agency))

    assert mailoutbox[0].subject == "Sắp đến hạn báo cáo năm 2019: còn 3 nhiệm vụ chưa gửi"


def test_a_second_reminder_on_the_same_day_sends_nothing(
    world, today, address, noivu_client, mailoutbox
):
    noivu_client.post(_url(world.agency))

    response = noivu_client.post(_url(world.agency))

    assert len(mailoutbox) == 1
    assert Reminder.objects.count() == 1
    # The first message, not shown yet, comes first.
    assert _messages(response)[-1] == (
        "Hôm nay Sở Tư pháp đã được nhắc rồi; mỗi ngày chỉ gửi một thư nhắc."
    )
    assert response.url == reverse("assignments:agency-detail", args=[2019, world.agency.pk])


def test_an_agency_reminded_by_the_daily_run_is_not_mailed_again(
    world, today, address, noivu_client, mailoutbox
):
    today(datetime.date(2019, 11, 20))
    call_command("send_reminders", "--days", "7", stdout=StringIO())
    sent = len(mailoutbox)

    response = noivu_client.post(_url(world.agency))

    assert len(mailoutbox) == sent
    assert "đã được nhắc rồi" in _messages(response)[0]


def test_an_agency_with_nothing_left_to_send_is_not_mailed(
    world, today, address, noivu_client, mailoutbox
):
    for task in ("1.1", "1.2", "2.2"):
        make_report(world, task, status=Report.Status.ACCEPTED)

    response = noivu_client.post(_url(world.agency))

    assert mailoutbox == []
    assert not Reminder.objects.exists()
    assert _messages(response) == [
        "Không gửi thư nhắc: Sở Tư pháp không còn nhiệm vụ nào chưa gửi."
    ]


def test_an_agency_without_address_is_named(world, today, noivu_client, mailoutbox):
    response = noivu_client.post(_url(world.third))

    assert mailoutbox == []
    assert _messages(response) == [
        "Chưa gửi thư nhắc: Sở Tài chính chưa có cán bộ nào có địa chỉ thư."
    ]


def test_a_refused_mail_gives_its_claim_back(
    world, today, address, noivu_client, mailoutbox, monkeypatch
):
    from django.core.mail.backends.locmem import EmailBackend

    def refuse(self, messages):
        raise OSError("máy chủ thư không trả lời")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)

    response = noivu_client.post(_url(world.agency))

    assert not Reminder.objects.exists()
    assert "máy chủ thư không trả lời" in _messages(response)[0]


def test_a_next_address_elsewhere_is_not_followed(world, today, address, noivu_client):
    response = noivu_client.post(_url(world.agency), {"next": "https://example.com/"})

    assert response.url == reverse("assignments:agency-detail", args=[2019, world.agency.pk])


def test_the_tracker_and_the_agency_page_carry_the_button_for_noivu_only(
    world, today, noivu_client, leader_client
):
    agency_page = reverse("assignments:agency-detail", args=[2019, world.agency.pk])

    tracker = noivu_client.get(TRACKER).text
    # The row's button posts, to its own address, the one form with the CSRF token and `next`.
    assert f'form="reminder-form" formaction="{_url(world.agency)}"' in tracker
    form = tracker[tracker.index('<form method="post" id="reminder-form" hidden>') :]
    form = form.split("</form>", 1)[0]
    assert 'name="csrfmiddlewaretoken"' in form and 'name="next" value="/work/cycles/2019/"' in form
    assert f'action="{_url(world.agency)}"' in noivu_client.get(agency_page).text
    assert "reminder/" not in leader_client.get(TRACKER).text
    assert "reminder/" not in leader_client.get(agency_page).text


@pytest.mark.parametrize("client_name", ["agency_client", "leader_client"])
def test_agencies_and_leaders_cannot_remind(
    world, today, address, request, client_name, mailoutbox
):
    response = request.getfixturevalue(client_name).post(_url(world.agency))

    assert response.status_code == 403
    assert mailoutbox == []


def test_reminding_is_post_only(world, today, noivu_client):
    assert noivu_client.get(_url(world.agency)).status_code == 405
