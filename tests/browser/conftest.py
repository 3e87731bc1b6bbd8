"""Journeys in a real headless Chromium against pytest-django's live server.

pytest-playwright provides the browser, context and page fixtures; here they are pointed
at Debian's /usr/bin/chromium, because `playwright install` cannot download its own
browsers on these machines.
"""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from criteria.importers import read_appendix
from criteria.models import Plan
from criteria.services import import_appendix
from tests.browser import screenshots

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
FIXTURES = Path(settings.BASE_DIR) / "fixtures"


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    if not CHROMIUM.exists():
        # A missing browser is a broken machine, not a reason to skip the journeys.
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. "
            "Install it with `make browser` (apt-get install chromium, as root).",
            pytrace=False,
        )
    return {"executable_path": str(CHROMIUM), "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args() -> dict:
    return {"viewport": {"width": 1366, "height": 768}, "locale": "vi-VN"}


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    # The test server speaks plain HTTP. Production's HTTPS redirect is read once, when the
    # server builds its middleware, so it is turned off while the server starts.
    with override_settings(SECURE_SSL_REDIRECT=False):
        server = LiveServer("localhost")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _migrated_rows_copy(django_db_setup) -> dict[str, str]:
    """The copy of the rows migrations made (the role groups) that pytest-django took when
    it created the test databases, read before Playwright starts (see below).

    Taking a new copy later would copy whatever an earlier transactional test left: with
    several workers (pytest-xdist), one of them may have emptied the tables already.
    """
    copies = {
        connection.alias: connection._test_serialized_contents
        for connection in connections.all()
        if hasattr(connection, "_test_serialized_contents")
    }
    if not copies:
        pytest.fail("pytest-django kept no copy of the migrated rows", pytrace=False)
    return copies


@pytest.fixture(scope="session")
def _migrated_rows_serialized(_migrated_rows_copy, playwright) -> None:
    """Put that copy on the connections the journeys use.

    While Playwright's event loop runs, asgiref takes this thread for an async one and
    Django hands it connections of its own: they lack the copy pytest-django made on the
    first connection, without which serialized rollback puts nothing back.
    """
    for connection in connections.all():
        if not hasattr(connection, "_test_serialized_contents"):
            connection._test_serialized_contents = _migrated_rows_copy[connection.alias]


@pytest.fixture(autouse=True)
def _migrated_rows_restored(_migrated_rows_serialized, django_db_serialized_rollback) -> None:
    """Put back, before each journey, the rows migrations made.

    The live server only sees committed rows, so every journey ends by emptying all tables.
    """


@pytest.fixture
def seed_plan() -> Plan:
    """Plan 252/KH-UBND as `make serve` loads it: the seed fixture, the agencies, then its
    appendix, whose action texts are read for the agencies they name."""
    call_command("loaddata", FIXTURES / "seed_plan.json", verbosity=0)
    call_command("loaddata", FIXTURES / "agencies.json", verbosity=0)
    plan = Plan.objects.select_related("framework").get(number="252/KH-UBND")
    table = read_appendix((FIXTURES / "appendix_252_KH-UBND.xlsx").read_bytes())
    import_appendix(table=table, plan=plan)
    return plan


def _login(page: Page, live_server: LiveServer, user: AbstractBaseUser, password: str) -> None:
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Tên đăng nhập").fill(user.get_username())
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


@pytest.fixture
def login() -> Callable[[Page, LiveServer, AbstractBaseUser, str], None]:
    """Log in through the real login form: `login(page, live_server, user, password)`."""
    return _login


@pytest.fixture
def screenshot() -> Callable[..., Path | None]:
    """Save the page for the README: `screenshot(page, name)`, written only by
    `make screenshots` (docs/screenshots/<name>.png), never by a test run.

    `full_page=False` keeps only the window (1366x768), for pages too long to read whole.
    """
    return screenshots.save
