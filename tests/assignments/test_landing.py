"""Where each role lands: "/" and the login form send each user to where their work is."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from assignments.models import Role

pytestmark = pytest.mark.django_db

HOME = reverse("home")
# Agencies write their reports, Sở Nội vụ follows and reviews them, leaders read the results,
# administrators keep the plan and its appendix (whose consistency checks they read first).
LANDINGS = {
    "agency_user": reverse("assignments:workspace"),
    "noivu_staff": reverse("assignments:cycle-current"),
    "leader": reverse("reports:overview"),
    "administrator": reverse("criteria:plan-detail-current"),
    "admin_user": reverse("criteria:plan-detail-current"),
}


@pytest.fixture
def administrator(db, staff_password):
    user = get_user_model().objects.create_user(
        username="quantri", password=staff_password, is_staff=True
    )
    user.groups.add(Group.objects.get(name=Role.ADMINISTRATOR.value))
    return user


@pytest.mark.parametrize("role", sorted(LANDINGS))
def test_home_sends_each_role_to_its_own_page(client, request, role):
    client.force_login(request.getfixturevalue(role))

    response = client.get(HOME)

    assert response.status_code == 302
    assert response.headers["Location"] == LANDINGS[role]


@pytest.mark.parametrize("role", sorted(LANDINGS))
def test_login_without_next_lands_on_the_roles_page(client, request, role, staff_password):
    user = request.getfixturevalue(role)
    password = "password" if role == "admin_user" else staff_password

    response = client.post(
        reverse("login"), {"username": user.get_username(), "password": password}, follow=True
    )

    assert response.redirect_chain[0] == (HOME, 302)
    assert response.redirect_chain[1] == (LANDINGS[role], 302)
    assert response.status_code == 200


def test_agency_user_lands_on_the_workspace_page_itself(client, agency_user):
    client.force_login(agency_user)

    response = client.get(HOME, follow=True)

    assert response.redirect_chain == [(LANDINGS["agency_user"], 302)]
    assert response.status_code == 200


def test_user_of_the_agency_role_without_an_agency_lands_on_the_plan(client, staff_password):
    # The workspace would refuse such a user; the plan is readable by every user.
    user = get_user_model().objects.create_user(username="chuadonvi", password=staff_password)
    user.groups.add(Group.objects.get(name=Role.AGENCY_USER.value))
    client.force_login(user)

    response = client.get(HOME)

    assert response.headers["Location"] == reverse("criteria:plan-detail-current")


def test_user_without_a_role_lands_on_the_plan(client, staff_password):
    client.force_login(get_user_model().objects.create_user(username="moi", password="x"))

    response = client.get(HOME)

    assert response.headers["Location"] == reverse("criteria:plan-detail-current")


def test_anonymous_is_sent_to_login_and_back_home(client):
    response = client.get(HOME)

    assert response.status_code == 302
    assert response.headers["Location"] == f"{reverse('login')}?next={HOME}"


def test_post_is_refused(client, leader):
    client.force_login(leader)

    response = client.post(HOME)

    assert response.status_code == 405


def test_home_reads_the_role_and_the_agency_once(client, agency_user, django_assert_num_queries):
    client.force_login(agency_user)

    # session, user, the user's groups (the role), the user's agency
    with django_assert_num_queries(4):
        client.get(HOME)
