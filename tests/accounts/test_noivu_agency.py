"""A Sở Nội vụ staff member may belong to Sở Nội vụ (the demo's `noivu` does): Sở Nội vụ
reports on its own year like any agency, and its staff keep every right of their role."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from assignments.models import Agency, Role, user_agency, user_role
from tests.conftest import _user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def home_affairs(db) -> Agency:
    return Agency.objects.create(name="Sở Nội vụ", short_name="Sở NV", kind=Agency.Kind.DEPARTMENT)


def test_admin_binds_a_noivu_staff_member_to_so_noi_vu(client, admin_user, home_affairs):
    client.force_login(admin_user)
    data = {
        "username": "canbo.noivu",
        "first_name": "Nguyễn Thị Lan",
        "email": "lan@tiengiang.gov.vn",
        "role": Role.NOIVU_STAFF.value,
        "agency": home_affairs.pk,
    }

    response = client.post(reverse("accounts:user-create"), data)

    user = get_user_model().objects.get(username="canbo.noivu")
    assert response.status_code == 302
    assert (user_role(user), user_agency(user)) == (Role.NOIVU_STAFF, home_affairs)
    # Editing it again keeps its agency: the form does not refuse what it shows.
    response = client.post(
        reverse("accounts:user-edit", args=[user.pk]), data | {"is_active": "on"}
    )
    assert response.status_code == 302


def test_noivu_staff_of_so_noi_vu_still_reviews_and_lands_on_the_reports(
    client, staff_password, home_affairs
):
    user = _user_with_role("noivu", staff_password, Role.NOIVU_STAFF, home_affairs)
    client.force_login(user)

    assert client.get(reverse("home")).headers["Location"] == reverse("assignments:cycle-current")
    assert client.get(reverse("assignments:review-list")).status_code == 200
    assert user.has_perm("criteria.change_score")
