"""Evidence files: checked by their content, stored under generated names, served to those
allowed to see the report and to nobody else."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assignments.forms import DOCX, GIF, JPEG, PDF, PNG, XLSX, check_evidence
from assignments.models import Evidence, EvidenceDocument, Report
from tests.assignments.reporting import (
    GIF_BYTES,
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    delete_evidence,
    docx_bytes,
    make_report,
    office_bytes,
    post_evidence,
    ready_yearly_report,
    report_form_data,
    send_yearly,
    upload,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


# -- The content check ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("Quyết định ban hành.pdf", PDF_BYTES, PDF),
        ("ảnh chụp.png", PNG_BYTES, PNG),
        ("ảnh.JPG", JPEG_BYTES, JPEG),
        ("ảnh.jpeg", JPEG_BYTES, JPEG),
        ("biểu đồ.gif", GIF_BYTES, GIF),
        ("báo cáo.docx", docx_bytes(), DOCX),
        ("số liệu.xlsx", xlsx_bytes(), XLSX),
    ],
)
def test_accepted_kinds_are_recognised_by_their_content(name, content, kind):
    assert check_evidence(upload(name, content)) == kind


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("chương trình.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
        ("ghi chú.txt", "Báo cáo kết quả".encode()),
        ("trang.html", b"<html><script>alert(1)</script></html>"),
        ("giả.pdf", b"MZ\x90\x00 not a pdf at all"),
        ("nén.zip", office_bytes({"a.txt": b"x"})),
        ("thiếu loại.docx", office_bytes({"word/document.xml": b"<w/>"})),
        ("cả hai.docx", office_bytes({"[Content_Types].xml": b"<T/>", "word/a": b"", "xl/b": b""})),
        ("hỏng.docx", b"PK\x03\x04 broken zip"),
    ],
)
def test_other_content_is_refused_whatever_its_name(name, content):
    with pytest.raises(ValidationError, match="không phải là PDF, Word"):
        check_evidence(upload(name, content))


def test_office_file_with_macros_is_refused():
    content = docx_bytes(extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"})

    with pytest.raises(ValidationError, match="có macro"):
        check_evidence(upload("báo cáo.docx", content))


def test_macro_enabled_package_is_refused_even_without_its_macro_part():
    declared = b'<Override ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>'

    with pytest.raises(ValidationError, match="có macro"):
        check_evidence(upload("báo cáo.docx", docx_bytes(content_types=declared)))


def test_content_and_name_must_agree():
    with pytest.raises(ValidationError, match="có nội dung PNG, không khớp với tên tệp"):
        check_evidence(upload("quyết định.pdf", PNG_BYTES))


def test_file_over_the_size_limit_is_refused(settings):
    settings.PAR_EVIDENCE_MAX_BYTES = len(PDF_BYTES) - 1

    with pytest.raises(ValidationError, match="lớn hơn giới hạn"):
        check_evidence(upload("quyết định.pdf", PDF_BYTES))


def test_file_at_the_size_limit_is_accepted(settings):
    settings.PAR_EVIDENCE_MAX_BYTES = len(PDF_BYTES)

    assert check_evidence(upload("quyết định.pdf", PDF_BYTES)) == PDF


def test_empty_file_is_refused():
    with pytest.raises(ValidationError, match="rỗng"):
        check_evidence(upload("trống.pdf", b""))


def test_office_file_unpacking_too_large_is_refused(settings):
    settings.XLSX_MAX_UNPACKED_BYTES = 1000
    content = docx_bytes(extra={"word/media/big.bin": b"\x00" * 5000})

    with pytest.raises(ValidationError, match="giải nén ra quá lớn"):
        check_evidence(upload("báo cáo.docx", content))


# -- Uploading -----------------------------------------------------------------------------


def test_agency_uploads_two_files_stored_under_generated_names(
    world, today, media, agency_client, agency_user
):
    report = make_report(world, "1.1")

    first = post_evidence(agency_client, report, upload("Quyết định 12-QĐ.pdf", PDF_BYTES))
    second = post_evidence(agency_client, report, upload("số liệu.xlsx", xlsx_bytes()))

    assert (first.status_code, second.status_code) == (302, 302)
    pdf, xlsx = report.evidence.order_by("pk")
    assert (pdf.original_name, pdf.content_type, pdf.size, pdf.uploaded_by) == (
        "Quyết định 12-QĐ.pdf",
        "application/pdf",
        len(PDF_BYTES),
        agency_user,
    )
    assert xlsx.content_type == XLSX.content_type
    for evidence, suffix in ((pdf, ".pdf"), (xlsx, ".xlsx")):
        stored = Path(evidence.file.path)
        assert stored.is_relative_to(media)
        # In the agency's library, the one stored copy its reports link to.
        assert stored.parent == media / "evidence" / "library" / str(world.agency.pk)
        assert evidence.file.name == evidence.document.file.name
        assert stored.suffix == suffix
        assert len(stored.stem) == 32  # a uuid, nothing of the user's name
    assert Path(pdf.file.path).read_bytes() == PDF_BYTES


def test_refused_upload_says_why_and_stores_nothing(world, today, media, agency_client):
    report = make_report(world, "1.1")

    response = post_evidence(agency_client, report, upload("virus.pdf", b"MZ\x90\x00"))

    assert response.status_code == 200
    assert "Tệp “virus.pdf” không phải là PDF, Word (.docx), Excel (.xlsx)" in response.text
    assert not Evidence.objects.exists()
    assert not media.exists() or not any(media.rglob("*.*"))


def test_no_upload_after_the_report_is_submitted(world, today, media, agency_client):
    report = make_report(world, "1.1", status=Report.Status.SUBMITTED)

    response = post_evidence(agency_client, report, upload("muộn.pdf", PDF_BYTES), follow=True)

    assert "Báo cáo đã gửi, không sửa được nữa." in response.text
    assert not Evidence.objects.exists()
    assert not any(media.rglob("*.pdf"))


@pytest.mark.parametrize("persona", ["noivu_client", "leader_client"])
def test_readers_cannot_upload(request, world, today, media, persona):
    report = make_report(world, "1.1")
    client = request.getfixturevalue(persona)

    response = post_evidence(client, report, upload("x.pdf", PDF_BYTES))

    assert response.status_code == 403
    assert not Evidence.objects.exists()


def test_other_agency_cannot_upload_to_the_report(world, today, media, other_client):
    report = make_report(world, "1.1")

    response = post_evidence(other_client, report, upload("x.pdf", PDF_BYTES))

    assert response.status_code == 404
    assert not Evidence.objects.exists()


# -- Downloading ---------------------------------------------------------------------------


@pytest.fixture
def evidence(world, today, media, agency_client) -> Evidence:
    report = make_report(world, "1.1")
    post_evidence(agency_client, report, upload("Quyết định ban hành.pdf", PDF_BYTES))
    return Evidence.objects.get()


@pytest.mark.parametrize("persona", ["agency_client", "noivu_client", "leader_client"])
def test_those_who_may_see_the_report_download_its_file(request, evidence, persona):
    client = request.getfixturevalue(persona)

    response = client.get(reverse("assignments:evidence-download", args=[evidence.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%20ban%20h%C3%A0nh.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_other_agency_gets_404_for_the_file(evidence, other_client):
    response = other_client.get(reverse("assignments:evidence-download", args=[evidence.pk]))

    assert response.status_code == 404


def test_user_without_role_gets_404_for_the_file(evidence, client, django_user_model):
    client.force_login(django_user_model.objects.create_user("khach", password="x" * 12))

    response = client.get(reverse("assignments:evidence-download", args=[evidence.pk]))

    assert response.status_code == 404


def test_anonymous_is_sent_to_login_for_the_file(evidence, client):
    url = reverse("assignments:evidence-download", args=[evidence.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_download_refuses_post(evidence, agency_client):
    response = agency_client.post(reverse("assignments:evidence-download", args=[evidence.pk]))

    assert response.status_code == 405


def test_file_is_not_served_under_any_public_url(evidence, client, agency_client):
    name = evidence.file.name

    for path in (f"/media/{name}", f"/{name}", f"/static/{name}"):
        assert client.get(path).status_code == 404
        assert agency_client.get(path).status_code == 404


def test_file_missing_from_disk_gets_404(evidence, agency_client):
    Path(evidence.file.path).unlink()

    response = agency_client.get(reverse("assignments:evidence-download", args=[evidence.pk]))

    assert response.status_code == 404


def test_download_query_count(evidence, agency_client, django_assert_num_queries):
    # session, user, user's groups, membership with agency, evidence with its report's agency
    with django_assert_num_queries(5):
        response = agency_client.get(reverse("assignments:evidence-download", args=[evidence.pk]))
    response.close()


# -- Deleting ------------------------------------------------------------------------------


def test_agency_takes_a_file_off_its_draft_and_keeps_it_in_its_library(
    evidence, agency_client, django_capture_on_commit_callbacks
):
    stored = Path(evidence.file.path)
    assert stored.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = delete_evidence(agency_client, evidence.pk, evidence.report)

    assert response.status_code == 302
    assert not Evidence.objects.exists()
    assert EvidenceDocument.objects.get().file.name == evidence.file.name
    assert stored.exists()


def test_a_file_attached_before_the_library_is_deleted_with_its_link(
    evidence, agency_client, django_capture_on_commit_callbacks
):
    Evidence.objects.update(document=None)
    EvidenceDocument.objects.all().delete()
    stored = Path(evidence.file.path)

    with django_capture_on_commit_callbacks(execute=True):
        delete_evidence(agency_client, evidence.pk, evidence.report)

    assert not Evidence.objects.exists()
    assert not stored.exists()


def test_file_of_a_submitted_report_cannot_be_deleted(evidence, agency_client):
    Report.objects.update(status=Report.Status.SUBMITTED)

    delete_evidence(agency_client, evidence.pk, evidence.report)

    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert Path(evidence.file.path).exists()


@pytest.mark.parametrize(
    ("persona", "status"), [("noivu_client", 403), ("leader_client", 403), ("other_client", 404)]
)
def test_only_the_agency_deletes_its_files(request, evidence, persona, status):
    client = request.getfixturevalue(persona)

    response = delete_evidence(client, evidence.pk, evidence.report)

    assert response.status_code == status
    assert Evidence.objects.filter(pk=evidence.pk).exists()


# -- One form: text, values and files saved together ---------------------------------------


def test_file_chosen_with_the_text_is_uploaded_and_sent_with_the_yearly_report(
    world, today, media, agency_client, agency_user
):
    report = make_report(world, "1.1")

    response = post_evidence(
        agency_client,
        report,
        upload("Quyết định 12.pdf", PDF_BYTES),
        narrative="Đã ban hành kế hoạch, kèm quyết định.",
        follow=True,
    )

    report.refresh_from_db()
    assert (report.status, report.narrative) == (
        Report.Status.DRAFT,
        "Đã ban hành kế hoạch, kèm quyết định.",
    )
    assert list(report.evidence.values_list("original_name", flat=True)) == ["Quyết định 12.pdf"]
    assert "Đã tải lên “Quyết định 12.pdf”." in response.text

    ready_yearly_report(world, agency_user)
    send_yearly(agency_client, world)

    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    assert list(report.evidence.values_list("original_name", flat=True)) == ["Quyết định 12.pdf"]


def test_refused_file_keeps_what_was_typed_and_says_what_was_not_saved(
    world, today, media, agency_client
):
    report = make_report(world, "1.1")
    on_time = world.targets["on_time"]

    response = post_evidence(
        agency_client,
        report,
        upload("biên bản.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
        upload("ảnh.png", PNG_BYTES),
        narrative="Văn bản mới viết, chưa lưu ở đâu khác.",
        **{f"target_{on_time.pk}": "96,5"},
    )

    assert response.status_code == 200
    assert "Văn bản mới viết, chưa lưu ở đâu khác." in response.text
    assert 'value="96,5"' in response.text
    assert "Báo cáo chưa được lưu." in response.text
    assert "Chưa tải lên: biên bản.doc, ảnh.png. Hãy chọn lại tệp rồi bấm lưu." in response.text
    report.refresh_from_db()
    assert (report.narrative, report.version) == ("Đã ban hành kế hoạch đúng hạn.", 1)
    assert not Evidence.objects.exists()


def test_file_chosen_beside_a_refused_value_is_named_as_not_uploaded(
    world, today, media, agency_client
):
    report = make_report(world, "1.1")
    on_time = world.targets["on_time"]

    response = post_evidence(
        agency_client, report, upload("ảnh.png", PNG_BYTES), **{f"target_{on_time.pk}": "-3"}
    )

    assert response.status_code == 200
    assert "Chưa tải lên: ảnh.png." in response.text
    assert not Evidence.objects.exists()


def test_page_states_the_accepted_files_and_size_before_upload(world, today, agency_client):
    report = make_report(world, "1.1")

    response = agency_client.get(reverse("assignments:report-detail", args=[report.pk]))

    text = " ".join(response.text.split())
    assert "PDF, Word (.docx), Excel (.xlsx) hoặc ảnh PNG, JPEG, GIF; mỗi tệp tối đa 10 MB." in text
    assert "Không nhận tệp .doc và tệp nén (.zip, .rar)" in text
    assert 'enctype="multipart/form-data"' in text
    assert 'name="evidence"' in text and "multiple" in text
    assert 'accept=".pdf,.docx,.xlsx,.png,.jpg,.jpeg,.gif"' in text


def test_size_limit_is_written_with_a_decimal_comma(settings):
    settings.PAR_EVIDENCE_MAX_BYTES = 7 * 1024 * 1024 + 512 * 1024

    with pytest.raises(ValidationError, match="lớn hơn giới hạn 7,5 MB"):
        check_evidence(upload("lớn.pdf", PDF_BYTES + b"\x00" * 8 * 1024 * 1024))


def test_delete_asks_for_confirmation_on_the_page(evidence, agency_client):
    response = agency_client.get(reverse("assignments:report-detail", args=[evidence.report_id]))

    text = " ".join(response.text.split())
    assert '<details class="confirm"> <summary>Xóa</summary>' in text
    assert f'name="delete_evidence" value="{evidence.pk}"' in text
    assert "Bỏ tệp “Quyết định ban hành.pdf” khỏi báo cáo? Tệp vẫn còn trong thư viện" in text


def test_deleting_a_file_keeps_the_text_typed_beside_it(
    evidence, agency_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delete_evidence(
            agency_client, evidence.pk, evidence.report, narrative="Viết thêm rồi mới xóa tệp."
        )

    report = Report.objects.get()
    assert report.narrative == "Viết thêm rồi mới xóa tệp."
    assert not Evidence.objects.exists()


def test_stale_save_names_the_files_it_did_not_upload(world, today, media, agency_client):
    report = make_report(world, "1.1")
    stale = report_form_data(report, narrative="Bản cũ", save="")
    post_evidence(agency_client, report, narrative="Bản mới")
    stale["evidence"] = [upload("Quyết định 12.pdf", PDF_BYTES)]

    response = agency_client.post(
        reverse("assignments:report-update", args=[report.pk]), stale, follow=True
    )

    assert "Báo cáo vừa được người khác cập nhật" in response.text
    assert "Chưa tải lên: Quyết định 12.pdf. Hãy chọn lại tệp rồi bấm lưu." in response.text
    assert not Evidence.objects.exists()
    report.refresh_from_db()
    assert report.narrative == "Bản mới"
