from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from assignments.matching import AgencyRegistry
from criteria.importers import read_appendix
from criteria.models import Plan
from criteria.services import import_appendix

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
AGENCIES_FIXTURE = FIXTURES / "agencies.json"
SEED_PLAN_NUMBER = "252/KH-UBND"


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


@pytest.fixture
def seed_plan(tien_giang) -> Plan:
    """Plan 252/KH-UBND with its appendix imported after the agencies, as load_demo does."""
    call_command("loaddata", FIXTURES / "seed_plan.json", verbosity=0)
    plan = Plan.objects.select_related("framework").get(number=SEED_PLAN_NUMBER)
    import_appendix(table=read_appendix(seed_appendix()), plan=plan)
    return plan


@pytest.fixture
def seed_tasks(seed_plan) -> Plan:
    """The plan with the tasks of its section II, loaded from their fixture."""
    call_command("loaddata", FIXTURES / "tasks_252.json", verbosity=0)
    return seed_plan


def seed_appendix() -> bytes:
    return (FIXTURES / "appendix_252_KH-UBND.xlsx").read_bytes()
