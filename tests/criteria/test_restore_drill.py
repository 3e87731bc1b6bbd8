"""Backup and restore on PostgreSQL: a restored copy has the same rows and totals, and the
media backup holds every evidence file the restored rows name."""

import io
import subprocess
import tarfile
from decimal import Decimal
from pathlib import Path

import pytest
from axes.models import AccessLog
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from assignments.models import Evidence
from criteria.management.commands import restore_drill
from criteria.models import Framework, IndexResult
from tests.assignments.reporting import build_world, make_report


@pytest.fixture
def postgres(transactional_db, django_db_serialized_rollback) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore need PostgreSQL; this runs in the PostgreSQL pass")


def test_restore_drill_restores_identical_counts_and_totals(postgres):
    call_command("loaddata", "fixtures/seed_plan.json", verbosity=0)

    call_command("restore_drill", stdout=(out := io.StringIO()))

    assert "Khôi phục khớp" in out.getvalue()


def dump_now(path: Path) -> Path:
    params = connection.get_connection_params()
    subprocess.run(
        ["pg_dump", "-Fc", "-h", params["host"], "-U", params["user"], "-d", params["dbname"]]
        + ["-f", path],
        check=True,
    )
    return path


def visit_the_site() -> None:
    """What a live site writes at any moment: a session, a login log line, and a result."""
    session = SessionStore()
    session["seen"] = True
    session.create()
    AccessLog.objects.create(
        username="noivu", ip_address="10.0.0.7", user_agent="Firefox", attempt_time=timezone.now()
    )


def test_restore_drill_is_not_fooled_by_a_site_in_use_during_the_drill(postgres, monkeypatch):
    call_command("loaddata", "fixtures/seed_plan.json", verbosity=0)
    run = subprocess.run

    def writes_while_dumping_and_restoring(command, **kwargs):
        # Writes as pg_dump starts and while pg_restore runs, committed at once.
        visit_the_site()
        IndexResult.objects.create(province=command[0], year=2018, total=Decimal("81.5"))
        return run(command, **kwargs)

    monkeypatch.setattr(restore_drill.subprocess, "run", writes_while_dumping_and_restoring)

    call_command("restore_drill", stdout=(out := io.StringIO()), stderr=io.StringIO())

    assert "Khôi phục khớp" in out.getvalue()
    assert IndexResult.objects.filter(province__in=["pg_dump", "pg_restore"]).count() == 2


def test_older_backup_leaves_out_the_tables_each_visit_changes_and_says_why(postgres, tmp_path):
    call_command("loaddata", "fixtures/seed_plan.json", verbosity=0)
    old = dump_now(tmp_path / "old.dump")
    visit_the_site()

    call_command("restore_drill", "--dump", str(old), stdout=(out := io.StringIO()))

    assert "Khôi phục khớp" in out.getvalue()
    assert "Bỏ qua django_session khi so với CSDL hiện tại" in out.getvalue()
    assert "Bỏ qua axes_accesslog khi so với CSDL hiện tại" in out.getvalue()


def test_restore_drill_reports_a_backup_that_no_longer_matches(postgres, tmp_path):
    call_command("loaddata", "fixtures/seed_plan.json", verbosity=0)
    old = dump_now(tmp_path / "old.dump")
    IndexResult.objects.create(province="Tiền Giang", year=2018, total=Decimal("80.01"), rank=40)

    with pytest.raises(CommandError, match="khác bản gốc"):
        call_command(
            "restore_drill", "--dump", str(old), stdout=io.StringIO(), stderr=(err := io.StringIO())
        )

    assert "rows:criteria_indexresult: 4 ≠ 3" in err.getvalue()
    assert Framework.objects.count() == 1


def test_restore_drill_refuses_sqlite():
    if connection.vendor == "postgresql":
        pytest.skip("the refusal is for SQLite")

    with pytest.raises(CommandError, match="chỉ chạy với PostgreSQL"):
        call_command("restore_drill")


@pytest.fixture
def evidence(postgres, agency, other_agency, settings, tmp_path) -> list[Evidence]:
    """Two evidence files of a report, on the disk the site uses."""
    settings.MEDIA_ROOT = tmp_path / "media"
    report = make_report(build_world(agency, other_agency), "1.1")
    rows = []
    for name, content in (("evidence/2019/a.pdf", b"%PDF-a"), ("evidence/2019/b.png", b"PNG-b")):
        path = settings.MEDIA_ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        rows.append(
            Evidence.objects.create(
                report=report,
                file=name,
                original_name=Path(name).name,
                content_type="application/octet-stream",
                size=len(content),
            )
        )
    return rows


def media_tarball(media: Path, out: Path, *, leave_out: str = "") -> Path:
    """As the README's backup does: tar czf media.tgz -C MEDIA_ROOT ."""
    with tarfile.open(out, "w:gz") as tar:
        for path in sorted(media.rglob("*")):
            name = path.relative_to(media).as_posix()
            if path.is_file() and name != leave_out:
                tar.add(path, arcname=f"./{name}")
    return out


def test_media_backup_with_every_evidence_file_passes(evidence, settings, tmp_path):
    tarball = media_tarball(settings.MEDIA_ROOT, tmp_path / "media.tgz")

    call_command("restore_drill", "--media", str(tarball), stdout=(out := io.StringIO()))

    assert "2 tệp minh chứng có đủ trong bản sao lưu tệp" in out.getvalue()


def test_evidence_file_missing_from_the_media_backup_fails_the_drill(evidence, settings, tmp_path):
    tarball = media_tarball(
        settings.MEDIA_ROOT, tmp_path / "media.tgz", leave_out="evidence/2019/b.png"
    )

    with pytest.raises(CommandError, match="1 tệp minh chứng thiếu"):
        call_command(
            "restore_drill",
            "--media",
            str(tarball),
            stdout=io.StringIO(),
            stderr=(err := io.StringIO()),
        )

    assert (
        f"assignments_evidence #{evidence[1].pk}: thiếu tệp evidence/2019/b.png "
        "trong bản sao lưu tệp." in err.getvalue()
    )


def test_evidence_file_of_another_size_in_a_media_folder_fails_the_drill(evidence, tmp_path):
    backup = tmp_path / "media-copy" / "evidence" / "2019"
    backup.mkdir(parents=True)
    (backup / "a.pdf").write_bytes(b"%PDF-a")
    (backup / "b.png").write_bytes(b"PNG")  # cut short

    with pytest.raises(CommandError):
        call_command(
            "restore_drill",
            "--media",
            str(tmp_path / "media-copy"),
            stdout=io.StringIO(),
            stderr=(err := io.StringIO()),
        )

    assert "tệp evidence/2019/b.png có 3 byte, CSDL ghi 5 byte" in err.getvalue()


def test_without_a_media_backup_the_files_are_checked_on_the_site_s_disk(evidence, settings):
    (settings.MEDIA_ROOT / "evidence/2019/a.pdf").unlink()

    with pytest.raises(CommandError):
        call_command("restore_drill", stdout=(out := io.StringIO()), stderr=(err := io.StringIO()))

    assert "đối chiếu với MEDIA_ROOT" in out.getvalue()
    assert "thiếu tệp evidence/2019/a.pdf" in err.getvalue()
