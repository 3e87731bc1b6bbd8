"""Every admin page of every registered model, for every role that reaches the admin.

The models come from `admin.site._registry`, so a model registered later is walked too; it
only needs one row in `admin_world` (the test says so when it finds none). For each model
the changelist, the add form, and the change, history and delete pages of one row must
answer 200 to a role the model's admin lets in, and 403 to one it keeps out: never 500.
Roles without `is_staff` are sent to the admin's login page.
"""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.db.models import Model
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.models import AssessmentRound
from assignments.models import (
    Agency,
    AgencyAlias,
    AgencyGroup,
    AgencyGroupAlias,
    ContentArea,
    Exemption,
    OutgoingMail,
    Reminder,
    ReportingCycle,
    Responsibility,
    Role,
    Task,
    TaskTarget,
    UnitCluster,
)
from criteria.models import (
    Action,
    Criterion,
    CriterionLink,
    Framework,
    IndexResult,
    NationalGroup,
    NationalResult,
    NationalTable,
    Plan,
    Province,
    RankGoal,
    Score,
    Target,
    UnitBand,
)

pytestmark = pytest.mark.django_db

MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)
STAFF_ROLES = ["superuser", "administrator", "noivu_staff"]
PAGES = ["changelist", "add", "change", "history", "delete"]


@pytest.fixture
def admin_world(agency, agency_user) -> None:
    """One row of each registered model, with the rows their pages link to."""
    framework = Framework.objects.create(code="QĐ 2948/QĐ-BNV", name="Đề án", first_year=2017)
    plan = Plan.objects.create(
        number="252/KH-UBND",
        title="Kế hoạch",
        issued_on="2018-09-19",
        province="Tiền Giang",
        framework=framework,
        baseline_year=2017,
        first_year=2018,
        last_year=2020,
    )
    area = Criterion.objects.create(framework=framework, code="1", title="Lĩnh vực", max_score=2)
    criterion = Criterion.objects.create(
        framework=framework, parent=area, code="1.1", title="Tiêu chí", max_score=2
    )
    Score.objects.create(criterion=criterion, year=2018, kind="official", value=1)
    Target.objects.create(
        plan=plan, criterion=area, first_year=2018, last_year=2018, min_score=1, max_score=2
    )
    Action.objects.create(plan=plan, criterion=criterion, text="Sở Tư pháp chủ trì")
    IndexResult.objects.create(province="Tiền Giang", year=2017, total=80, rank=40)
    AgencyAlias.objects.create(agency=agency, text="STP")
    group = AgencyGroup.objects.create(name="Các sở, ban, ngành tỉnh", kinds=["department"])
    AgencyGroupAlias.objects.create(group=group, text="các sở, ngành")
    responsibility = Responsibility.objects.create(plan=plan, criterion=criterion)
    responsibility.leads.add(agency)
    responsibility.groups.add(group)
    content_area = ContentArea.objects.create(plan=plan, number=1, title="Công tác chỉ đạo")
    task = Task.objects.create(content_area=content_area, number=1, text="Ban hành kế hoạch")
    task.lead_agencies.add(agency)
    TaskTarget.objects.create(
        task=task,
        description="Tỷ lệ hồ sơ đúng hạn",
        comparator=TaskTarget.Comparator.AT_LEAST,
        value=95,
        first_year=2018,
        last_year=2020,
    )
    cycle = ReportingCycle.objects.create(plan=plan, year=2018, deadline="2018-11-25")
    Reminder.objects.create(
        cycle=cycle, agency=agency, sent_on="2018-11-20", recipients="canbo@example.invalid"
    )
    OutgoingMail.objects.create(
        agency=agency, to="canbo@example.invalid", subject="Báo cáo bị trả lại", body="…"
    )
    province = Province.objects.create(name="Tiền Giang", region=Province.Region.MEKONG_DELTA)
    table = NationalTable.objects.create(year=2019, citation="Bộ Nội vụ, 2020")
    NationalGroup.objects.create(table=table, code="B", min_index=80)
    NationalResult.objects.create(table=table, province=province, total=79.68, rank=48)
    RankGoal.objects.create(
        plan=plan, kind=RankGoal.Kind.HIGHER_THAN_PREVIOUS, first_year=2018, last_year=2020
    )
    units = Framework.objects.create(
        code="SBN-2020", name="Sở 2020", unit_type="department", first_year=2020
    )
    unit_area = Criterion.objects.create(framework=units, code="3", title="TTHC", max_score=14)
    unit_leaf = Criterion.objects.create(
        framework=units, parent=unit_area, code="3.1", title="Công khai TTHC", max_score=14
    )
    CriterionLink.objects.create(unit_criterion=unit_leaf, national_criterion=criterion)
    Exemption.objects.create(agency=agency, criterion=unit_area, reason="Không có TTHC")
    UnitBand.objects.create(year=2020, unit_type="department", name="Tốt", min_score=90)
    AssessmentRound.objects.create(
        year=2020, unit_type="department", framework=units,
        opens_on="2021-01-05", deadline="2021-01-31",
    )  # fmt: skip
    UnitCluster.objects.create(year=2020, name="Cụm 1").members.add(
        Agency.objects.create(name="UBND huyện Chợ Gạo", short_name="H. CG", kind="district")
    )
    # A user with a device is asked for a code after the password: not one of the walkers.
    phone_owner = get_user_model().objects.create_user(username="canbo.dienthoai")
    TOTPDevice.objects.create(user=phone_owner, name="Điện thoại", confirmed=True)
    _axes_rows(agency_user.get_username())


def _axes_rows(username: str) -> None:
    fields = {
        "username": username,
        "ip_address": "192.0.2.7",
        "user_agent": "Firefox",
        "http_accept": "text/html",
        "path_info": "/accounts/login/",
    }
    AccessAttempt.objects.create(**fields, get_data="", post_data="", failures_since_start=3)
    AccessLog.objects.create(**fields, logout_time=timezone.now())
    AccessFailureLog.objects.create(**fields, locked_out=False)


@pytest.fixture
def staff_user(request, admin_user, staff_password) -> AbstractUser:
    """The superuser, or a staff user of the role's group without superuser rights."""
    if request.param == "superuser":
        return admin_user
    role = {"administrator": Role.ADMINISTRATOR, "noivu_staff": Role.NOIVU_STAFF}[request.param]
    user = get_user_model().objects.create_user(
        username=f"staff.{request.param}", password=staff_password, is_staff=True
    )
    user.groups.add(Group.objects.get(name=role.value))
    return user


def _first_row(model: type[Model]) -> Model:
    row = model._default_manager.order_by("pk").first()
    if row is None:
        pytest.fail(f"No {model._meta.label} to open: add one to admin_world.", pytrace=False)
    return row


def _url(model: type[Model], page: str, row: Model | None = None) -> str:
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}"
    return reverse(name, args=[] if page in ("changelist", "add") else [row.pk])


def _allowed(model: type[Model], page: str, user: AbstractUser, row: Model) -> bool:
    """What the model's admin itself says about this user and page."""
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = user
    return {
        "changelist": lambda: model_admin.has_view_or_change_permission(request),
        "add": lambda: model_admin.has_add_permission(request),
        "change": lambda: model_admin.has_view_or_change_permission(request, row),
        "history": lambda: model_admin.has_view_or_change_permission(request, row),
        "delete": lambda: model_admin.has_delete_permission(request, row),
    }[page]()


def test_every_registered_model_is_walked():
    labels = {model._meta.label for model in MODELS}

    # The portal's own models and those of the apps that keep its users and logins safe.
    assert {"criteria.Framework", "assignments.ContentArea", "auth.User"} <= labels
    assert {"otp_totp.TOTPDevice", "axes.AccessAttempt"} <= labels


@pytest.mark.parametrize("staff_user", STAFF_ROLES, indirect=True)
@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_admin_pages_answer_for_staff(admin_world, staff_user, model):
    client = Client()
    client.force_login(staff_user)
    row = _first_row(model)

    statuses = {page: client.get(_url(model, page, row)).status_code for page in PAGES}

    expected = {page: 200 if _allowed(model, page, staff_user, row) else 403 for page in PAGES}
    assert statuses == expected


def test_superuser_reads_every_model_with_its_history(admin_world, admin_user):
    client = Client()
    client.force_login(admin_user)

    for model in MODELS:
        row = _first_row(model)
        for page in ("changelist", "change", "history"):
            response = client.get(_url(model, page, row))
            assert response.status_code == 200, f"{model._meta.label} {page}"


def test_noivu_staff_reads_the_plan_and_its_history_in_the_admin(admin_world, staff_password):
    user = get_user_model().objects.create_user(
        username="noivu", password=staff_password, is_staff=True
    )
    user.groups.add(Group.objects.get(name=Role.NOIVU_STAFF.value))
    client = Client()
    client.force_login(user)
    framework = Framework.objects.national().get()
    area = ContentArea.objects.get()

    # Sở Nội vụ reads frameworks and content areas but changes neither.
    assert client.get(_url(Framework, "history", framework)).status_code == 200
    assert client.get(_url(ContentArea, "history", area)).status_code == 200
    assert client.get(_url(Framework, "delete", framework)).status_code == 403
    assert client.get(_url(Score, "add")).status_code == 200


@pytest.mark.parametrize("role", ["leader", "agency_user"])
def test_roles_without_admin_access_are_sent_to_the_admin_login(admin_world, request, role):
    client = Client()
    client.force_login(request.getfixturevalue(role))

    for model in MODELS:
        row = _first_row(model)
        for page in PAGES:
            response = client.get(_url(model, page, row))
            assert response.status_code == 302, f"{model._meta.label} {page}"
            assert response.headers["Location"].startswith(reverse("admin:login"))
