"""The agency's library of evidence documents: the migration of the reports' evidence into
documents, one document per file content, links to sub-criteria and tasks."""

import datetime
import hashlib
import importlib
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from assignments.models import Evidence, EvidenceDocument, EvidenceLink
from tests.assignments.reporting import (
    PDF_BYTES,
    PNG_BYTES,
    make_report,
    post_evidence,
    report_form_data,
    upload,
)

pytestmark = pytest.mark.django_db

library_migration = importlib.import_module("assignments.migrations.0012_evidence_into_documents")


def _old_evidence(report, name: str, content: bytes | None, by) -> Evidence:
    """An evidence row as it was before the library: its own file, no document."""
    evidence = Evidence(
        report=report, original_name=name, content_type="application/pdf", size=9, uploaded_by=by
    )
    if content is None:
        evidence.file.name = "evidence/2019/missing.pdf"
        evidence.save()
    else:
        evidence.file.save("evidence.pdf", ContentFile(content), save=True)
    return evidence


def _migrate(forwards: bool) -> None:
    apps = (
        MigrationExecutor(connection)
        .loader.project_state(("assignments", "0011_evidence_document_library"))
        .apps
    )
    editor = SimpleNamespace(connection=connection)
    if forwards:
        library_migration.evidence_into_documents(apps, editor)
    else:
        library_migration.documents_back_into_evidence(apps, editor)


def test_migration_moves_every_evidence_file_into_its_agencys_library(
    world, media, agency_user, other_agency_user
):
    own_task, other_task = make_report(world, "1.1"), make_report(world, "1.2")
    theirs = make_report(world, "1.2", agency=world.other)
    plan = _old_evidence(own_task, "kế hoạch.pdf", PDF_BYTES, agency_user)
    # The same file on two of the agency's reports, and on another agency's report.
    again = _old_evidence(other_task, "kế hoạch (1).pdf", PDF_BYTES, agency_user)
    image = _old_evidence(other_task, "ảnh.png", PNG_BYTES, agency_user)
    other = _old_evidence(theirs, "kh.pdf", PDF_BYTES, other_agency_user)
    lost = _old_evidence(theirs, "mất.pdf", None, other_agency_user)
    uploaded_at = datetime.datetime(2019, 10, 2, tzinfo=datetime.UTC)
    Evidence.objects.filter(pk=plan.pk).update(uploaded_at=uploaded_at)
    files_before = {e.pk: e.file.name for e in Evidence.objects.all()}

    _migrate(forwards=True)

    rows = {e.pk: e for e in Evidence.objects.select_related("document")}
    assert EvidenceDocument.objects.count() == 4
    assert rows[plan.pk].document == rows[again.pk].document
    assert rows[other.pk].document != rows[plan.pk].document
    for pk, evidence in rows.items():
        document = evidence.document
        assert evidence.file.name == files_before[pk]
        assert document.agency_id == evidence.report.agency_id
        assert document.uploaded_by_id == evidence.uploaded_by_id
        assert document.history.get().history_user_id == evidence.uploaded_by_id
        if pk != lost.pk:
            assert document.file.open("rb").read() in (PDF_BYTES, PNG_BYTES)
            assert document.sha256 == hashlib.sha256(document.file.open("rb").read()).hexdigest()
    plan_document = rows[plan.pk].document
    assert (plan_document.file.name, plan_document.original_name) == (
        files_before[plan.pk],
        "kế hoạch.pdf",
    )
    assert plan_document.uploaded_at == uploaded_at
    assert rows[image.pk].document.content_type == "application/pdf"
    assert rows[lost.pk].document.sha256 == ""

    _migrate(forwards=False)

    assert not EvidenceDocument.objects.exists()
    assert {e.pk: (e.file.name, e.document_id) for e in Evidence.objects.all()} == {
        pk: (name, None) for pk, name in files_before.items()
    }
    assert all(media.joinpath(name).exists() for pk, name in files_before.items() if pk != lost.pk)


def test_an_agency_stores_the_same_file_once(world, agency_user):
    document = EvidenceDocument.objects.create(
        agency=world.agency, original_name="a.pdf", content_type="application/pdf", size=9,
        sha256="a" * 64, file="evidence/library/a.pdf",
    )  # fmt: skip
    EvidenceDocument.objects.create(
        agency=world.other, original_name="a.pdf", content_type="application/pdf", size=9,
        sha256="a" * 64, file="evidence/library/b.pdf",
    )  # fmt: skip

    with pytest.raises(IntegrityError):
        EvidenceDocument.objects.create(
            agency=world.agency, original_name="b.pdf", content_type="application/pdf", size=9,
            sha256="a" * 64, file="evidence/library/c.pdf",
        )  # fmt: skip

    assert document.pk


def test_a_link_names_one_sub_criterion_or_one_task(world):
    document = EvidenceDocument.objects.create(
        agency=world.agency, original_name="a.pdf", content_type="application/pdf", size=9,
        file="evidence/library/a.pdf",
    )  # fmt: skip
    criterion, task = world.criteria["1.1.1"], world.tasks["1.1"]
    EvidenceLink.objects.create(document=document, criterion=criterion, location="Mục II, trang 4")
    EvidenceLink.objects.create(document=document, task=task, location="trang 5")

    with pytest.raises(IntegrityError), transaction.atomic():
        EvidenceLink.objects.create(document=document)

    assert document.links.count() == 2


# -- The library page ----------------------------------------------------------------------

LIBRARY = reverse("assignments:document-list")
CREATE = reverse("assignments:document-create")


def _document(agency, title: str, content: bytes = PDF_BYTES) -> EvidenceDocument:
    document = EvidenceDocument(
        agency=agency,
        title=title,
        original_name=f"{title}.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content + title.encode()).hexdigest(),
    )
    document.file.save("evidence.pdf", ContentFile(content), save=True)
    return document


def _upload_form(name: str = "Kế hoạch 252.pdf", content: bytes = PDF_BYTES, **fields) -> dict:
    return {
        "number": "252/KH-UBND",
        "issued_on": "19/09/2018",
        "issuer": "UBND tỉnh Tiền Giang",
        "title": "Kế hoạch nâng cao Chỉ số CCHC",
        "file": upload(name, content),
    } | fields


def test_agency_uploads_a_document_into_its_library(world, media, agency_client, agency_user):
    assert not EvidenceDocument.objects.exists()

    response = agency_client.post(CREATE, _upload_form())

    assert response.status_code == 302
    document = EvidenceDocument.objects.get()
    assert (document.agency, document.number, document.issued_on, document.issuer) == (
        world.agency,
        "252/KH-UBND",
        datetime.date(2018, 9, 19),
        "UBND tỉnh Tiền Giang",
    )
    assert (document.original_name, document.uploaded_by, document.size) == (
        "Kế hoạch 252.pdf",
        agency_user,
        len(PDF_BYTES),
    )
    assert document.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert document.file.open("rb").read() == PDF_BYTES
    assert document.history.get().history_user == agency_user


def test_the_same_file_uploaded_twice_is_stored_once(world, media, agency_client, other_client):
    agency_client.post(CREATE, _upload_form())

    response = agency_client.post(CREATE, _upload_form("bản sao.pdf", title="Bản sao"), follow=True)

    assert EvidenceDocument.objects.count() == 1
    assert "Tệp này đã có trong thư viện" in response.text
    assert len(list(media.rglob("*.pdf"))) == 1
    # Another agency's copy is its own document.
    other_client.post(CREATE, _upload_form())
    assert EvidenceDocument.objects.filter(agency=world.other).count() == 1


def test_a_file_refused_by_its_content_stores_nothing(world, media, agency_client):
    response = agency_client.post(CREATE, _upload_form("ảnh.pdf", PNG_BYTES))

    assert response.status_code == 200
    assert "không khớp với tên tệp" in response.text
    assert not EvidenceDocument.objects.exists()
    assert not media.exists() or not list(media.rglob("*.*"))


def test_agency_edits_its_document(world, media, agency_client, agency_user):
    document = _document(world.agency, "Kế hoạch")
    url = reverse("assignments:document-edit", args=[document.pk])

    response = agency_client.post(url, {"number": "12/QĐ-UBND", "title": "Quyết định"})

    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.number, document.title) == ("12/QĐ-UBND", "Quyết định")
    assert document.history.latest().history_user == agency_user


def test_a_document_needs_its_title(world, media, agency_client):
    document = _document(world.agency, "Kế hoạch")
    url = reverse("assignments:document-edit", args=[document.pk])

    response = agency_client.post(url, {"number": "12/QĐ-UBND", "title": ""})

    assert response.status_code == 200
    document.refresh_from_db()
    assert (document.number, document.title) == ("", "Kế hoạch")


def test_other_agency_gets_404_for_the_document_and_its_file(world, media, other_client):
    document = _document(world.agency, "Kế hoạch")

    edit = other_client.post(
        reverse("assignments:document-edit", args=[document.pk]), {"title": "Của tôi"}
    )
    download = other_client.get(reverse("assignments:document-download", args=[document.pk]))

    assert (edit.status_code, download.status_code) == (404, 404)
    document.refresh_from_db()
    assert document.title == "Kế hoạch"


def test_agency_lists_only_its_own_documents(world, media, agency_client):
    _document(world.agency, "Kế hoạch của sở")
    _document(world.other, "Kế hoạch của huyện")

    response = agency_client.get(LIBRARY)

    assert response.status_code == 200
    assert [d.title for d in response.context["documents"]] == ["Kế hoạch của sở"]
    assert "Kế hoạch của huyện" not in response.text


def test_readers_list_every_agencys_documents_and_download_them(
    world, media, noivu_client, leader_client
):
    own = _document(world.agency, "Kế hoạch của sở")
    _document(world.other, "Kế hoạch của huyện")

    for client in (noivu_client, leader_client):
        response = client.get(LIBRARY)
        download = client.get(reverse("assignments:document-download", args=[own.pk]))

        assert len(response.context["documents"]) == 2
        assert b"".join(download.streaming_content) == PDF_BYTES
        assert download["Cache-Control"] == "private, no-store"
        assert 'filename="Kế hoạch của sở.pdf"' in download["Content-Disposition"] or (
            "filename*=" in download["Content-Disposition"]
        )


def test_readers_may_not_upload_or_edit(world, media, noivu_client, leader_client):
    document = _document(world.agency, "Kế hoạch")

    for client in (noivu_client, leader_client):
        create = client.post(CREATE, _upload_form())
        edit = client.post(
            reverse("assignments:document-edit", args=[document.pk]), {"title": "Khác"}
        )

        assert (create.status_code, edit.status_code) == (403, 403)
    assert EvidenceDocument.objects.count() == 1


def test_anonymous_goes_to_login_and_wrong_method_gets_405(client, agency_client):
    assert client.get(LIBRARY).status_code == 302
    assert client.get(LIBRARY)["Location"].startswith(reverse("login"))
    assert agency_client.post(LIBRARY).status_code == 405


def test_library_query_count_does_not_grow_with_documents(
    world, media, noivu_client, agency_client, django_assert_num_queries
):
    for number in range(3):
        _document(world.agency, f"Kế hoạch {number}")
        _document(world.other, f"Báo cáo {number}")

    # session, user, user's groups, documents with their agencies (count, page)
    with django_assert_num_queries(5):
        noivu_client.get(LIBRARY)
    # session, user, user's groups, membership with agency, documents (count, page)
    with django_assert_num_queries(6):
        agency_client.get(LIBRARY)


# -- The report page takes documents from the library --------------------------------------


def test_agency_attaches_a_library_document_to_its_report_with_its_place(
    world, today, media, agency_client, agency_user
):
    document = _document(world.agency, "Kế hoạch")
    EvidenceDocument.objects.filter(pk=document.pk).update(number="252/KH-UBND")
    report = make_report(world, "1.1")
    url = reverse("assignments:report-update", args=[report.pk])
    assert not report.evidence.exists()

    response = agency_client.post(
        url,
        report_form_data(
            report, library_document=document.pk, location="Mục II.3, trang 4", save=""
        ),
    )

    assert response.status_code == 302
    link = report.evidence.get()
    assert (link.document, link.location, link.uploaded_by) == (
        document,
        "Mục II.3, trang 4",
        agency_user,
    )
    assert link.file.name == document.file.name
    page = agency_client.get(reverse("assignments:report-detail", args=[report.pk])).text
    assert "252/KH-UBND; Mục II.3, trang 4;" in page


def test_a_document_of_another_agency_cannot_be_attached(world, today, media, agency_client):
    theirs = _document(world.other, "Kế hoạch của huyện")
    report = make_report(world, "1.1")
    url = reverse("assignments:report-update", args=[report.pk])

    response = agency_client.post(
        url, report_form_data(report, library_document=theirs.pk, save="")
    )

    assert response.status_code == 200
    assert "library_document" in response.context["report_form"].errors
    assert not report.evidence.exists()


def test_a_file_uploaded_on_the_report_page_goes_into_the_library_once(
    world, today, media, agency_client
):
    report, other_report = make_report(world, "1.1"), make_report(world, "1.2")

    post_evidence(agency_client, report, upload("Kế hoạch 252.pdf", PDF_BYTES))
    post_evidence(agency_client, report, upload("bản sao.pdf", PDF_BYTES))
    post_evidence(agency_client, other_report, upload("Kế hoạch 252.pdf", PDF_BYTES))

    document = EvidenceDocument.objects.get()
    assert (document.agency, document.title) == (world.agency, "Kế hoạch 252")
    assert [e.document for e in Evidence.objects.order_by("pk")] == [document, document]
    assert len(list(media.rglob("*.pdf"))) == 1
    listed = agency_client.get(LIBRARY)
    assert [d.pk for d in listed.context["documents"]] == [document.pk]
