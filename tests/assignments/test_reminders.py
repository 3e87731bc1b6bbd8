"""send_reminders: each agency is told what it still has to send, Sở Nội vụ gets a summary,
and a second run on the same day sends nothing again."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assignments.models import Extension, Reminder, Report
from tests.assignments.reporting import make_report

pytestmark = pytest.mark.django_db

AGENCY_MAIL = "canbo@sotuphap.tiengiang.gov.vn"
OTHER_MAIL = "canbo@caibe.tiengiang.gov.vn"
NOIVU_MAIL = "theodoi@snv.tiengiang.gov.vn"


@pytest.fixture
def addresses(agency_user, other_agency_user, noivu_staff, leader) -> None:
    for user, email in (
        (agency_user, AGENCY_MAIL),
        (other_agency_user, OTHER_MAIL),
        (noivu_staff, NOIVU_MAIL),
        (leader, "lanhdao@ubnd.tiengiang.gov.vn"),
    ):
        user.email = email
        user.save()


def _send(days: int | None = None) -> str:
    out = StringIO()
    args = [] if days is None else ["--days", str(days)]
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def _by_address(outbox) -> dict[str, list]:
    mails: dict[str, list] = {}
    for mail in outbox:
        for address in mail.to:
            mails.setdefault(address, []).append(mail)
    return mails


def test_agencies_with_work_due_within_the_days_are_reminded(world, today, addresses, mailoutbox):
    today(datetime.date(2019, 11, 20))  # five days left
    make_report(world, "1.1", status=Report.Status.SUBMITTED)

    output = _send(days=7)

    mails = _by_address(mailoutbox)
    assert sorted(mails) == [OTHER_MAIL, AGENCY_MAIL, NOIVU_MAIL]
    (agency_mail,) = mails[AGENCY_MAIL]
    assert agency_mail.subject == "Sắp đến hạn báo cáo năm 2019: còn 2 nhiệm vụ chưa gửi"
    assert "Còn 5 ngày." in agency_mail.body
    assert "- 1.2. Kiểm tra công tác CCHC tại các đơn vị" in agency_mail.body
    assert "- 2.2. Lấy ý kiến dự thảo văn bản" in agency_mail.body
    assert "1.1." not in agency_mail.body  # already sent
    (summary,) = mails[NOIVU_MAIL]
    assert summary.subject == "Tổng hợp tình hình báo cáo năm 2019"
    assert "- Sở Tư pháp: 2 nhiệm vụ chưa gửi, hạn 25/11/2019" in summary.body
    assert "- UBND huyện Cái Bè: 3 nhiệm vụ chưa gửi" in summary.body
    assert "Sở Tài chính" in summary.body  # no one there has an address
    assert "Đã nhắc 2 đơn vị" in output
    assert Reminder.objects.filter(sent_on=datetime.date(2019, 11, 20)).count() == 3


def test_nobody_is_reminded_while_the_deadline_is_further_than_the_days(
    world, today, addresses, mailoutbox
):
    today(datetime.date(2019, 11, 1))  # 24 days left

    _send(days=7)

    assert mailoutbox == []
    assert not Reminder.objects.exists()


def test_default_is_seven_days(world, today, addresses, mailoutbox):
    today(datetime.date(2019, 11, 17))  # eight days left
    _send()
    assert mailoutbox == []

    today(datetime.date(2019, 11, 18))  # seven days left
    _send()
    assert AGENCY_MAIL in _by_address(mailoutbox)


def test_overdue_agencies_are_reminded_and_agencies_with_an_extension_wait(
    world, today, addresses, mailoutbox
):
    Extension.objects.create(
        cycle=world.cycle, agency=world.other, until=datetime.date(2019, 12, 31)
    )
    today(datetime.date(2019, 11, 28))

    _send(days=3)

    mails = _by_address(mailoutbox)
    assert OTHER_MAIL not in mails
    (agency_mail,) = mails[AGENCY_MAIL]
    assert agency_mail.subject == "Quá hạn báo cáo năm 2019: còn 3 nhiệm vụ chưa gửi"
    assert "Đơn vị đã quá hạn 3 ngày." in agency_mail.body


def test_agency_with_everything_sent_is_not_reminded(world, today, addresses, mailoutbox):
    today(datetime.date(2019, 11, 24))
    for key in ("1.1", "1.2", "2.2"):
        make_report(world, key, status=Report.Status.SUBMITTED)

    _send(days=7)

    assert AGENCY_MAIL not in _by_address(mailoutbox)
    assert OTHER_MAIL in _by_address(mailoutbox)


def test_running_twice_on_one_day_sends_once(world, today, addresses, mailoutbox):
    today(datetime.date(2019, 11, 20))
    _send(days=7)
    first = len(mailoutbox)

    output = _send(days=7)

    assert first == 3
    assert len(mailoutbox) == first
    assert "Đã nhắc 0 đơn vị, bỏ qua 2 đơn vị đã nhắc hôm nay" in output


def test_the_next_day_reminds_again(world, today, addresses, mailoutbox):
    today(datetime.date(2019, 11, 20))
    _send(days=7)

    today(datetime.date(2019, 11, 21))
    _send(days=7)

    assert len(_by_address(mailoutbox)[AGENCY_MAIL]) == 2
    assert len(_by_address(mailoutbox)[NOIVU_MAIL]) == 2


def test_a_failed_mail_is_retried_by_the_next_run(world, today, addresses, mailoutbox, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    today(datetime.date(2019, 11, 20))
    original = EmailBackend.send_messages

    def refuse(self, messages):
        raise OSError("máy chủ thư không trả lời")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    with pytest.raises(CommandError, match="Không gửi được thư cho"):
        _send(days=7)
    assert not Reminder.objects.exists()

    monkeypatch.setattr(EmailBackend, "send_messages", original)
    _send(days=7)

    assert len(mailoutbox) == 3


def test_only_the_current_years_cycles_are_reminded(world, today, addresses, mailoutbox):
    today(datetime.date(2020, 11, 20))  # the 2019 cycle is long overdue, but closed

    _send(days=7)

    assert mailoutbox == []


def test_negative_days_are_refused(world):
    with pytest.raises(CommandError, match="không âm"):
        _send(days=-1)
