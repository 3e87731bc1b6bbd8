"""Backup, restore, compare: does a backup hold what the site held, files included?

A fresh backup is taken inside one repeatable-read transaction whose snapshot pg_dump
shares: the row counts and totals it is compared with are read in that same snapshot, so a
live site (sessions, login logs, anything written during the drill) cannot make the copy
look wrong. An older backup (--dump) can only be compared with the database as it is now:
the tables that change with every visit are left out of that comparison, with the reason.
Every stored file a restored row names must be in the media backup (--media), at its size.
"""

import os
import subprocess
import tarfile
import tempfile
import uuid
from pathlib import Path, PurePosixPath

import psycopg2
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models
from django.utils.translation import gettext as _
from psycopg2 import extensions, sql

# Sums that must survive a backup to the cent, besides every table's row count.
TOTALS = {
    "criteria_score.value": "SELECT COALESCE(SUM(value), 0) FROM criteria_score",
    "criteria_criterion.max_score": "SELECT COALESCE(SUM(max_score), 0) FROM criteria_criterion",
    "criteria_target.min_score": "SELECT COALESCE(SUM(min_score), 0) FROM criteria_target",
    "criteria_indexresult.total": "SELECT COALESCE(SUM(total), 0) FROM criteria_indexresult",
}
# Tables that change with every visit or login rather than with the portal's data. They are
# left out only when an older backup is compared with the database as it is now.
VOLATILE_TABLES = (
    "django_session",
    "axes_accessattempt",
    "axes_accessattemptexpiration",
    "axes_accessfailurelog",
    "axes_accesslog",
)


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


def _stored_files(conn) -> list[tuple[str, object, str, int | None]]:
    """Every file a row of the restored database names: (table, id, name, size or None).
    Found from the models' file fields; a model with a `size` field states the file's size."""
    found = []
    with conn.cursor() as cursor:
        for model in apps.get_models():
            names = {field.name for field in model._meta.concrete_fields}
            for field in model._meta.concrete_fields:
                if not isinstance(field, models.FileField):
                    continue
                size = sql.Identifier("size") if "size" in names else sql.SQL("NULL")
                cursor.execute(
                    sql.SQL("SELECT {}, {}, {} FROM {} WHERE {} <> '' ORDER BY 1").format(
                        sql.Identifier(model._meta.pk.column),
                        sql.Identifier(field.column),
                        size,
                        sql.Identifier(model._meta.db_table),
                        sql.Identifier(field.column),
                    )
                )
                found += [(model._meta.db_table, pk, name, sz) for pk, name, sz in cursor]
    return found


def _media_files(media: Path) -> dict[str, int]:
    """The files of a media backup, a folder or a tarball, by path relative to its root."""
    if media.is_dir():
        return {
            path.relative_to(media).as_posix(): path.stat().st_size
            for path in media.rglob("*")
            if path.is_file()
        }
    if media.is_file() and tarfile.is_tarfile(media):
        with tarfile.open(media, "r:*") as tar:
            return {
                PurePosixPath(os.path.normpath(member.name)).as_posix().lstrip("/"): member.size
                for member in tar.getmembers()
                if member.isfile()
            }
    raise CommandError(
        _("Không đọc được bản sao lưu tệp %(path)s: cần một thư mục hoặc tệp .tar/.tgz.")
        % {"path": media}
    )


def _file_problems(stored: list, media: dict[str, int]) -> list[str]:
    problems = []
    for table, pk, name, size in stored:
        held = media.get(name)
        if held is None:
            problems.append(
                _("%(table)s #%(id)s: thiếu tệp %(name)s trong bản sao lưu tệp.")
                % {"table": table, "id": pk, "name": name}
            )
        elif size is not None and held != size:
            problems.append(
                _("%(table)s #%(id)s: tệp %(name)s có %(held)s byte, CSDL ghi %(size)s byte.")
                % {"table": table, "id": pk, "name": name, "held": held, "size": size}
            )
    return problems


def _libpq_args(params: dict) -> list[str]:
    args = []
    for flag, key in (("-h", "host"), ("-p", "port"), ("-U", "user")):
        if params.get(key):
            args += [flag, str(params[key])]
    return args


class Command(BaseCommand):
    help = _(
        "Diễn tập khôi phục: sao lưu CSDL PostgreSQL bằng pg_dump, khôi phục vào một CSDL mới, "
        "so sánh số dòng của mọi bảng cùng các tổng điểm, và kiểm tra mọi tệp minh chứng có "
        "trong bản sao lưu tệp."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dump", type=Path, help=_("Khôi phục từ tệp sao lưu này thay vì sao lưu mới")
        )
        parser.add_argument(
            "--media",
            type=Path,
            help=_(
                "Bản sao lưu tệp (thư mục hoặc tệp .tgz) để kiểm tra tệp minh chứng; "
                "mặc định là MEDIA_ROOT"
            ),
        )

    def handle(self, *args, dump: Path | None, media: Path | None, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(_("Diễn tập khôi phục chỉ chạy với PostgreSQL (DATABASE_URL)."))
        params = connection.get_connection_params()
        source = params.get("dbname") or params.get("database")
        scratch = f"restore_drill_{uuid.uuid4().hex[:8]}"
        env = {"PGPASSWORD": str(params.get("password") or "")}
        skipped: tuple[str, ...] = ()
        with tempfile.TemporaryDirectory() as folder:
            if dump is None:
                dump = Path(folder) / "backup.dump"
                expected = self._dump_in_one_snapshot(params, source, dump, env)
            else:
                skipped = VOLATILE_TABLES
            admin = psycopg2.connect(**{**_connect(params), "dbname": "postgres"})
            admin.autocommit = True
            try:
                with admin.cursor() as cursor:
                    cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
                self._run(
                    ["pg_restore", "--no-owner", *_libpq_args(params), "-d", scratch, str(dump)],
                    env,
                )
                if skipped:
                    expected = self._figures_of(params, source)
                restored_conn = psycopg2.connect(**{**_connect(params), "dbname": scratch})
                try:
                    restored = _figures(restored_conn)
                    stored = _stored_files(restored_conn)
                finally:
                    restored_conn.close()
            finally:
                with admin.cursor() as cursor:
                    cursor.execute(
                        sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(scratch))
                    )
                admin.close()
        for table in skipped:
            self.stdout.write(
                _(
                    "Bỏ qua %(table)s khi so với CSDL hiện tại: bảng này thay đổi theo từng lượt "
                    "truy cập, đăng nhập, không phải dữ liệu của cổng."
                )
                % {"table": table}
            )
        ignored = {f"rows:{table}" for table in skipped}
        differences = [
            f"{key}: {expected.get(key)} ≠ {restored.get(key)}"
            for key in sorted((expected.keys() | restored.keys()) - ignored)
            if expected.get(key) != restored.get(key)
        ]
        media_root = media or Path(settings.MEDIA_ROOT)
        if media is None:
            self.stdout.write(
                _(
                    "Tệp minh chứng được đối chiếu với MEDIA_ROOT (%(path)s), không phải bản sao "
                    "lưu tệp: dùng --media để kiểm tra bản sao lưu."
                )
                % {"path": media_root}
            )
        files = _media_files(media_root) if media_root.exists() or media else {}
        missing = _file_problems(stored, files)
        for line in [*differences, *missing]:
            self.stderr.write(line)
        if differences or missing:
            raise CommandError(
                _(
                    "Bản khôi phục khác bản gốc ở %(n)s chỉ số; %(files)s tệp minh chứng thiếu "
                    "hoặc sai dung lượng."
                )
                % {"n": len(differences), "files": len(missing)}
            )
        self.stdout.write(
            _(
                "Khôi phục khớp: %(tables)s bảng, %(rows)s dòng, các tổng điểm trùng khớp; "
                "%(files)s tệp minh chứng có đủ trong bản sao lưu tệp."
            )
            % {
                "tables": len([k for k in expected if k.startswith("rows:")]),
                "rows": sum(v for k, v in expected.items() if k.startswith("rows:")),
                "files": len(stored),
            }
        )

    def _dump_in_one_snapshot(
        self, params: dict, source: str, dump: Path, env: dict[str, str]
    ) -> dict[str, object]:
        """pg_dump and the figures it is compared with, from one snapshot of the database."""
        conn = psycopg2.connect(**{**_connect(params), "dbname": source})
        try:
            conn.set_session(
                isolation_level=extensions.ISOLATION_LEVEL_REPEATABLE_READ, readonly=True
            )
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            figures = _figures(conn)
            self._run(
                [
                    "pg_dump",
                    "-Fc",
                    f"--snapshot={snapshot}",
                    *_libpq_args(params),
                    "-d",
                    source,
                    "-f",
                    str(dump),
                ],
                env,
            )
            conn.rollback()
            return figures
        finally:
            conn.close()

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
