"""send_reminders: each agency whose yearly report is not sent is told its report's state,
the deadline and what is still missing; Sở Nội vụ gets a summary; a second run on the
same day sends nothing again.

Who has what to report (tests/assignments/reporting.py): Sở Tư pháp leads task 1.1 and
owns sub-criterion 1.1.1 (2 required sections); UBND huyện Cái Bè leads three tasks and
owns two sub-criteria (5); Sở Tài chính only coordinates a task (0) and has no address.
"""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assignments import services, yearly
from assignments.models import (
    Agency,
    Extension,
    Reminder,
    Report,
    Responsibility,
    Role,
    YearlyReport,
)
from tests.assignments.reporting import World, ready_yearly_report
from tests.conftest import _user_with_role

pytestmark = pytest.mark.django_db

AGENCY_MAIL = "canbo@sotuphap.tiengiang.gov.vn"
OTHER_MAIL = "canbo@caibe.tiengiang.gov.vn"
NOIVU_MAIL = "theodoi@snv.tiengiang.gov.vn"
OWNER_MAIL = "canbo@bqlkcn.tiengiang.gov.vn"


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


def owner_only(world: World, staff_password: str) -> Agency:
    """An agency with no task at all, which owns sub-criterion 1.2, and a user to mail."""
    owner = Agency.objects.create(
        name="Ban Quản lý các khu công nghiệp", short_name="BQL KCN", kind=Agency.Kind.OTHER
    )
    Responsibility.objects.get(plan=world.plan, criterion=world.criteria["1.2"]).leads.add(owner)
    user = _user_with_role("canbo.bqlkcn", staff_password, Role.AGENCY_USER, owner)
    user.email = OWNER_MAIL
    user.save()
    return owner


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


def test_agencies_whose_yearly_report_is_not_sent_are_reminded_within_the_days(
    world, today, addresses, agency_user, mailoutbox
):
    # Sở Tư pháp has opened its report and written the result of the task it leads.
    report = yearly.open_yearly_report(cycle=world.cycle, agency=world.agency)
    task_report = report.task_reports.get(task=world.tasks["1.1"])
    services.save_report(
        report=task_report,
        by=agency_user,
        progress=Report.Progress.DONE,
        narrative="Đã ban hành kế hoạch.",
        values={},
        version=task_report.version,
    )
    today(datetime.date(2019, 11, 20))  # five days left

    output = _send(days=7)

    mails = _by_address(mailoutbox)
    assert sorted(mails) == [OTHER_MAIL, AGENCY_MAIL, NOIVU_MAIL]
    (agency_mail,) = mails[AGENCY_MAIL]
    assert agency_mail.subject == "Sắp đến hạn báo cáo năm 2019: báo cáo của đơn vị chưa gửi"
    body = agency_mail.body
    assert "Kính gửi Sở Tư pháp," in body
    assert "là hết ngày 25/11/2019." in body
    assert "Còn 5 ngày." in body
    assert "Báo cáo năm của đơn vị: đang soạn; đã điền 1/2 phần bắt buộc." in body
    missing = body.split("Còn thiếu trước khi gửi được báo cáo:\n")[1].split("\n\n")[0]
    assert missing.splitlines() == [
        "- Tiêu chí 1.1.1: cần đề xuất điểm tự đánh giá.",
        "- Tiêu chí 1.1.1: chưa có tài liệu kiểm chứng hoặc tài liệu chưa đầy đủ, cần giải trình.",
    ]
    assert "Nhiệm vụ 1.1" not in body  # its result is written
    assert "trang “Báo cáo năm 2019” (mục “Việc của tôi”, đường dẫn /work/yearly/2019/)" in body

    # Cái Bè has not opened its report: it is told what the report is made of.
    (other_mail,) = mails[OTHER_MAIL]
    assert "Báo cáo năm của đơn vị: chưa bắt đầu; đã điền 0/5 phần bắt buộc." in other_mail.body
    assert "Đơn vị chưa mở báo cáo năm. Báo cáo cần có:" in other_mail.body
    assert "- kết quả thực hiện 3 nhiệm vụ đơn vị chủ trì;" in other_mail.body
    assert "- điểm tự đánh giá đề xuất của 2 tiêu chí thành phần đơn vị được giao" in (
        other_mail.body
    )

    (summary,) = mails[NOIVU_MAIL]
    assert summary.subject == "Tổng hợp tình hình báo cáo năm 2019"
    lines = summary.body.splitlines()
    assert "- Sở Tư pháp: đang soạn, đã điền 1/2 phần bắt buộc, hạn 25/11/2019" in lines
    assert "- UBND huyện Cái Bè: chưa bắt đầu, đã điền 0/5 phần bắt buộc, hạn 25/11/2019" in lines
    # Sở Tài chính only coordinates: due, but no one there has an address.
    assert "- Sở Tài chính: chưa bắt đầu, đã điền 0/0 phần bắt buộc, hạn 25/11/2019" in lines
    without = summary.body.split("không nhận được thư nhắc:\n")[1]
    assert without.splitlines()[0] == "- Sở Tài chính"
    assert "Đã nhắc 2 đơn vị" in output
    assert "1 đơn vị chưa có địa chỉ thư" in output
    assert Reminder.objects.filter(sent_on=datetime.date(2019, 11, 20)).count() == 3


def test_an_agency_that_only_owns_sub_criteria_is_reminded(
    world, today, addresses, staff_password, mailoutbox
):
    owner = owner_only(world, staff_password)
    today(datetime.date(2019, 11, 22))

    _send(days=7)

    mails = _by_address(mailoutbox)
    (mail,) = mails[OWNER_MAIL]
    assert mail.subject == "Sắp đến hạn báo cáo năm 2019: báo cáo của đơn vị chưa gửi"
    assert "Kính gửi Ban Quản lý các khu công nghiệp," in mail.body
    assert "Báo cáo năm của đơn vị: chưa bắt đầu; đã điền 0/1 phần bắt buộc." in mail.body
    assert "- điểm tự đánh giá đề xuất của 1 tiêu chí thành phần đơn vị được giao" in mail.body
    assert "nhiệm vụ đơn vị chủ trì" not in mail.body  # it leads none
    assert Reminder.objects.filter(agency=owner).exists()
    (summary,) = mails[NOIVU_MAIL]
    assert (
        "- Ban Quản lý các khu công nghiệp: chưa bắt đầu, đã điền 0/1 phần bắt buộc, "
        "hạn 25/11/2019" in summary.body.splitlines()
    )


def test_a_returned_report_is_reminded_with_the_sections_to_correct(
    world, today, addresses, agency_user, noivu_staff, mailoutbox
):
    report = ready_yearly_report(world, agency_user)
    report = yearly.send_yearly_report(report=report, by=agency_user, version=report.version)
    task_report = report.task_reports.get(task=world.tasks["1.1"])
    yearly.return_yearly_report(
        report=report,
        by=noivu_staff,
        version=report.version,
        comments={
            f"task-{task_report.pk}": "Bổ sung số văn bản đã ban hành.",
            "general": "Nêu rõ kiến nghị với UBND tỉnh.",
        },
    )
    today(datetime.date(2019, 11, 27))  # two days overdue

    _send(days=7)

    reminders = [
        mail for mail in _by_address(mailoutbox)[AGENCY_MAIL] if "hạn báo cáo" in mail.subject
    ]
    (mail,) = reminders
    assert mail.subject == "Quá hạn báo cáo năm 2019: báo cáo bị trả lại chưa gửi lại"
    assert (
        "Đơn vị đã quá hạn 2 ngày. Đơn vị cần đề nghị Sở Nội vụ gia hạn mới gửi được báo cáo."
        in mail.body
    )
    assert "Báo cáo năm của đơn vị: bị trả lại 2 phần cần sửa; đã điền 2/2 phần bắt buộc." in (
        mail.body
    )
    returned = mail.body.split("Các phần Sở Nội vụ trả lại để sửa:\n")[1].split("\n\n")[0]
    assert returned.splitlines() == [
        "- Nhiệm vụ 1.1: Bổ sung số văn bản đã ban hành.",
        "- Khó khăn, vướng mắc và kiến nghị: Nêu rõ kiến nghị với UBND tỉnh.",
    ]
    assert "Báo cáo đã đủ các phần bắt buộc; đơn vị kiểm tra lại và gửi." in mail.body
    summary = _by_address(mailoutbox)[NOIVU_MAIL][0]
    assert (
        "- Sở Tư pháp: bị trả lại 2 phần cần sửa, đã điền 2/2 phần bắt buộc, quá hạn 2 ngày"
        in summary.body.splitlines()
    )


@pytest.mark.parametrize("accept", [False, True])
def test_a_sent_report_is_not_reminded(
    world, today, addresses, agency_user, noivu_staff, mailoutbox, accept
):
    report = ready_yearly_report(world, agency_user)
    report = yearly.send_yearly_report(report=report, by=agency_user, version=report.version)
    if accept:
        yearly.accept_yearly_report(report=report, by=noivu_staff, version=report.version)
    today(datetime.date(2019, 11, 24))

    _send(days=7)

    mails = _by_address(mailoutbox)
    assert not [mail for mail in mails.get(AGENCY_MAIL, []) if "hạn báo cáo" in mail.subject]
    assert OTHER_MAIL in mails
    assert "Sở Tư pháp" not in mails[NOIVU_MAIL][0].body
    assert not Reminder.objects.filter(agency=world.agency).exists()


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


def test_overdue_agencies_are_reminded_and_extensions_are_honoured(
    world, today, addresses, mailoutbox
):
    Extension.objects.create(
        cycle=world.cycle, agency=world.other, until=datetime.date(2019, 12, 31)
    )
    today(datetime.date(2019, 11, 28))

    _send(days=3)

    mails = _by_address(mailoutbox)
    assert OTHER_MAIL not in mails  # its extension runs to 31/12
    (agency_mail,) = mails[AGENCY_MAIL]
    assert agency_mail.subject == "Quá hạn báo cáo năm 2019: báo cáo của đơn vị chưa gửi"
    assert "Đơn vị đã quá hạn 3 ngày." in agency_mail.body
    assert "UBND huyện Cái Bè" not in mails[NOIVU_MAIL][0].body

    today(datetime.date(2019, 12, 29))  # two days before the extension's end
    _send(days=3)

    (other_mail,) = _by_address(mailoutbox)[OTHER_MAIL]
    assert other_mail.subject == "Sắp đến hạn báo cáo năm 2019: báo cáo của đơn vị chưa gửi"
    assert "là hết ngày 31/12/2019. (đã được gia hạn)" in other_mail.body
    assert "Còn 2 ngày." in other_mail.body


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


def test_the_mails_are_in_vietnamese_whatever_the_active_language(
    world, today, addresses, mailoutbox
):
    from django.utils import translation

    today(datetime.date(2019, 11, 20))
    with translation.override("en"):
        _send(days=7)

    subjects = {mail.subject for mail in mailoutbox}
    assert "Sắp đến hạn báo cáo năm 2019: báo cáo của đơn vị chưa gửi" in subjects
    assert "Tổng hợp tình hình báo cáo năm 2019" in subjects


def test_only_the_current_years_cycles_are_reminded(world, today, addresses, mailoutbox):
    today(datetime.date(2020, 11, 20))  # the 2019 cycle is long overdue, but closed

    _send(days=7)

    assert mailoutbox == []


def test_negative_days_are_refused(world):
    with pytest.raises(CommandError, match="không âm"):
        _send(days=-1)


def test_a_run_reads_the_reports_in_a_bounded_number_of_queries(
    world, today, addresses, agency_user, staff_password
):
    """What the mails say is read for all the due agencies at once; each mailed agency adds
    only its claim (a savepoint, the insert, its release)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ready_yearly_report(world, agency_user)  # opened: its missing items are read
    today(datetime.date(2019, 11, 20))

    def run() -> int:
        Reminder.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            _send(days=7)
        return len(queries)

    two_mailed = run()
    # Five more due agencies with an address, three with an opened report.
    for number in range(5):
        agency = Agency.objects.create(
            name=f"UBND huyện {number}", short_name=f"H{number}", kind=Agency.Kind.DISTRICT
        )
        world.tasks["1.2"].coordinating_agencies.add(agency)
        user = _user_with_role(f"canbo.h{number}", staff_password, Role.AGENCY_USER, agency)
        user.email = f"canbo@h{number}.tiengiang.gov.vn"
        user.save()
        if number < 3:
            yearly.open_yearly_report(cycle=world.cycle, agency=agency)

    seven_mailed = run()

    claims = seven_mailed - two_mailed
    assert claims == 5 * 3
    assert YearlyReport.objects.count() == 4
