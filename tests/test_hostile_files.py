"""The hostile corpus, sent through the real request paths: each file is refused with the
message its sender needs, nothing is written, and no request holds much memory.

Time is not asserted (timings on a shared machine are noise); bench/hostile.py measures it.
"""

from pathlib import Path

import pytest
from django.test import Client

from assignments.models import Evidence
from tests.assignments.reporting import build_world, make_report
from tests.hostile_files import (
    APPENDIX,
    CORPUS,
    MEGABYTE,
    measure_memory,
    refusal,
    send,
    table_rows,
)

pytestmark = pytest.mark.django_db

# Measured here (Python 3.13, Django 6.1; SQLite and PostgreSQL gave the same figures):
# the largest peaks are 24.8 MB for the 6 MB spreadsheet and 22.2 MB for the 11 MB PDF,
# copies of the upload itself (the test client's encoded body, Django's uploaded file, the
# import form reading the file whole); the 1 GB zip bombs peak at 7.6 MB (.xlsx) and 3.3 MB
# (.docx), everything else under 1 MB. A file that were unpacked would blow far past this.
# The row-count files peak at 4.6 MB (30,000 rows) and 15.6 MB (140,000 rows): the rows
# read up to the limit and the DTD scan of the sheet's XML.
PEAK_BOUND = 64 * MEGABYTE


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.parametrize("hostile", CORPUS, ids=[hostile.label for hostile in CORPUS])
def test_hostile_file_is_refused_with_its_message_writing_nothing_in_bounded_memory(
    hostile, media, settings, admin_client, agency_user, other_agency
):
    world = build_world(agency_user.membership.agency, other_agency)
    report = make_report(world, "1.1")
    if hostile.route == APPENDIX:
        client = admin_client
    else:
        client = Client()
        client.force_login(agency_user)
    assert hostile.content  # built before measuring: the corpus is not the request's memory
    before = table_rows()

    measured = measure_memory(
        lambda: send(client, hostile, plan_pk=world.plan.pk, report_pk=report.pk)
    )

    response = measured.response
    assert response.status_code == 200
    assert hostile.message in refusal(response)
    assert table_rows() == before
    assert not Evidence.objects.exists()
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))
    uploads = Path(settings.APPENDIX_UPLOAD_DIR)
    assert not uploads.exists() or not any(uploads.iterdir())
    assert measured.peak_bytes < PEAK_BOUND, f"{measured.peak_bytes / MEGABYTE:.1f} MB"
