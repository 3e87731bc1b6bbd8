import os
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg2
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _
from psycopg2 import sql

# Sums that must survive a backup to the cent, besides every table's row count.
TOTALS = {
    "criteria_score.value": "SELECT COALESCE(SUM(value), 0) FROM criteria_score",
    "criteria_criterion.max_score": "SELECT COALESCE(SUM(max_score), 0) FROM criteria_criterion",
    "criteria_target.min_score": "SELECT COALESCE(SUM(min_score), 0) FROM criteria_target",
    "criteria_indexresult.total": "SELECT COALESCE(SUM(total), 0) FROM criteria_indexresult",
}


def _figures(conn) -> dict[str, object]:
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        tables = [row[0] for row in cursor.fetchall()]
        figures: dict[str, object] = {}
        for table in tables:
            cursor.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(table)))
            figures[f"rows:{table}"] = cursor.fetchone()[0]
        for name, query in TOTALS.items():
            cursor.execute(query)
            figures[f"sum:{name}"] = cursor.fetchone()[0]
    return figures


def _libpq_args(params: dict) -> list[str]:
    args = []
    for flag, key in (("-h", "host"), ("-p", "port"), ("-U", "user")):
        if params.get(key):
            args += [flag, str(params[key])]
    return args


class Command(BaseCommand):
    help = _(
        "Diễn tập khôi phục: sao lưu CSDL PostgreSQL bằng pg_dump, khôi phục vào một CSDL mới "
        "và so sánh số dòng của mọi bảng cùng các tổng điểm."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dump", type=Path, help=_("Khôi phục từ tệp sao lưu này thay vì sao lưu mới")
        )

    def handle(self, *args, dump: Path | None, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(_("Diễn tập khôi phục chỉ chạy với PostgreSQL (DATABASE_URL)."))
        params = connection.get_connection_params()
        source = params.get("dbname") or params.get("database")
        scratch = f"restore_drill_{uuid.uuid4().hex[:8]}"
        env = {"PGPASSWORD": str(params.get("password") or "")}
        with tempfile.TemporaryDirectory() as folder:
            if dump is None:
                dump = Path(folder) / "backup.dump"
                self._run(
                    ["pg_dump", "-Fc", *_libpq_args(params), "-d", source, "-f", str(dump)], env
                )
            admin = psycopg2.connect(**{**_connect(params), "dbname": "postgres"})
            admin.autocommit = True
            try:
                with admin.cursor() as cursor:
                    cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
                self._run(
                    ["pg_restore", "--no-owner", *_libpq_args(params), "-d", scratch, str(dump)],
                    env,
                )
                expected = self._figures_of(params, source)
                restored = self._figures_of(params, scratch)
            finally:
                with admin.cursor() as cursor:
                    cursor.execute(
                        sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(scratch))
                    )
                admin.close()
        differences = [
            f"{key}: {expected.get(key)} ≠ {restored.get(key)}"
            for key in sorted(expected.keys() | restored.keys())
            if expected.get(key) != restored.get(key)
        ]
        if differences:
            for line in differences:
                self.stderr.write(line)
            raise CommandError(
                _("Bản khôi phục khác bản gốc ở %(n)s chỉ số.") % {"n": len(differences)}
            )
        self.stdout.write(
            _("Khôi phục khớp: %(tables)s bảng, %(rows)s dòng, các tổng điểm trùng khớp.")
            % {
                "tables": len([k for k in expected if k.startswith("rows:")]),
                "rows": sum(v for k, v in expected.items() if k.startswith("rows:")),
            }
        )

    def _figures_of(self, params: dict, dbname: str) -> dict[str, object]:
        conn = psycopg2.connect(**{**_connect(params), "dbname": dbname})
        try:
            return _figures(conn)
        finally:
            conn.close()

    def _run(self, command: list[str], env: dict[str, str]) -> None:
        # The command is pg_dump/pg_restore with arguments from our own settings.
        result = subprocess.run(  # noqa: S603
            command, env=os.environ | env, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise CommandError(f"{command[0]}: {result.stderr.strip()}")


def _connect(params: dict) -> dict:
    return {key: params[key] for key in ("host", "port", "user", "password") if params.get(key)}
