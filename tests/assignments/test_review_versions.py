"""Accepting or returning a report acts on the version the reviewer read: a report the
agency changed and sent again after the reviewer opened it is refused as stale."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assignments import services
from assignments.models import Report
from tests.assignments.reporting import make_report

pytestmark = pytest.mark.django_db

STALE = "Báo cáo vừa được người khác cập nhật."


def _resubmitted_meanwhile(report: Report, *, agency_user, noivu_staff) -> Report:
    """Another reviewer returns the report, the agency rewrites it and sends it again."""
    report = services.return_report(
        report=report, by=noivu_staff, reason="Bổ sung số liệu", version=report.version
    )
    report = services.save_report(
        report=report,
        by=agency_user,
        progress=Report.Progress.DONE,
        narrative="Nội dung mới, viết sau khi người xem xét đã mở trang.",
        values={},
        version=report.version,
    )
    return services.submit_report(report=report, by=agency_user)


def test_review_forms_carry_the_version_the_page_showed(world, today, noivu_client):
    report = make_report(world, "1.1", status=Report.Status.SUBMITTED)

    response = noivu_client.get(reverse("assignments:report-detail", args=[report.pk]))

    assert response.context["accept_form"]["version"].value() == report.version
    assert response.context["return_form"]["version"].value() == report.version
    assert f'name="version" value="{report.version}"' in response.text


def test_accepting_content_changed_since_the_page_was_read_is_refused(
    world, today, noivu_client, noivu_staff, agency_user
):
    report = make_report(world, "1.1", status=Report.Status.SUBMITTED)
    read_version = report.version
    report = _resubmitted_meanwhile(report, agency_user=agency_user, noivu_staff=noivu_staff)
    assert report.status == Report.Status.SUBMITTED

    response = noivu_client.post(
        reverse("assignments:report-accept", args=[report.pk]),
        {"note": "Đạt", "version": read_version},
        follow=True,
    )

    assert STALE in response.text
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    assert not report.transitions.filter(to_status=Report.Status.ACCEPTED).exists()


def test_returning_content_changed_since_the_page_was_read_is_refused(
    world, today, noivu_client, noivu_staff, agency_user
):
    report = make_report(world, "1.1", status=Report.Status.SUBMITTED)
    read_version = report.version
    report = _resubmitted_meanwhile(report, agency_user=agency_user, noivu_staff=noivu_staff)
    returns_before = report.transitions.filter(to_status=Report.Status.RETURNED).count()

    response = noivu_client.post(
        reverse("assignments:report-return", args=[report.pk]),
        {"reason": "Chưa đạt", "version": read_version},
        follow=True,
    )

    assert STALE in response.text
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    assert report.transitions.filter(to_status=Report.Status.RETURNED).count() == returns_before


def test_accepting_the_version_read_succeeds(world, today, noivu_client):
    report = make_report(world, "1.1", status=Report.Status.SUBMITTED)

    noivu_client.post(
        reverse("assignments:report-accept", args=[report.pk]),
        {"note": "", "version": report.version},
    )

    report.refresh_from_db()
    assert report.status == Report.Status.ACCEPTED


def test_a_review_post_without_a_version_is_refused(world, today, noivu_client):
    report = make_report(world, "1.1", status=Report.Status.SUBMITTED)

    accept = noivu_client.post(reverse("assignments:report-accept", args=[report.pk]), follow=True)

    assert STALE in accept.text
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED


def test_services_refuse_a_version_other_than_the_current_one(world, today, noivu_staff):
    report = make_report(world, "1.1", status=Report.Status.SUBMITTED)

    with pytest.raises(ValidationError, match=STALE):
        services.accept_report(report=report, by=noivu_staff, version=report.version - 1)
    with pytest.raises(ValidationError, match=STALE):
        services.return_report(
            report=report, by=noivu_staff, reason="Thiếu", version=report.version + 1
        )

    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
