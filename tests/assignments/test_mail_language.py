"""Letters to agencies are Vietnamese, whichever language the sender's screen shows."""

import pytest
from django.conf import settings
from django.urls import reverse

from assignments.models import Extension, YearlyReport
from tests.assignments.yearly_reports import review_url, sent_bare

pytestmark = pytest.mark.django_db


@pytest.fixture
def english_noivu_client(noivu_client):
    noivu_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return noivu_client


@pytest.fixture
def agency_address(agency_user) -> str:
    agency_user.email = "canbo@sotuphap.tiengiang.gov.vn"
    agency_user.save()
    return agency_user.email


def test_extension_letter_is_vietnamese_when_granted_in_english(
    world,
    today,
    english_noivu_client,
    agency_address,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    url = reverse("assignments:extension-create", args=[2019, world.agency.pk])
    assert not Extension.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = english_noivu_client.post(
            url, {"until": "2019-12-05", "reason": "Chờ số liệu quý IV"}, follow=True
        )

    assert Extension.objects.get().agency == world.agency
    assert f"Report deadline extended for {world.agency.name}." in response.text
    assert [mail.to for mail in mailoutbox] == [[agency_address]]
    assert mailoutbox[0].subject == "Gia hạn báo cáo năm 2019"
    assert "đến hết ngày 05/12/2019" in mailoutbox[0].body
    assert "Dear" not in mailoutbox[0].body


def test_return_letter_is_vietnamese_when_returned_in_english(
    world,
    today,
    english_noivu_client,
    agency_address,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    report = sent_bare(world.cycle, world.agency)

    with django_capture_on_commit_callbacks(execute=True):
        response = english_noivu_client.post(
            review_url(report),
            {
                "comment-general": "Thiếu số liệu chỉ tiêu mức độ 3.",
                "version": report.version,
                "action": "return",
            },
            follow=True,
        )

    report.refresh_from_db()
    assert report.status == YearlyReport.Status.RETURNED
    assert "Returned 1 section(s) of the yearly report to Sở Tư pháp." in response.text
    assert mailoutbox[0].subject == "Báo cáo năm 2019 bị trả lại một số phần"
    assert "đã bị Sở Nội vụ trả lại" in mailoutbox[0].body
    assert "Thiếu số liệu chỉ tiêu mức độ 3." in mailoutbox[0].body
    assert "Dear" not in mailoutbox[0].body
