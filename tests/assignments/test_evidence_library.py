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

from assignments.models import Evidence, EvidenceDocument, EvidenceLink
from tests.assignments.reporting import PDF_BYTES, PNG_BYTES, make_report

pytestmark = pytest.mark.django_db

library_migration = importlib.import_module("assignments.migrations.0011_evidence_into_documents")


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
        .loader.project_state(("assignments", "0010_evidence_document_library"))
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
