"""Backup and restore on PostgreSQL: a restored copy has the same rows and totals."""

import io
import subprocess
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from criteria.models import Framework, IndexResult


@pytest.fixture
def postgres(transactional_db, django_db_serialized_rollback) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore need PostgreSQL; this runs in the PostgreSQL pass")


def test_restore_drill_restores_identical_counts_and_totals(postgres):
    call_command("loaddata", "fixtures/seed_plan.json", verbosity=0)

    call_command("restore_drill", stdout=(out := io.StringIO()))

    assert "Khôi phục khớp" in out.getvalue()


def test_restore_drill_reports_a_backup_that_no_longer_matches(postgres, tmp_path):
    call_command("loaddata", "fixtures/seed_plan.json", verbosity=0)
    params = connection.get_connection_params()
    old = tmp_path / "old.dump"
    subprocess.run(
        [
            "pg_dump",
            "-Fc",
            "-h",
            params["host"],
            "-U",
            params["user"],
            "-d",
            params["dbname"],
            "-f",
            old,
        ],
        check=True,
    )
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
