from pathlib import Path

import pytest
from django.core.management import call_command

from assignments.matching import AgencyRegistry

AGENCIES_FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "agencies.json"


@pytest.fixture
def tien_giang(db) -> None:
    """Tiền Giang's agencies and groups, as the run command loads them."""
    call_command("loaddata", AGENCIES_FIXTURE, verbosity=0)


@pytest.fixture
def registry(tien_giang) -> AgencyRegistry:
    return AgencyRegistry.load()
