"""The scratch database the benchmarks fill and drop: never the project's own.

PostgreSQL (the default, as in production): database `par_bench` on 127.0.0.1, made fresh
for each scale from a migrated template `par_bench_template`, both dropped at the end.
SQLite (`--db sqlite`): a file under /tmp/par_bench, copied from a migrated template file.

Call `configure()` before Django is set up: the database is read from the environment.
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/par_bench"
SCRATCH_DIR = Path(os.environ.get("BENCH_SCRATCH_DIR", Path(tempfile.gettempdir()) / "par_bench"))


def configure(db: str) -> str:
    """Point Django at the scratch database of kind `db` ("postgres" or "sqlite")."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    SCRATCH_DIR.mkdir(parents=True, exist_ok=True)
    if db == "postgres":
        url = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    else:
        url = f"sqlite:///{SCRATCH_DIR / 'bench.sqlite3'}"
    os.environ["BENCH_DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    return url


def _is_postgres() -> bool:
    return os.environ["BENCH_DATABASE_URL"].startswith("postgres")


def _admin_connection():
    """A connection to the server's `postgres` database, for CREATE and DROP DATABASE."""
    import psycopg2

    parts = urlsplit(os.environ["BENCH_DATABASE_URL"])
    connection = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    connection.autocommit = True
    return connection


def _name() -> str:
    return urlsplit(os.environ["BENCH_DATABASE_URL"]).path.lstrip("/")


def _sqlite_path() -> Path:
    return Path(urlsplit(os.environ["BENCH_DATABASE_URL"]).path)


def _execute(*statements: str) -> None:
    connection = _admin_connection()
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def create_template() -> None:
    """Migrate an empty scratch database once and keep it as the template of every scale."""
    from django.core.management import call_command
    from django.db import connections

    drop()
    if _is_postgres():
        _execute(f'CREATE DATABASE "{_name()}"')
    call_command("migrate", verbosity=0, interactive=False)
    connections.close_all()
    if _is_postgres():
        _execute(f'CREATE DATABASE "{_name()}_template" TEMPLATE "{_name()}"')
    else:
        shutil.copyfile(_sqlite_path(), _sqlite_path().with_suffix(".template"))


def fresh() -> None:
    """An empty, migrated scratch database, copied from the template."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections

    connections.close_all()
    if _is_postgres():
        _execute(
            f'DROP DATABASE IF EXISTS "{_name()}" WITH (FORCE)',
            f'CREATE DATABASE "{_name()}" TEMPLATE "{_name()}_template"',
        )
    else:
        shutil.copyfile(_sqlite_path().with_suffix(".template"), _sqlite_path())
    ContentType.objects.clear_cache()


def drop() -> None:
    """Remove the scratch database and its template."""
    from django.db import connections

    connections.close_all()
    if _is_postgres():
        _execute(
            f'DROP DATABASE IF EXISTS "{_name()}" WITH (FORCE)',
            f'DROP DATABASE IF EXISTS "{_name()}_template" WITH (FORCE)',
        )
    else:
        for path in (_sqlite_path(), _sqlite_path().with_suffix(".template")):
            path.unlink(missing_ok=True)
