"""The four roles: Django groups created by a migration, and the helpers pages scope by."""

import importlib
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from assignments.models import Role, user_agency, user_role

pytestmark = pytest.mark.django_db

roles_migration = importlib.import_module("assignments.migrations.0002_roles")
work_migration = importlib.import_module("assignments.migrations.0004_work_permissions")
later_migration = importlib.import_module(
    "assignments.migrations.0010_standing_and_mail_permissions"
)
unit_index_migration = importlib.import_module("assignments.migrations.0016_unit_index_permissions")
council_migration = importlib.import_module("assignments.migrations.0017_council_member_role")
rounds_migration = importlib.import_module("assessments.migrations.0003_unit_round_permissions")
links_migration = importlib.import_module("assignments.migrations.0018_criterion_link_permissions")


def permissions_by_group() -> dict[str, set[str]]:
    return {
        group.name: {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        for group in Group.objects.prefetch_related("permissions__content_type")
    }


def test_fresh_database_has_a_group_for_each_role():
    assert set(Group.objects.values_list("name", flat=True)) == set(Role.values)
    assert len(Role.values) == 5


def test_roles_migration_reverses_and_reapplies_the_same_groups():
    before = permissions_by_group()
    editor = SimpleNamespace(connection=connection)

    # Each migration runs against the models as they were when it was written.
    loader = MigrationExecutor(connection).loader
    roles_apps = loader.project_state(("assignments", "0002_roles")).apps
    work_apps = loader.project_state(("assignments", "0004_work_permissions")).apps
    later_apps = loader.project_state(("assignments", "0010_standing_and_mail_permissions")).apps
    unit_apps = loader.project_state(("assignments", "0016_unit_index_permissions")).apps
    council_apps = loader.project_state(("assignments", "0017_council_member_role")).apps
    rounds_apps = loader.project_state(("assessments", "0003_unit_round_permissions")).apps
    links_apps = loader.project_state(("assignments", "0018_criterion_link_permissions")).apps

    links_migration.revoke(links_apps, editor)
    rounds_migration.revoke(rounds_apps, editor)
    council_migration.delete_group(council_apps, editor)
    unit_index_migration.revoke(unit_apps, editor)
    later_migration.revoke(later_apps, editor)
    work_migration.revoke(work_apps, editor)
    roles_migration.delete_role_groups(roles_apps, editor)
    emptied = Group.objects.count()
    roles_migration.create_role_groups(roles_apps, editor)
    work_migration.grant(work_apps, editor)
    later_migration.grant(later_apps, editor)
    unit_index_migration.grant(unit_apps, editor)
    council_migration.create_group(council_apps, editor)
    rounds_migration.grant(rounds_apps, editor)
    links_migration.grant(links_apps, editor)

    assert emptied == 0
    assert permissions_by_group() == before


@pytest.mark.parametrize(
    ("persona", "allowed", "refused"),
    [
        (
            "noivu_staff",
            ["criteria.change_score", "criteria.add_target", "criteria.change_action",
             "assignments.change_agency", "assignments.add_agencygroup",
             "criteria.view_criterion", "criteria.view_historicalscore",
             "criteria.view_nationalresult", "criteria.change_rankgoal",
             "assignments.view_outgoingmail"],
            ["criteria.change_nationalresult", "criteria.delete_rankgoal",
             "criteria.delete_score", "criteria.change_criterion", "criteria.change_plan",
             "assignments.change_membership", "auth.change_user"],
        ),
        (
            "leader",
            ["criteria.view_score", "criteria.view_plan", "assignments.view_agency",
             "assignments.view_membership", "criteria.view_nationalresult"],
            ["criteria.change_score", "criteria.add_target", "assignments.change_agency",
             "criteria.change_rankgoal"],
        ),
        (
            "agency_user",
            ["criteria.view_criterion", "criteria.view_score", "criteria.view_action"],
            ["criteria.change_score", "criteria.view_historicalscore",
             "assignments.view_agency", "assignments.view_membership"],
        ),
    ],
)  # fmt: skip
def test_each_role_has_the_permissions_of_its_work(request, persona, allowed, refused):
    user = request.getfixturevalue(persona)

    assert [perm for perm in allowed if not user.has_perm(perm)] == []
    assert [perm for perm in refused if user.has_perm(perm)] == []


def test_administrator_group_manages_everything_but_history():
    granted = permissions_by_group()[Role.ADMINISTRATOR]

    assert {"criteria.delete_criterion", "assignments.change_membership", "auth.add_user"} <= (
        granted
    )
    assert "criteria.view_historicalscore" in granted
    assert "criteria.change_historicalscore" not in granted


@pytest.mark.parametrize(
    ("persona", "role"),
    [
        ("admin_user", Role.ADMINISTRATOR),
        ("noivu_staff", Role.NOIVU_STAFF),
        ("leader", Role.LEADER),
        ("agency_user", Role.AGENCY_USER),
        ("other_agency_user", Role.AGENCY_USER),
    ],
)
def test_user_role_names_the_role_of_each_persona(request, persona, role):
    assert user_role(request.getfixturevalue(persona)) == role


def test_anonymous_and_group_less_users_have_no_role():
    nobody = get_user_model().objects.create_user(username="khach", password="x" * 12)

    assert user_role(AnonymousUser()) is None
    assert user_role(nobody) is None


def test_user_in_two_groups_gets_the_wider_role(agency_user):
    agency_user.groups.add(Role.LEADER.group())
    fresh = get_user_model().objects.get(pk=agency_user.pk)

    assert user_role(fresh) == Role.LEADER


def test_user_role_asks_the_database_once_per_user(leader, django_assert_num_queries):
    fresh = get_user_model().objects.get(pk=leader.pk)

    # the user's group names
    with django_assert_num_queries(1):
        first = user_role(fresh)
        second = user_role(fresh)

    assert first == second == Role.LEADER


def test_agency_users_are_bound_to_their_own_agency(
    agency_user, other_agency_user, agency, other_agency
):
    assert user_agency(agency_user) == agency
    assert user_agency(other_agency_user) == other_agency
    assert agency != other_agency


def test_staff_without_an_agency_and_anonymous_have_none(noivu_staff, leader, admin_user):
    assert user_agency(noivu_staff) is None
    assert user_agency(leader) is None
    assert user_agency(admin_user) is None
    assert user_agency(AnonymousUser()) is None


@pytest.mark.parametrize("app_label", ["criteria", "assignments"])
def test_administrator_group_manages_every_model_the_admin_shows(app_label):
    """A model added later needs its grants in a migration too (0002, 0004 and after)."""
    granted = permissions_by_group()[Role.ADMINISTRATOR]
    models = [model for model in admin.site._registry if model._meta.app_label == app_label]

    missing = [
        f"{app_label}.{action}_{model._meta.model_name}"
        for model in models
        for action in ("add", "change", "delete", "view")
        if f"{app_label}.{action}_{model._meta.model_name}" not in granted
    ]

    assert models
    assert missing == [], missing
