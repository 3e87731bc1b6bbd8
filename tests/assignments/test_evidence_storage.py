"""Evidence files go through the "evidence" alias of STORAGES, so that a province with several
application servers can keep them in S3-compatible object storage; downloads still pass the
portal's access check. Django's InMemoryStorage stands in for the object storage."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import InMemoryStorage, storages
from django.urls import reverse

from assignments.models import Evidence, EvidenceDocument
from tests.assignments.reporting import PDF_BYTES, make_report, post_evidence, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def object_storage(settings, tmp_path) -> InMemoryStorage:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = settings.STORAGES | {
        "evidence": {"BACKEND": "django.core.files.storage.InMemoryStorage"}
    }
    storage = storages["evidence"]
    assert isinstance(storage, InMemoryStorage)
    return storage


def test_uploaded_files_go_to_the_evidence_storage_not_the_disk(
    world, today, object_storage, agency_client, noivu_client, other_client
):
    report = make_report(world, "1.1")

    post_evidence(agency_client, report, upload("Kế hoạch.pdf", PDF_BYTES))

    document, evidence = EvidenceDocument.objects.get(), Evidence.objects.get()
    assert object_storage.open(document.file.name).read() == PDF_BYTES
    assert not (django_settings.MEDIA_ROOT).exists()
    for url in (
        reverse("assignments:document-download", args=[document.pk]),
        reverse("assignments:evidence-download", args=[evidence.pk]),
    ):
        response = noivu_client.get(url)
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert other_client.get(url).status_code == 404


def test_a_file_missing_from_the_evidence_storage_gets_404(
    world, today, object_storage, agency_client
):
    report = make_report(world, "1.1")
    post_evidence(agency_client, report, upload("Kế hoạch.pdf", PDF_BYTES))
    document = EvidenceDocument.objects.get()
    object_storage.delete(document.file.name)

    response = agency_client.get(reverse("assignments:document-download", args=[document.pk]))

    assert response.status_code == 404


def _settings_storage(**env: str) -> subprocess.CompletedProcess:
    code = "from django.conf import settings; print(settings.STORAGES['evidence'])"
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("PAR_S3")
    } | {"DJANGO_SETTINGS_MODULE": "par_portal.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", code],  # the settings alone: django-storages is optional
        env=environment,
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
    )


def test_settings_choose_the_disk_by_default_and_s3_with_a_private_bucket():
    disk = _settings_storage()
    s3 = _settings_storage(
        PAR_EVIDENCE_STORAGE="s3",
        PAR_S3_BUCKET="par-tiengiang",
        PAR_S3_ENDPOINT_URL="https://s3.example.vn",
    )
    wrong = _settings_storage(PAR_EVIDENCE_STORAGE="ftp")

    assert "FileSystemStorage" in disk.stdout
    assert "storages.backends.s3.S3Storage" in s3.stdout
    assert "'bucket_name': 'par-tiengiang'" in s3.stdout
    assert "'default_acl': 'private'" in s3.stdout
    assert "'endpoint_url': 'https://s3.example.vn'" in s3.stdout
    assert wrong.returncode != 0
    assert "PAR_EVIDENCE_STORAGE must be 'disk' or 's3'" in wrong.stderr
