import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from assignments.matching import AgencyRegistry
from assignments.models import Agency, AgencyGroup, ContentArea, Task, TaskTarget
from assignments.owners import assign_from_actions
from criteria.importers import read_appendix
from criteria.models import Action, Criterion, Framework, Plan
from criteria.services import import_appendix
from tests.assignments.reporting import World, build_world

D = Decimal

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


@pytest.fixture
def plan(agency, other_agency) -> Plan:
    """A slice of 252/KH-UBND: criteria 3.3, 3.4, 8.1 and two content areas of two tasks each."""
    framework = Framework.objects.create(code="QĐ 2948/QĐ-BNV", name="Đề án", first_year=2017)
    plan = Plan.objects.create(
        number="252/KH-UBND",
        title="Nâng cao Chỉ số CCHC tỉnh Tiền Giang giai đoạn 2018-2020",
        issued_on=datetime.date(2018, 9, 19),
        province="Tiền Giang",
        framework=framework,
        baseline_year=2017,
        first_year=2018,
        last_year=2020,
    )
    for code, title in [
        ("3", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH"),
        ("3.3", "Thực hiện cơ chế một cửa, cơ chế một cửa liên thông"),
        ("3.4", "Kết quả giải quyết TTHC"),
        ("8.1", "Kết quả khảo sát sự hài lòng của người dân, tổ chức"),
    ]:
        Criterion.objects.create(framework=framework, code=code, title=title, max_score=D(2))
    Agency.objects.create(name="Sở Nội vụ", short_name="Sở NV", kind=Agency.Kind.DEPARTMENT)
    Agency.objects.create(
        name="Văn phòng UBND tỉnh", short_name="VPUB", kind=Agency.Kind.DEPARTMENT
    )
    AgencyGroup.objects.create(name="UBND cấp huyện", kinds=[Agency.Kind.DISTRICT])
    AgencyGroup.objects.create(name="UBND cấp xã", kinds=[Agency.Kind.COMMUNE])
    for code, text in [
        ("3.3", "Văn phòng UBND tỉnh tiếp tục duy trì thực hiện"),
        ("3.4", "Văn phòng UBND tỉnh phối hợp Sở Tư pháp, UBND cấp huyện"),
        ("8.1", "Điều tra XHH"),
    ]:
        Action.objects.create(plan=plan, criterion=Criterion.objects.get(code=code), text=text)
    assign_from_actions(plan=plan)
    build_tasks(plan)
    return plan


def build_tasks(plan: Plan) -> None:
    """Two areas of two tasks, each with two leads, coordinators, groups, criteria, targets."""
    agencies = list(Agency.objects.order_by("name"))
    groups = list(AgencyGroup.objects.all())
    criteria = list(Criterion.objects.filter(code__in=["3.3", "3.4"]))
    for area_number, title in [(3, "Công tác cải cách TTHC"), (8, "Cơ chế Một cửa")]:
        area = ContentArea.objects.create(plan=plan, number=area_number, title=title)
        for number in (1, 2):
            task = Task.objects.create(
                content_area=area, number=number, text=f"Nhiệm vụ {area_number}.{number}"
            )
            task.lead_agencies.set(agencies[:2])
            task.coordinating_agencies.set(agencies[2:])
            task.coordinating_groups.set(groups)
            task.criteria.set(criteria)
            TaskTarget.objects.create(
                task=task,
                description="Tỷ lệ hồ sơ giải quyết đúng hạn",
                comparator="between",
                value=D(95),
                value_max=D(100),
                first_year=2018,
                last_year=2020,
            )
            TaskTarget.objects.create(
                task=task,
                description="Tỷ lệ hài lòng",
                comparator="at_least",
                value=D(80),
                first_year=2019,
                last_year=2019,
            )


# -- The agencies' reports ----------------------------------------------------------------


@pytest.fixture
def world(agency, other_agency) -> World:
    return build_world(agency, other_agency)


@pytest.fixture
def today(monkeypatch) -> Callable[[datetime.date], None]:
    """Freeze timezone.localdate() at 1/11/2019, 24 days before the deadline; call to move it."""

    def freeze(day: datetime.date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)

    freeze(datetime.date(2019, 11, 1))
    return freeze


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def agency_client(agency_user) -> Client:
    return _logged_in(agency_user)


@pytest.fixture
def other_client(other_agency_user) -> Client:
    return _logged_in(other_agency_user)


@pytest.fixture
def noivu_client(noivu_staff) -> Client:
    return _logged_in(noivu_staff)


@pytest.fixture
def leader_client(leader) -> Client:
    return _logged_in(leader)
