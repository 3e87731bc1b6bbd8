"""The admin's user pages keep the people page's rule: only a superuser edits a superuser or
gives superuser status, so an administrator cannot widen their own rights there."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.test import Client
from django.urls import reverse

from assignments.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(staff_password) -> AbstractUser:
    user = get_user_model().objects.create_user(
        username="quantri", password=staff_password, is_staff=True, email="qt@example.invalid"
    )
    user.groups.add(Group.objects.get(name=Role.ADMINISTRATOR.value))
    return user


@pytest.fixture
def administrator_client(administrator) -> Client:
    client = Client()
    client.force_login(administrator)
    return client


def _change_form(user: AbstractUser, **changes) -> dict:
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        **changes,
    }


def test_administrator_cannot_make_themselves_superuser(administrator_client, administrator):
    url = reverse("admin:auth_user_change", args=[administrator.pk])

    page = administrator_client.get(url)
    administrator_client.post(url, _change_form(administrator, is_superuser="on"))

    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()
    administrator.refresh_from_db()
    assert not administrator.is_superuser


def test_administrator_neither_sees_nor_edits_a_superuser(administrator_client, admin_user):
    url = reverse("admin:auth_user_change", args=[admin_user.pk])
    email = admin_user.email

    listed = administrator_client.get(reverse("admin:auth_user_changelist"))
    response = administrator_client.post(url, _change_form(admin_user, email="ke@la.invalid"))

    assert admin_user not in listed.context["cl"].result_list
    assert response.status_code in (302, 404)
    admin_user.refresh_from_db()
    assert admin_user.email == email


def test_superuser_still_edits_superuser_status(admin_client, administrator):
    url = reverse("admin:auth_user_change", args=[administrator.pk])

    page = admin_client.get(url)

    assert 'name="is_superuser"' in page.content.decode()
