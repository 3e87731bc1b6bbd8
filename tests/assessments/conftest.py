"""The seed plan and Sở Tư pháp's yearly report, as the agencies' tests build them."""

from tests.assignments.conftest import seed_plan, seed_tasks, tien_giang, today  # noqa: F401
from tests.assignments.test_yearly_report import (  # noqa: F401
    agency_user,
    plan_document,
    tu_phap_report,
)
