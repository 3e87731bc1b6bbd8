"""Bounded inputs: narratives, reasons and notes have a maximum length, refused with a
message that names the field and the limit; target values are plain numbers within what
their unit allows; exports never cut a long text without saying so."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from assignments import services, yearly
from assignments.forms import PDF, check_evidence
from assignments.models import Extension, Report, TaskTarget, YearlyReport
from tests.assignments.reporting import PDF_BYTES, make_report, upload
from tests.assignments.yearly_reports import review_url, sent_bare

pytestmark = pytest.mark.django_db

D = Decimal
NARRATIVE_LIMIT = 20_000
REASON_LIMIT = 2_000


def _form(report: Report, **fields) -> dict:
    data = {"progress": "in_progress", "narrative": "Đã triển khai.", "version": report.version}
    return data | fields


# -- Narratives -----------------------------------------------------------------------------


def test_narrative_over_the_limit_is_refused_naming_the_field_and_limit(
    world, today, agency_client
):
    report = make_report(world, "1.1")

    response = agency_client.post(
        reverse("assignments:report-update", args=[report.pk]),
        _form(report, narrative="x" * (NARRATIVE_LIMIT + 1)),
    )

    assert response.status_code == 200
    assert response.context["report_form"].errors["narrative"] == [
        "“Kết quả thực hiện” dài tối đa 20.000 ký tự; nội dung đang có 20.001 ký tự."
    ]
    report.refresh_from_db()
    assert (report.narrative, report.version) == ("Đã ban hành kế hoạch đúng hạn.", 1)


def test_narrative_at_the_limit_is_saved(world, today, agency_client):
    report = make_report(world, "1.1")

    agency_client.post(
        reverse("assignments:report-update", args=[report.pk]),
        _form(report, narrative="x" * NARRATIVE_LIMIT),
    )

    report.refresh_from_db()
    assert len(report.narrative) == NARRATIVE_LIMIT


def test_narrative_limit_is_in_the_page_as_maxlength(world, today, agency_client):
    report = make_report(world, "1.1")

    response = agency_client.get(reverse("assignments:report-detail", args=[report.pk]))

    assert f'maxlength="{NARRATIVE_LIMIT}"' in response.text


def test_save_report_service_refuses_a_narrative_over_the_limit(world, agency_user):
    report = make_report(world, "1.1")

    with pytest.raises(ValidationError, match="dài tối đa"):
        services.save_report(
            report=report,
            by=agency_user,
            progress="done",
            narrative="x" * (NARRATIVE_LIMIT + 1),
            values={},
            version=report.version,
        )

    report.refresh_from_db()
    assert report.version == 1


def test_model_validation_refuses_a_narrative_over_the_limit(world):
    report = make_report(world, "1.1")
    report.narrative = "x" * (NARRATIVE_LIMIT + 1)

    with pytest.raises(ValidationError) as refused:
        report.full_clean()

    assert refused.value.message_dict["narrative"] == [
        "“Kết quả thực hiện” dài tối đa 20.000 ký tự; nội dung đang có 20.001 ký tự."
    ]


# -- Reasons and notes ----------------------------------------------------------------------


def test_return_comment_over_the_limit_is_refused(world, today, noivu_client):
    report = sent_bare(world.cycle, world.agency)

    response = noivu_client.post(
        review_url(report),
        {
            "comment-general": "x" * (REASON_LIMIT + 1),
            "version": report.version,
            "action": "return",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["comment-general"] == [
        "“Nhận xét của Sở Nội vụ về phần này” dài tối đa 2.000 ký tự; nội dung đang có 2.001 ký tự."
    ]
    report.refresh_from_db()
    assert report.status == YearlyReport.Status.SUBMITTED


def test_accept_note_over_the_limit_is_refused_saying_why(world, today, noivu_client):
    report = sent_bare(world.cycle, world.agency)

    response = noivu_client.post(
        review_url(report),
        {"note": "x" * (REASON_LIMIT + 1), "version": report.version, "action": "accept"},
        follow=True,
    )

    assert (
        "“Ghi chú khi chấp nhận” dài tối đa 2.000 ký tự; nội dung đang có 2.001 ký tự."
        in response.text
    )
    report.refresh_from_db()
    assert report.status == YearlyReport.Status.SUBMITTED


def test_yearly_return_refuses_comments_over_the_limit(world, noivu_staff):
    report = sent_bare(world.cycle, world.agency)

    with pytest.raises(ValidationError, match="dài tối đa"):
        yearly.return_yearly_report(
            report=report, by=noivu_staff, version=report.version, comments={"general": "x" * 2001}
        )

    report.refresh_from_db()
    assert report.status == YearlyReport.Status.SUBMITTED


def test_review_services_refuse_reasons_over_the_limit(world, noivu_staff):
    report = make_report(world, "1.1", status=Report.Status.SUBMITTED)

    with pytest.raises(ValidationError, match="dài tối đa"):
        services.return_report(
            report=report, by=noivu_staff, reason="x" * 2001, version=report.version
        )
    with pytest.raises(ValidationError, match="dài tối đa"):
        services.accept_report(report=report, by=noivu_staff, note="x" * 2001, version=1)

    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED


def test_extension_reason_over_the_limit_is_refused(world, today, noivu_client):
    url = reverse("assignments:extension-create", args=[2019, world.agency.pk])

    response = noivu_client.post(url, {"until": "2019-12-05", "reason": "x" * (REASON_LIMIT + 1)})

    assert response.status_code == 200
    assert response.context["extension_form"].errors["reason"] == [
        "“Lý do” dài tối đa 2.000 ký tự; nội dung đang có 2.001 ký tự."
    ]
    assert not Extension.objects.exists()


# -- Target values --------------------------------------------------------------------------


def _post_value(client, report: Report, target: TaskTarget, typed: str):
    return client.post(
        reverse("assignments:report-update", args=[report.pk]),
        _form(report, **{f"target_{target.pk}": typed}),
    )


@pytest.fixture
def count_target(world) -> TaskTarget:
    return TaskTarget.objects.create(
        task=world.tasks["1.1"],
        description="Số văn bản được rà soát",
        comparator=TaskTarget.Comparator.AT_LEAST,
        value=D("30"),
        unit="văn bản",
        first_year=2019,
        last_year=2019,
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1e5", "“1e5” không phải là số: hãy viết chữ số, ví dụ 96,5."),
        ("1E2", "“1E2” không phải là số: hãy viết chữ số, ví dụ 96,5."),
        ("100,5", "Tỷ lệ văn bản ban hành đúng hạn: tỷ lệ phần trăm không quá 100%."),
        ("150", "Tỷ lệ văn bản ban hành đúng hạn: tỷ lệ phần trăm không quá 100%."),
        ("1.000,5", "“1.000,5” không phải là số: hãy viết chữ số, ví dụ 96,5."),
        ("96,555", "Tỷ lệ văn bản ban hành đúng hạn: tối đa 2 chữ số thập phân."),
        ("-3", "Tỷ lệ văn bản ban hành đúng hạn: giá trị không được âm."),
        ("NaN", "“NaN” không phải là số: hãy viết chữ số, ví dụ 96,5."),
    ],
)
def test_bad_target_values_are_refused_in_vietnamese(world, today, agency_client, typed, message):
    report = make_report(world, "1.1")
    target = world.targets["on_time"]

    response = _post_value(agency_client, report, target, typed)

    assert response.status_code == 200
    assert response.context["report_form"].errors[f"target_{target.pk}"] == [message]
    assert not report.values.exists()


@pytest.mark.parametrize(("typed", "stored"), [("96,5", "96.5"), ("96.5", "96.5"), ("100", "100")])
def test_target_values_take_a_comma_or_a_dot(world, today, agency_client, typed, stored):
    report = make_report(world, "1.1")
    target = world.targets["on_time"]

    response = _post_value(agency_client, report, target, typed)

    assert response.status_code == 302
    assert report.values.get(target=target).value == D(stored)


def test_count_values_are_bounded_too(world, today, agency_client, count_target):
    report = make_report(world, "1.1")

    refused = _post_value(agency_client, report, count_target, "1000001")
    accepted = _post_value(agency_client, report, count_target, "1500")

    assert refused.context["report_form"].errors[f"target_{count_target.pk}"] == [
        "Số văn bản được rà soát: không quá 1.000.000 văn bản."
    ]
    assert accepted.status_code == 302
    assert report.values.get(target=count_target).value == D("1500")


# -- Exports --------------------------------------------------------------------------------


# The yearly export's cells: tests/assignments/test_yearly_export.py.


# -- Request bodies --------------------------------------------------------------------------


def _oversized_post(client, url: str, report: Report | None = None):
    """A form sent as a browser sends it, 1.5 MB of it: more than any form of the portal
    needs (files travel apart), less than an evidence file may be."""
    fields = _form(report, narrative="ệ" * 170_000) if report else {"username": "x" * 1_500_000}
    return client.post(url, urlencode(fields), content_type="application/x-www-form-urlencoded")


def test_an_oversized_form_gets_a_clear_answer_and_changes_nothing(world, today, agency_client):
    report = make_report(world, "1.1")
    before = (report.narrative, report.version)

    response = _oversized_post(
        agency_client, reverse("assignments:report-update", args=[report.pk]), report
    )

    assert response.status_code == 413
    assert "Nội dung gửi lên quá lớn" in response.text
    assert "giới hạn 1 MB" in response.text
    report.refresh_from_db()
    assert (report.narrative, report.version) == before


def test_an_oversized_login_form_gets_the_answer_in_english_too():
    client = Client(enforce_csrf_checks=True)  # the CSRF check reads the body first
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.get(reverse("login"))  # the CSRF cookie, so that the check reads the form

    response = _oversized_post(client, reverse("login"))

    assert response.status_code == 413
    assert "What was sent is too large" in response.text


def test_the_largest_narrative_in_any_script_fits_the_body_limit(world, today, agency_client):
    report = make_report(world, "1.1")
    # Four bytes in UTF-8, twelve once the browser percent-encodes them: the worst case.
    narrative = "𝔸" * NARRATIVE_LIMIT

    response = agency_client.post(
        reverse("assignments:report-update", args=[report.pk]),
        urlencode(_form(report, narrative=narrative)),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.narrative == narrative


def test_an_evidence_file_larger_than_memory_is_read_through_a_temporary_file(rf):
    content = PDF_BYTES + b"%" * (3 * 1024 * 1024)  # above FILE_UPLOAD_MAX_MEMORY_SIZE
    request = rf.post("/", {"file": upload("Quyết định.pdf", content)})

    evidence = request.FILES["file"]

    # Streamed to disk as it arrives, not held whole in a worker's memory.
    assert isinstance(evidence, TemporaryUploadedFile)
    assert evidence.size == len(content)
    assert check_evidence(evidence) == PDF
