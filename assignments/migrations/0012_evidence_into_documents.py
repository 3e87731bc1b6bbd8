"""Every report's evidence file becomes a document of its agency's library, linked to the
report: the same stored file (nothing is copied or deleted), who uploaded it and when, and a
first history record of the document by that person at that time. Two identical files of one
agency become one document."""

import hashlib

from django.db import migrations


def _sha256(field_file) -> str:
    """The stored file's SHA-256, or "" when the file is missing from the storage."""
    digest = hashlib.sha256()
    try:
        with field_file.storage.open(field_file.name, "rb") as stream:
            for chunk in iter(lambda: stream.read(64 * 1024), b""):
                digest.update(chunk)
    except FileNotFoundError:
        return ""
    return digest.hexdigest()


def evidence_into_documents(apps, schema_editor) -> None:
    Evidence = apps.get_model("assignments", "Evidence")
    EvidenceDocument = apps.get_model("assignments", "EvidenceDocument")
    HistoricalEvidenceDocument = apps.get_model("assignments", "HistoricalEvidenceDocument")
    rows = Evidence.objects.filter(document__isnull=True).select_related("report").order_by("pk")
    for evidence in rows.iterator(chunk_size=500):
        agency_id = evidence.report.agency_id
        sha256 = _sha256(evidence.file) if evidence.file.name else ""
        document = (
            EvidenceDocument.objects.filter(agency_id=agency_id, sha256=sha256).first()
            if sha256
            else None
        )
        if document is None:
            document = EvidenceDocument.objects.create(
                agency_id=agency_id,
                file=evidence.file.name,
                original_name=evidence.original_name,
                content_type=evidence.content_type,
                size=evidence.size,
                sha256=sha256,
                uploaded_by_id=evidence.uploaded_by_id,
            )
            EvidenceDocument.objects.filter(pk=document.pk).update(uploaded_at=evidence.uploaded_at)
            HistoricalEvidenceDocument.objects.create(
                id=document.pk,
                agency_id=agency_id,
                number="",
                issuer="",
                title="",
                original_name=document.original_name,
                content_type=document.content_type,
                size=document.size,
                sha256=sha256,
                uploaded_by_id=evidence.uploaded_by_id,
                uploaded_at=evidence.uploaded_at,
                history_date=evidence.uploaded_at,
                history_type="+",
                history_user_id=evidence.uploaded_by_id,
            )
        Evidence.objects.filter(pk=evidence.pk).update(document=document)


def documents_back_into_evidence(apps, schema_editor) -> None:
    """The reports' evidence keeps its own file: unlink it and empty the library (links to
    sub-criteria and tasks have no place in the old shape)."""
    Evidence = apps.get_model("assignments", "Evidence")
    Evidence.objects.update(document=None)
    apps.get_model("assignments", "EvidenceLink").objects.all().delete()
    apps.get_model("assignments", "EvidenceDocument").objects.all().delete()
    apps.get_model("assignments", "HistoricalEvidenceDocument").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("assignments", "0011_evidence_document_library")]

    operations = [migrations.RunPython(evidence_into_documents, documents_back_into_evidence)]
