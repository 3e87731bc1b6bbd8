"""The README tells an operator every setting the portal reads and every make variable."""

import re
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
README = (BASE_DIR / "README.md").read_text(encoding="utf-8")
READ = re.compile(r"""(?:env_\w+\(|os\.environ(?:\.get\(|\[))\s*["']([A-Z][A-Z0-9_]+)["']""")


def _settings_read() -> set[str]:
    return set(READ.findall((BASE_DIR / "par_portal" / "settings.py").read_text()))


def _documented_settings() -> set[str]:
    """The names in the first column of the README's tables."""
    names = set()
    for line in README.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1]))
    return names


def test_every_environment_variable_of_the_settings_is_in_the_readme_table():
    read = _settings_read()

    assert {"DJANGO_SECRET_KEY", "DJANGO_SECURE_SSL_REDIRECT", "PAR_TRUSTED_PROXY_COUNT"} <= read
    assert sorted(read - _documented_settings()) == []


def test_readme_names_the_tools_the_test_run_needs_besides_python():
    # compilemessages calls msgfmt; the restore drill calls pg_dump and pg_restore.
    for tool in ("msgfmt", "pg_dump", "pg_restore", "chromium"):
        assert f"`{tool}`" in README


def test_readme_documents_the_make_variables():
    makefile = (BASE_DIR / "Makefile").read_text()

    for variable in ("PORT", "POSTGRES_URL", "PYTEST_WORKERS", "PYTEST_ARGS"):
        assert re.search(rf"^{variable} \?=", makefile, re.MULTILINE), variable
        assert f"{variable}=" in README, variable
    assert "make screenshots" in README
