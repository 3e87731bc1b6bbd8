from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from assignments.matching import AgencyRegistry

AGENCIES_FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "agencies.json"


@pytest.fixture
def tien_giang(db) -> None:
    """Tiền Giang's agencies and groups, as the run command loads them."""
    call_command("loaddata", AGENCIES_FIXTURE, verbosity=0)


@pytest.fixture(scope="module")
def registry(django_db_setup, django_db_blocker) -> AgencyRegistry:
    """The registry of Tiền Giang, read once per module; the rows are rolled back after.

    Only for tests that match texts. A test that changes agencies uses `fresh_registry`.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", AGENCIES_FIXTURE, verbosity=0)
        loaded = AgencyRegistry.load()
        transaction.set_rollback(True)
    return loaded


@pytest.fixture
def fresh_registry(tien_giang) -> AgencyRegistry:
    return AgencyRegistry.load()
