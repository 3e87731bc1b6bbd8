"""The tracker's button that reminds one agency now while its yearly report is not sent: the
mail of send_reminders, once a day, for Sở Nội vụ only, with a message that says what was
sent or why nothing was."""

import datetime
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse

from assignments import yearly
from assignments.models import Agency, Reminder, Role, YearlyReport
from tests.assignments.reporting import ready_yearly_report
from tests.assignments.test_reminders import OWNER_MAIL, owner_only
from tests.conftest import _user_with_role

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
    yearly.open_yearly_report(cycle=world.cycle, agency=world.agency)
    # 24 days left: further than send_reminders' seven days, but Sở Nội vụ asks now.

    response = noivu_client.post(_url(world.agency), {"next": f"{TRACKER}?sort=name"})

    assert response.status_code == 302
    assert response.url == f"{TRACKER}?sort=name"
    (mail,) = mailoutbox
    assert mail.to == [AGENCY_MAIL]
    assert mail.subject == "Sắp đến hạn báo cáo năm 2019: báo cáo của đơn vị chưa gửi"
    assert "Còn 24 ngày." in mail.body
    assert "Báo cáo năm của đơn vị: đang soạn; đã điền 0/2 phần bắt buộc." in mail.body
    assert "- Nhiệm vụ 1.1 (chủ trì): cần ghi kết quả thực hiện." in mail.body
    assert "- Tiêu chí 1.1.1: cần đề xuất điểm tự đánh giá." in mail.body
    assert "1.2" not in mail.body  # coordinated only: nothing required
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

    assert mailoutbox[0].subject == "Sắp đến hạn báo cáo năm 2019: báo cáo của đơn vị chưa gửi"
    assert "Báo cáo năm của đơn vị: chưa bắt đầu;" in mailoutbox[0].body


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


def test_an_agency_whose_yearly_report_is_sent_is_not_mailed(
    world, today, address, agency_user, noivu_client, mailoutbox
):
    report = ready_yearly_report(world, agency_user)
    yearly.send_yearly_report(report=report, by=agency_user, version=report.version)

    response = noivu_client.post(_url(world.agency))

    assert mailoutbox == []
    assert not Reminder.objects.exists()
    assert _messages(response) == [
        "Không gửi thư nhắc: Sở Tư pháp đã gửi báo cáo năm hoặc không có gì phải báo cáo."
    ]


def test_an_agency_that_only_owns_sub_criteria_is_reminded(
    world, today, staff_password, noivu_client, mailoutbox
):
    owner = owner_only(world, staff_password)
    # It is on the tracker, with the button.
    assert f'action="{_url(owner)}"' in noivu_client.get(TRACKER).text

    response = noivu_client.post(_url(owner))

    (mail,) = mailoutbox
    assert mail.to == [OWNER_MAIL]
    assert "- điểm tự đánh giá đề xuất của 1 tiêu chí thành phần đơn vị được giao" in mail.body
    assert _messages(response) == [
        f"Đã gửi thư nhắc hạn báo cáo cho Ban Quản lý các khu công nghiệp đến: {OWNER_MAIL}."
    ]


def test_a_returned_report_is_reminded_with_its_comments(
    world, today, address, agency_user, noivu_staff, noivu_client, mailoutbox
):
    report = ready_yearly_report(world, agency_user)
    report = yearly.send_yearly_report(report=report, by=agency_user, version=report.version)
    proposal = report.score_proposals.get()
    yearly.return_yearly_report(
        report=report,
        by=noivu_staff,
        version=report.version,
        comments={f"proposal-{proposal.pk}": "Đính kèm kế hoạch số 252/KH-UBND."},
    )

    noivu_client.post(_url(world.agency))

    (mail,) = [mail for mail in mailoutbox if "hạn báo cáo" in mail.subject]
    assert mail.subject == "Sắp đến hạn báo cáo năm 2019: báo cáo bị trả lại chưa gửi lại"
    assert "bị trả lại 1 phần cần sửa" in mail.body
    assert "- Tiêu chí 1.1.1: Đính kèm kế hoạch số 252/KH-UBND." in mail.body


def _department(number: int, staff_password: str, world) -> Agency:
    agency = Agency.objects.create(
        name=f"Sở số {number}", short_name=f"S{number}", kind=Agency.Kind.DEPARTMENT
    )
    world.tasks["1.1"].lead_agencies.add(agency)
    user = _user_with_role(f"canbo.s{number}", staff_password, Role.AGENCY_USER, agency)
    user.email = f"canbo@s{number}.tiengiang.gov.vn"
    user.save()
    return agency


def test_the_buttons_queries_do_not_grow_with_the_agencies(
    world,
    today,
    address,
    agency_user,
    noivu_staff,
    noivu_client,
    staff_password,
    django_assert_num_queries,
):
    """The agency's report is returned, so every part of the mail is read."""
    report = ready_yearly_report(world, agency_user)
    report = yearly.send_yearly_report(report=report, by=agency_user, version=report.version)
    yearly.return_yearly_report(
        report=report, by=noivu_staff, version=report.version, comments={"general": "Bổ sung"}
    )
    noivu_client.get(TRACKER)  # the session is read once before

    def remind(expected: int) -> None:
        Reminder.objects.all().delete()
        with django_assert_num_queries(expected):
            response = noivu_client.post(_url(world.agency))
        assert "Đã gửi thư nhắc" in _messages(response)[0]

    remind(QUERIES)
    # Six more departments of the same kind, some with a report opened or returned.
    for number in range(6):
        other = _department(number, staff_password, world)
        if number % 2:
            yearly.open_yearly_report(cycle=world.cycle, agency=other)
    remind(QUERIES)
    assert YearlyReport.objects.count() == 4


# Session, user, role; the agency and the cycle; the tracker's rows (12); the report's
# missing items (2) and returned sections (2); the addresses; the claim (savepoint, insert,
# release); the claim read back for the message.
QUERIES = 26


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
