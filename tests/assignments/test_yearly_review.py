"""Sở Nội vụ reviews Sở Tư pháp's yearly report on the seed plan (252/KH-UBND): reads every
section, returns two of them with comments, accepts the report sent again; versions, roles
and the mail to the agency."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from assignments import yearly
from assignments.models import (
    Agency,
    Report,
    ReportingCycle,
    Role,
    ScoreProposal,
    YearlyReport,
)
from assignments.owners import assign_from_actions
from assignments.services import save_report
from tests.assignments.yearly_reports import fill, library_document, send
from tests.conftest import _user_with_role

pytestmark = pytest.mark.django_db

STALE = "Báo cáo vừa được người khác cập nhật."


@pytest.fixture
def tu_phap_user(seed_tasks, staff_password):
    """A user of Sở Tư pháp as the registry names it, with an address for the mail."""
    agency = Agency.objects.get(name="Sở Tư pháp")
    user = _user_with_role("canbo.sotuphap", staff_password, Role.AGENCY_USER, agency)
    user.email = "canbo@sotuphap.tiengiang.gov.vn"
    user.save()
    return user


@pytest.fixture
def sent(seed_tasks, today, tu_phap_user) -> YearlyReport:
    """Sở Tư pháp's report of 2019, filled and sent through the services."""
    assign_from_actions(plan=seed_tasks)
    cycle = ReportingCycle.objects.create(
        plan=seed_tasks, year=2019, deadline=datetime.date(2019, 11, 25)
    )
    report = yearly.open_yearly_report(cycle=cycle, agency=Agency.objects.get(name="Sở Tư pháp"))
    fill(report, tu_phap_user, library_document(report.agency))
    return send(report, tu_phap_user)


def _url(report: YearlyReport) -> str:
    return reverse("assignments:yearly-review", args=[report.cycle.year, report.agency_id])


def _sections(report: YearlyReport) -> tuple[Report, ScoreProposal]:
    """A task section it leads and the first sub-criterion's proposed score."""
    task_report = report.task_reports.filter(task__lead_agencies=report.agency).first()
    proposal = report.score_proposals.order_by("criterion__sort_key").first()
    return task_report, proposal


def test_noivu_returns_two_sections_then_accepts_the_report_sent_again(
    sent, noivu_client, noivu_staff, tu_phap_user, mailoutbox, django_capture_on_commit_callbacks
):
    task_report, proposal = _sections(sent)
    page = noivu_client.get(_url(sent))
    assert page.status_code == 200
    # Every section, read-only, with its comment box: the document's number, date, issuer,
    # title and place, downloaded through the access-checked link.
    assert "10/KH-UBND" in page.text and "15/01/2019" in page.text
    assert "UBND tỉnh Tiền Giang" in page.text and "trang 3" in page.text
    assert (
        reverse("assignments:document-download", args=[proposal.evidence_links.get().document_id])
        in page.text
    )
    assert "Chưa có văn bản, đang trình ký." in page.text
    assert f'name="comment-task-{task_report.pk}"' in page.text
    assert f'name="comment-proposal-{proposal.pk}"' in page.text
    assert 'name="comment-general"' in page.text

    with django_capture_on_commit_callbacks(execute=True):
        returned = noivu_client.post(
            _url(sent),
            {
                "version": sent.version,
                "action": "return",
                f"comment-task-{task_report.pk}": "Cần nêu số văn bản đã ban hành.",
                f"comment-proposal-{proposal.pk}": "Điểm chưa khớp tài liệu.",
                "comment-general": "",
            },
            follow=True,
        )

    sent.refresh_from_db()
    assert sent.status == YearlyReport.Status.RETURNED
    assert list(sent.task_reports.filter(status=Report.Status.RETURNED)) == [task_report]
    assert list(sent.score_proposals.filter(status=Report.Status.RETURNED)) == [proposal]
    assert not sent.task_reports.exclude(pk=task_report.pk).exclude(status="submitted").exists()
    assert sent.general_status == YearlyReport.Status.SUBMITTED
    assert "Đã trả lại 2 phần của báo cáo năm cho Sở Tư pháp." in returned.text
    assert returned.text.count('class="callout warning review-comment"') == 2
    assert "Cần nêu số văn bản đã ban hành." in returned.text
    assert 'name="action"' not in returned.text  # nothing to review until sent again
    assert [m.to for m in mailoutbox] == [["canbo@sotuphap.tiengiang.gov.vn"]]
    assert mailoutbox[0].subject == "Báo cáo năm 2019 bị trả lại một số phần"
    assert "Điểm chưa khớp tài liệu." in mailoutbox[0].body

    # The agency corrects the two sections and sends the report again.
    task_report.refresh_from_db()
    save_report(
        report=task_report,
        by=tu_phap_user,
        progress=Report.Progress.DONE,
        narrative="Đã ban hành Kế hoạch số 10/KH-UBND ngày 15/01/2019.",
        values={},
        version=task_report.version,
    )
    proposal.refresh_from_db()
    yearly.save_proposal(
        proposal=proposal,
        by=tu_phap_user,
        score=Decimal("0.5"),
        evidence_complete=True,
        explanation="",
        version=proposal.version,
    )
    sent = send(sent, tu_phap_user)
    with django_capture_on_commit_callbacks(execute=True):
        accepted = noivu_client.post(
            _url(sent),
            {"version": sent.version, "action": "accept", "note": "Đạt yêu cầu."},
            follow=True,
        )

    sent.refresh_from_db()
    assert sent.status == YearlyReport.Status.ACCEPTED
    assert set(sent.score_proposals.values_list("status", flat=True)) == {"accepted"}
    assert set(sent.task_reports.values_list("status", flat=True)) == {"accepted"}
    assert "Đã chấp nhận báo cáo năm của Sở Tư pháp." in accepted.text
    assert mailoutbox[1].subject == "Báo cáo năm 2019 đã được chấp nhận"
    assert "Đạt yêu cầu." in mailoutbox[1].body
    # The history: who, from which status to which, and why.
    history = accepted.text[accepted.text.index('class="data compact yearly-history"') :]
    assert history.count("<tr>") == 5  # heading and four steps
    assert "Đã gửi → Bị trả lại" in history and "Đã gửi → Đã chấp nhận" in history
    assert "noivu" in history and "Đạt yêu cầu." in history
    assert "Nhiệm vụ" in history and "Điểm chưa khớp tài liệu." in history


def test_return_without_a_comment_is_refused_and_keeps_what_was_typed(sent, noivu_client):
    response = noivu_client.post(
        _url(sent),
        {
            "version": sent.version,
            "action": "return",
            "note": "Ghi chú đã gõ",
            "comment-general": " ",
        },
    )

    assert response.status_code == 200
    assert "hãy ghi nhận xét cho ít nhất một phần cần đơn vị sửa" in response.text
    assert "Ghi chú đã gõ" in response.text
    sent.refresh_from_db()
    assert sent.status == YearlyReport.Status.SUBMITTED


def test_accept_with_comments_typed_is_refused_and_keeps_them(sent, noivu_client):
    task_report, _proposal = _sections(sent)

    response = noivu_client.post(
        _url(sent),
        {
            "version": sent.version,
            "action": "accept",
            f"comment-task-{task_report.pk}": "Bổ sung số liệu quý IV.",
        },
    )

    assert response.status_code == 200
    assert "bấm “Trả lại để đơn vị sửa” để gửi các nhận xét đó" in response.text
    assert "Bổ sung số liệu quý IV.</textarea>" in response.text
    sent.refresh_from_db()
    assert sent.status == YearlyReport.Status.SUBMITTED


def test_a_comment_too_long_is_refused_and_kept(sent, noivu_client):
    task_report, _proposal = _sections(sent)

    response = noivu_client.post(
        _url(sent),
        {"version": sent.version, "action": "return", f"comment-task-{task_report.pk}": "x" * 2001},
    )

    assert response.status_code == 200
    assert "x" * 2001 in response.text
    assert "2.000" in response.text or "2000" in response.text
    sent.refresh_from_db()
    assert sent.status == YearlyReport.Status.SUBMITTED


@pytest.mark.parametrize("action", ["accept", "return"])
def test_acting_on_a_report_changed_since_it_was_read_is_refused(
    sent, noivu_client, noivu_staff, tu_phap_user, action
):
    read_version = sent.version
    task_report, _proposal = _sections(sent)
    # Another reviewer returned the report meanwhile; the agency sent it again.
    report = yearly.return_yearly_report(
        report=sent, by=noivu_staff, version=sent.version, comments={"general": "Bổ sung."}
    )
    report = send(report, tu_phap_user)
    steps = report.transitions.count()

    response = noivu_client.post(
        _url(report),
        {"version": read_version, "action": action, f"comment-task-{task_report.pk}": "Sửa."},
        follow=True,
    )

    assert STALE in response.text
    report.refresh_from_db()
    assert report.status == YearlyReport.Status.SUBMITTED
    assert report.transitions.count() == steps


def test_a_review_without_a_version_is_refused(sent, noivu_client):
    response = noivu_client.post(_url(sent), {"action": "accept"}, follow=True)

    assert STALE in response.text
    sent.refresh_from_db()
    assert sent.status == YearlyReport.Status.SUBMITTED


def test_leader_reads_the_report_without_buttons_and_cannot_act(sent, leader_client):
    page = leader_client.get(_url(sent))
    post = leader_client.post(_url(sent), {"version": sent.version, "action": "accept"})

    assert page.status_code == 200
    assert "10/KH-UBND" in page.text
    assert 'name="action"' not in page.text and "<textarea" not in page.text
    assert post.status_code == 403
    sent.refresh_from_db()
    assert sent.status == YearlyReport.Status.SUBMITTED


def test_agencies_get_404_for_another_agency_and_403_on_acting_on_their_own(
    sent, staff_password, tu_phap_user
):
    other = _user_with_role(
        "canbo.caibe", staff_password, Role.AGENCY_USER, Agency.objects.get(name="Sở Tài chính")
    )
    other_client, own_client = Client(), Client()
    other_client.force_login(other)
    own_client.force_login(tu_phap_user)

    assert other_client.get(_url(sent)).status_code == 404
    assert other_client.post(_url(sent), {"version": sent.version}).status_code == 404
    own = own_client.get(_url(sent))
    try:  # its own report's page, once that page exists; refused until then
        own_page = reverse("assignments:yearly-report", args=[2019])
    except NoReverseMatch:
        assert own.status_code == 403
    else:
        assert (own.status_code, own.url) == (302, own_page)
    assert (
        own_client.post(_url(sent), {"version": sent.version, "action": "accept"}).status_code
        == 403
    )
    sent.refresh_from_db()
    assert sent.status == YearlyReport.Status.SUBMITTED


def test_review_page_query_count_does_not_grow_with_steps_and_documents(
    sent, noivu_client, noivu_staff, tu_phap_user, django_assert_num_queries
):
    url = _url(sent)
    # session, user, user's groups, cycle with plan, agency, the report, its task reports,
    # their values, their files, the year's targets, the extension, the proposals, their
    # documents, the steps
    with django_assert_num_queries(14):
        noivu_client.get(url)
    report = yearly.return_yearly_report(
        report=sent, by=noivu_staff, version=sent.version, comments={"general": "Bổ sung."}
    )
    second = library_document(report.agency, number="20/BC-STP", sha256="b" * 64)
    proposal = report.score_proposals.filter(evidence_links__isnull=False).first()
    ScoreProposal.objects.filter(pk=proposal.pk).update(status=Report.Status.RETURNED)
    proposal.refresh_from_db()
    yearly.link_document(proposal=proposal, document=second, location="mục II", by=tu_phap_user)
    send(report, tu_phap_user)

    with django_assert_num_queries(14):
        response = noivu_client.get(url)

    assert "20/BC-STP" in response.text


def test_review_page_of_an_agency_without_a_report_says_so(sent, noivu_client):
    agency = Agency.objects.get(name="Sở Tài chính")

    response = noivu_client.get(reverse("assignments:yearly-review", args=[2019, agency.pk]))

    assert response.status_code == 200
    assert "Đơn vị chưa lập báo cáo năm." in response.text


def test_review_page_sends_anonymous_to_login_and_refuses_other_methods(sent, client, noivu_client):
    url = _url(sent)

    assert client.get(url).url == f"{reverse('login')}?next={url}"
    assert noivu_client.put(url).status_code == 405
    assert (
        noivu_client.get(
            reverse("assignments:yearly-review", args=[2031, sent.agency_id])
        ).status_code
        == 404
    )
