"""Accepting or returning a yearly report acts on the version the reviewer read: a report
returned by someone else and sent again after the reviewer opened it is refused as stale."""

import pytest
from django.core.exceptions import ValidationError

from assignments import yearly
from assignments.models import YearlyReport
from tests.assignments.yearly_reports import review_url, sent_bare

pytestmark = pytest.mark.django_db

STALE = "Báo cáo vừa được người khác cập nhật."


def _resent_meanwhile(report: YearlyReport, *, agency_user, noivu_staff) -> YearlyReport:
    """Another reviewer returns the report, the agency corrects it and sends it again."""
    report = yearly.return_yearly_report(
        report=report, by=noivu_staff, version=report.version, comments={"general": "Bổ sung"}
    )
    report = yearly.save_general(
        report=report,
        by=agency_user,
        difficulties="Thiếu biên chế.",
        proposals="",
        version=report.version,
    )
    return yearly.send_yearly_report(report=report, by=agency_user, version=report.version)


def test_the_review_form_carries_the_version_the_page_showed(world, today, noivu_client):
    report = sent_bare(world.cycle, world.agency)

    response = noivu_client.get(review_url(report))

    assert response.context["form"]["version"].value() == report.version
    assert f'name="version" value="{report.version}"' in response.text


@pytest.mark.parametrize(
    ("action", "fields"),
    [("accept", {"note": "Đạt"}), ("return", {"comment-general": "Chưa đạt"})],
)
def test_acting_on_content_changed_since_the_page_was_read_is_refused(
    world, today, noivu_client, noivu_staff, agency_user, action, fields
):
    report = sent_bare(world.cycle, world.agency)
    read_version = report.version
    report = _resent_meanwhile(report, agency_user=agency_user, noivu_staff=noivu_staff)
    assert report.status == YearlyReport.Status.SUBMITTED
    steps = report.transitions.count()

    response = noivu_client.post(
        review_url(report), {"version": read_version, "action": action, **fields}, follow=True
    )

    assert STALE in response.text
    report.refresh_from_db()
    assert report.status == YearlyReport.Status.SUBMITTED
    assert report.transitions.count() == steps


def test_accepting_the_version_read_succeeds(world, today, noivu_client, noivu_staff):
    report = sent_bare(world.cycle, world.agency)

    noivu_client.post(review_url(report), {"version": report.version, "action": "accept"})

    report.refresh_from_db()
    assert report.status == YearlyReport.Status.ACCEPTED
    step = report.transitions.get()
    assert (step.from_status, step.to_status, step.by) == ("submitted", "accepted", noivu_staff)


def test_a_review_post_without_a_version_is_refused(world, today, noivu_client):
    report = sent_bare(world.cycle, world.agency)

    accept = noivu_client.post(review_url(report), {"action": "accept"}, follow=True)

    assert STALE in accept.text
    report.refresh_from_db()
    assert report.status == YearlyReport.Status.SUBMITTED


def test_a_draft_cannot_be_accepted(world, today, noivu_client):
    report = yearly.open_yearly_report(cycle=world.cycle, agency=world.agency)

    response = noivu_client.post(
        review_url(report), {"version": report.version, "action": "accept"}, follow=True
    )

    report.refresh_from_db()
    assert report.status == YearlyReport.Status.DRAFT
    assert "Chỉ chấp nhận được báo cáo đã gửi." in response.text
    assert 'name="action"' not in response.text  # a draft shows no review buttons


def test_services_refuse_a_version_other_than_the_current_one(world, today, noivu_staff):
    report = sent_bare(world.cycle, world.agency)

    with pytest.raises(ValidationError, match=STALE):
        yearly.accept_yearly_report(report=report, by=noivu_staff, version=report.version - 1)
    with pytest.raises(ValidationError, match=STALE):
        yearly.return_yearly_report(
            report=report, by=noivu_staff, version=report.version + 1, comments={"general": "x"}
        )

    report.refresh_from_db()
    assert report.status == YearlyReport.Status.SUBMITTED
    assert not report.transitions.exists()
