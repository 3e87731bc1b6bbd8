"""The four roles as Django groups with their model permissions, so a fresh database has them.

Permissions are normally created after the last migration; they are created here first so
that the groups can be given them. A later migration that adds models grants their
permissions in the same way.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMINISTRATOR = "Quản trị viên"
NOIVU_STAFF = "Cán bộ Sở Nội vụ"
LEADER = "Lãnh đạo"
AGENCY_USER = "Cán bộ đơn vị"

APPS = ["criteria", "assignments"]

# What Sở Nội vụ staff enter and keep up to date; every other model they only read.
NOIVU_EDITS = {
    "criteria": {"score", "target", "action"},
    "assignments": {"agency", "agencyalias", "agencygroup", "agencygroupalias"},
}


def _codenames(apps, app_label, actions, *, history=True):
    models = apps.get_app_config(app_label).get_models()
    return {
        f"{action}_{model._meta.model_name}"
        for model in models
        if history or not model._meta.model_name.startswith("historical")
        for action in actions
    }


def create_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    using = schema_editor.connection.alias

    for label in ["auth", *APPS]:
        # create_permissions skips an app without a models module, as apps in a migration are.
        app_config = apps.get_app_config(label)
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
        app_config.models_module = models_module

    every = ["add", "change", "delete", "view"]
    grants = {
        # History is written by the application and only ever read, even by administrators.
        ADMINISTRATOR: {
            **{
                label: _codenames(apps, label, every, history=False)
                | _codenames(apps, label, ["view"])
                for label in APPS
            },
            "auth": {f"{action}_{model}" for action in every for model in ("user", "group")},
        },
        NOIVU_STAFF: {
            label: _codenames(apps, label, ["view"])
            | {f"{action}_{model}" for action in ("add", "change") for model in NOIVU_EDITS[label]}
            for label in APPS
        },
        LEADER: {label: _codenames(apps, label, ["view"]) for label in APPS},
        AGENCY_USER: {"criteria": _codenames(apps, "criteria", ["view"], history=False)},
    }
    for name, by_app in grants.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        for app_label, codenames in by_app.items():
            permissions = Permission.objects.using(using).filter(
                content_type__app_label=app_label, codename__in=codenames
            )
            missing = set(codenames) - set(permissions.values_list("codename", flat=True))
            if missing:
                raise RuntimeError(f"Permissions not found for {name}: {sorted(missing)}")
            group.permissions.add(*permissions)


def delete_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(
        name__in=[ADMINISTRATOR, NOIVU_STAFF, LEADER, AGENCY_USER]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assignments", "0001_agencies"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("criteria", "0002_scores_within_maximum"),
    ]

    operations = [migrations.RunPython(create_role_groups, delete_role_groups)]
