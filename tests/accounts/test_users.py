"""The people page: users listed with role and agency, created and edited in one form with
their role and agency, deactivated rather than deleted; scoped by who manages whom."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from assignments.models import Agency, Membership, Role, user_agency, user_role

pytestmark = pytest.mark.django_db

User = get_user_model()


def form_data(**overrides) -> dict:
    data = {
        "username": "canbo.moi",
        "first_name": "Trần Thị Mai",
        "email": "mai@tiengiang.gov.vn",
        "role": "",
        "agency": "",
        "is_active": "on",
    }
    return data | overrides


def groups_of(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


@pytest.fixture
def manager(request, admin_user, noivu_staff):
    return {"admin_user": admin_user, "noivu_staff": noivu_staff}[request.param]


# -- Creating ------------------------------------------------------------------------------


def test_admin_creates_an_agency_user_in_one_step(client, admin_user, agency):
    client.force_login(admin_user)
    assert not User.objects.filter(username="canbo.moi").exists()

    response = client.post(reverse("accounts:user-create"), form_data(agency=agency.pk))

    user = User.objects.get(username="canbo.moi")
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("accounts:user-list")
    assert user.first_name == "Trần Thị Mai"
    assert user.email == "mai@tiengiang.gov.vn"
    assert groups_of(user) == {Role.AGENCY_USER.value}
    assert user_agency(user) == agency
    assert user.is_active and not user.is_staff and not user.is_superuser
    # Nobody knows its password: the owner sets one with "Quên mật khẩu?".
    assert user.has_usable_password()
    assert not user.check_password("")


def test_new_agency_user_can_open_the_agency_workspace(client, admin_user, agency):
    client.force_login(admin_user)
    client.post(reverse("accounts:user-create"), form_data(agency=agency.pk))
    client.force_login(User.objects.get(username="canbo.moi"))

    response = client.get(reverse("assignments:workspace"))

    assert response.status_code == 200
    assert "Không có quyền" not in response.content.decode()


def test_admin_creates_a_noivu_staff_member_with_admin_access(client, admin_user):
    client.force_login(admin_user)

    client.post(reverse("accounts:user-create"), form_data(role=Role.NOIVU_STAFF.value))

    user = User.objects.get(username="canbo.moi")
    assert groups_of(user) == {Role.NOIVU_STAFF.value}
    assert user_agency(user) is None
    assert user.is_staff and not user.is_superuser


def test_agency_user_without_an_agency_is_a_form_error(client, admin_user):
    client.force_login(admin_user)

    response = client.post(reverse("accounts:user-create"), form_data(role=Role.AGENCY_USER.value))

    assert response.status_code == 200
    assert "Cán bộ đơn vị phải thuộc một đơn vị: chọn đơn vị." in response.content.decode()
    assert not User.objects.filter(username="canbo.moi").exists()


def test_an_agency_for_a_role_without_one_is_a_form_error(client, admin_user, agency):
    client.force_login(admin_user)

    response = client.post(
        reverse("accounts:user-create"), form_data(role=Role.LEADER.value, agency=agency.pk)
    )

    assert response.status_code == 200
    assert "Vai trò “Lãnh đạo” không gắn với đơn vị" in response.content.decode()
    assert not User.objects.filter(username="canbo.moi").exists()


def test_neither_role_nor_agency_is_a_form_error(client, admin_user):
    client.force_login(admin_user)

    response = client.post(reverse("accounts:user-create"), form_data())

    assert response.status_code == 200
    assert "Chọn vai trò, hoặc chọn đơn vị cho cán bộ đơn vị." in response.content.decode()
    assert not User.objects.filter(username="canbo.moi").exists()


def test_an_email_already_in_use_is_a_form_error(client, admin_user, noivu_staff):
    noivu_staff.email = "Lan@TiengGiang.gov.vn"
    noivu_staff.save()
    client.force_login(admin_user)

    response = client.post(
        reverse("accounts:user-create"),
        form_data(role=Role.LEADER.value, email="lan@tienggiang.gov.vn"),
    )

    assert response.status_code == 200
    assert "Địa chỉ thư này đã được dùng cho một tài khoản khác." in response.content.decode()


# -- Editing and deactivating --------------------------------------------------------------


def test_admin_moves_a_user_to_another_agency(client, admin_user, agency_user, other_agency):
    client.force_login(admin_user)
    url = reverse("accounts:user-edit", args=[agency_user.pk])
    page = client.get(url).content.decode()
    assert f'value="{agency_user.membership.agency_id}" selected' in page

    response = client.post(url, form_data(username="bỏ-qua", agency=other_agency.pk))

    agency_user.refresh_from_db()
    assert response.status_code == 302
    assert agency_user.username == "canbo.sotuphap"  # not editable after creation
    assert user_agency(agency_user) == other_agency
    assert groups_of(agency_user) == {Role.AGENCY_USER.value}


def test_agency_user_made_a_leader_loses_the_agency(client, admin_user, agency_user):
    client.force_login(admin_user)

    client.post(
        reverse("accounts:user-edit", args=[agency_user.pk]), form_data(role=Role.LEADER.value)
    )

    agency_user = User.objects.get(pk=agency_user.pk)
    assert user_role(agency_user) == Role.LEADER
    assert groups_of(agency_user) == {Role.LEADER.value}
    assert user_agency(agency_user) is None


def test_deactivating_keeps_the_user_and_ends_the_login(client, admin_user, agency_user):
    other = type(client)()
    other.force_login(agency_user)
    client.force_login(admin_user)

    response = client.post(
        reverse("accounts:user-edit", args=[agency_user.pk]),
        form_data(agency=agency_user.membership.agency_id, is_active=""),
    )

    agency_user.refresh_from_db()
    assert response.status_code == 302
    assert agency_user.is_active is False
    assert Membership.objects.filter(user=agency_user).exists()
    assert other.get(reverse("assignments:workspace")).status_code == 302
    listing = client.get(reverse("accounts:user-list")).content.decode()
    assert "Đã khóa" in listing


def test_a_manager_cannot_deactivate_himself(client, admin_user):
    admin_user.email = "admin@tiengiang.gov.vn"
    admin_user.save()
    client.force_login(admin_user)

    response = client.post(
        reverse("accounts:user-edit", args=[admin_user.pk]),
        form_data(email="admin@tiengiang.gov.vn", role=Role.ADMINISTRATOR.value, is_active=""),
    )

    admin_user.refresh_from_db()
    assert response.status_code == 200
    assert "Không thể tự khóa tài khoản của chính mình." in response.content.decode()
    assert admin_user.is_active


def test_a_superuser_stays_an_administrator(client, admin_user, django_user_model):
    other = django_user_model.objects.create_superuser("quantri2", "q2@tiengiang.gov.vn", "x")
    client.force_login(admin_user)

    response = client.post(
        reverse("accounts:user-edit", args=[other.pk]),
        form_data(email="q2@tiengiang.gov.vn", role=Role.LEADER.value),
    )

    assert response.status_code == 200
    assert "luôn là Quản trị viên" in response.content.decode()
    assert groups_of(other) == set()


# -- The list ------------------------------------------------------------------------------


def test_list_shows_each_user_with_role_and_agency(
    client, admin_user, agency_user, other_agency_user, leader, noivu_staff
):
    client.force_login(admin_user)

    response = client.get(reverse("accounts:user-list"))

    rows = {
        row.split("</th>")[0].rsplit(">", 2)[-2].split("<")[0]: row
        for row in response.content.decode().split('<th scope="row">')[1:]
    }
    assert response.status_code == 200
    assert set(rows) == {"admin", "canbo.caibe", "canbo.sotuphap", "lanhdao", "noivu"}
    assert "Cán bộ đơn vị" in rows["canbo.sotuphap"] and "Sở Tư pháp" in rows["canbo.sotuphap"]
    assert "UBND huyện Cái Bè" in rows["canbo.caibe"]
    assert "Lãnh đạo" in rows["lanhdao"]
    assert "Quản trị viên" in rows["admin"]


def test_navigation_links_to_the_people_page_for_managers_only(client, noivu_staff, leader):
    client.force_login(noivu_staff)
    assert reverse("accounts:user-list") in client.get(reverse("reports:overview")).content.decode()

    client.force_login(leader)
    assert (
        reverse("accounts:user-list")
        not in client.get(reverse("reports:overview")).content.decode()
    )


def test_list_query_count(
    client,
    admin_user,
    agency_user,
    other_agency_user,
    leader,
    noivu_staff,
    django_assert_num_queries,
):
    client.force_login(admin_user)

    # session, user, count of users, users of the page with their agencies, their groups
    # (the user's own role needs no query: a superuser)
    with django_assert_num_queries(5):
        response = client.get(reverse("accounts:user-list"))

    assert response.status_code == 200


def test_list_query_count_for_noivu_staff(
    client, agency_user, other_agency_user, leader, noivu_staff, django_assert_num_queries
):
    client.force_login(noivu_staff)

    # session, user, the user's groups (role), count of users, users of the page with their
    # agencies, their groups
    with django_assert_num_queries(6):
        response = client.get(reverse("accounts:user-list"))

    assert response.status_code == 200


def test_edit_page_query_count(
    client, admin_user, agency_user, agency, other_agency, django_assert_num_queries
):
    client.force_login(admin_user)

    # session, user, the edited user, its agency, its groups (its role), the agencies
    with django_assert_num_queries(6):
        response = client.get(reverse("accounts:user-edit", args=[agency_user.pk]))

    assert response.status_code == 200


# -- Sở Nội vụ manages the agencies' accounts only -----------------------------------------


def test_noivu_staff_creates_an_agency_user(client, noivu_staff, agency):
    client.force_login(noivu_staff)

    response = client.post(reverse("accounts:user-create"), form_data(agency=agency.pk))

    assert response.status_code == 302
    assert groups_of(User.objects.get(username="canbo.moi")) == {Role.AGENCY_USER.value}


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.NOIVU_STAFF, Role.LEADER])
def test_noivu_staff_cannot_give_a_wider_role(client, noivu_staff, role):
    client.force_login(noivu_staff)

    response = client.post(reverse("accounts:user-create"), form_data(role=role.value))

    assert response.status_code == 200
    assert "Hãy chọn một lựa chọn hợp lệ." in response.content.decode()
    assert not User.objects.filter(username="canbo.moi").exists()


def test_noivu_staff_sees_only_the_agencies_accounts(
    client, noivu_staff, agency_user, other_agency_user, leader, admin_user
):
    client.force_login(noivu_staff)

    content = client.get(reverse("accounts:user-list")).content.decode()

    table = content[content.index("<tbody>") : content.index("</tbody>")]
    assert "canbo.sotuphap" in table and "canbo.caibe" in table
    assert "lanhdao" not in table and "admin" not in table and "noivu" not in table


@pytest.mark.parametrize("target", ["leader", "admin_user", "noivu_staff"])
def test_noivu_staff_gets_404_for_other_accounts(client, noivu_staff, request, target):
    user = request.getfixturevalue(target)
    user.email = "x@tiengiang.gov.vn"
    user.save()
    client.force_login(noivu_staff)
    url = reverse("accounts:user-edit", args=[user.pk])

    response = client.post(url, form_data(email="attacker@example.com", role=""))

    user.refresh_from_db()
    assert client.get(url).status_code == 404
    assert response.status_code == 404
    assert user.email == "x@tiengiang.gov.vn"


def test_administrator_without_superuser_status_cannot_edit_a_superuser(
    client, django_user_model, admin_user, staff_password
):
    administrator = django_user_model.objects.create_user("quantri", password=staff_password)
    administrator.groups.add(Group.objects.get(name=Role.ADMINISTRATOR.value))
    client.force_login(administrator)

    response = client.get(reverse("accounts:user-edit", args=[admin_user.pk]))

    assert response.status_code == 404


# -- Refused -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["agency_user", "leader"])
@pytest.mark.parametrize("url_name", ["accounts:user-list", "accounts:user-create"])
def test_agency_users_and_leaders_get_403(client, request, role, url_name):
    client.force_login(request.getfixturevalue(role))

    response = client.get(reverse(url_name))

    assert response.status_code == 403


@pytest.mark.parametrize("role", ["agency_user", "leader"])
def test_agency_users_and_leaders_cannot_edit_anyone(client, request, role, other_agency_user):
    client.force_login(request.getfixturevalue(role))
    url = reverse("accounts:user-edit", args=[other_agency_user.pk])

    response = client.post(url, form_data(agency=""))

    assert response.status_code == 403
    assert user_agency(other_agency_user) is not None


@pytest.mark.parametrize(
    "url", [lambda: reverse("accounts:user-list"), lambda: reverse("accounts:user-create")]
)
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url())

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("login"))


def test_wrong_method_gets_405(client, admin_user):
    client.force_login(admin_user)

    assert client.post(reverse("accounts:user-list")).status_code == 405
    assert client.put(reverse("accounts:user-create")).status_code == 405


def test_agency_choices_leave_out_closed_agencies_except_the_users_own(
    client, admin_user, agency_user, agency
):
    closed = Agency.objects.create(
        name="Sở cũ", short_name="Sở cũ", kind=Agency.Kind.DEPARTMENT, is_active=False
    )
    client.force_login(admin_user)

    new_page = client.get(reverse("accounts:user-create")).content.decode()
    agency.is_active = False
    agency.save()
    edit_page = client.get(reverse("accounts:user-edit", args=[agency_user.pk])).content.decode()

    assert closed.name not in new_page
    assert "Sở Tư pháp (đã ngừng)" in edit_page


def test_people_page_in_english(client, admin_user, agency_user):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(admin_user)

    listing = client.get(reverse("accounts:user-list")).content.decode()
    refused = client.post(reverse("accounts:user-create"), form_data(role=Role.AGENCY_USER.value))

    assert "Add a user" in listing
    assert "Agency staff must belong to an agency: choose the agency." in refused.content.decode()


def test_security_log_names_who_changed_which_fields(client, admin_user, agency_user, caplog):
    caplog.set_level("INFO", logger="par.security")
    client.force_login(admin_user)

    client.post(
        reverse("accounts:user-edit", args=[agency_user.pk]),
        form_data(
            email="moi@tiengiang.gov.vn",
            role=Role.AGENCY_USER.value,
            agency=agency_user.membership.agency_id,
        ),
    )

    lines = [r.getMessage() for r in caplog.records if r.name == "par.security"]
    saved = next(line for line in lines if line.startswith("user-saved"))
    assert saved.startswith('user-saved user=canbo.sotuphap ip=- by=admin role="Cán bộ đơn vị"')
    assert saved.endswith("active=True fields=first_name,email")


def test_noivu_staff_cannot_change_the_email_of_an_existing_account(
    client, noivu_staff, agency_user, agency
):
    # An email changed by someone else is an account taken over through the password reset.
    agency_user.email = "canbo@sotuphap.tiengiang.gov.vn"
    agency_user.save()
    client.force_login(noivu_staff)
    url = reverse("accounts:user-edit", args=[agency_user.pk])

    response = client.post(
        url, form_data(email="attacker@example.com", agency=agency.pk, first_name="Lan")
    )

    agency_user.refresh_from_db()
    assert response.status_code == 302
    assert agency_user.email == "canbo@sotuphap.tiengiang.gov.vn"
    assert agency_user.first_name == "Lan"
    assert "Chỉ quản trị viên đổi được thư điện tử" in client.get(url).content.decode()


def test_administrator_changes_the_email_of_an_agency_account(
    client, admin_user, agency_user, agency
):
    client.force_login(admin_user)

    client.post(
        reverse("accounts:user-edit", args=[agency_user.pk]),
        form_data(email="moi@sotuphap.tiengiang.gov.vn", agency=agency.pk),
    )

    agency_user.refresh_from_db()
    assert agency_user.email == "moi@sotuphap.tiengiang.gov.vn"
