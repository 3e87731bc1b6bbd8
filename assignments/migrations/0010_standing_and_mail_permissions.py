"""Give the four role groups their permissions on the models added after 0004: the national
standing (criteria 0006), the reminders (0005) and the outbox (0007).

Without them only a superuser could open these models in the admin: the Administrator role
could neither import a national table (Quản trị → Kết quả toàn quốc → Nhập) nor record the
plan's rank goals. The grants live here, with the roles, because criteria knows no roles.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMINISTRATOR = "Quản trị viên"
NOIVU_STAFF = "Cán bộ Sở Nội vụ"
LEADER = "Lãnh đạo"
AGENCY_USER = "Cán bộ đơn vị"

STANDING = ["province", "nationaltable", "nationalgroup", "nationalresult", "rankgoal"]
MAIL = ["reminder", "outgoingmail"]
EVERY = ["add", "change", "delete", "view"]
HISTORY = {f"view_historical{model}" for model in STANDING}

GRANTS = {
    ADMINISTRATOR: {
        "criteria": {f"{action}_{model}" for action in EVERY for model in STANDING} | HISTORY,
        "assignments": {f"{action}_{model}" for action in EVERY for model in MAIL},
    },
    # Sở Nội vụ keeps the plan's rank goals as it keeps its points targets; it reads the
    # national tables (imported by administrators, as the index results) and the mail sent.
    NOIVU_STAFF: {
        "criteria": {f"view_{model}" for model in STANDING}
        | HISTORY
        | {"add_rankgoal", "change_rankgoal"},
        "assignments": {f"view_{model}" for model in MAIL},
    },
    LEADER: {"criteria": {f"view_{model}" for model in STANDING} | HISTORY},
    AGENCY_USER: {"criteria": {f"view_{model}" for model in STANDING}},
}


def _permissions(apps, using, app_label, codenames):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.using(using).filter(
        content_type__app_label=app_label, codename__in=codenames
    )


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    using = schema_editor.connection.alias
    for label in ("criteria", "assignments"):
        # create_permissions skips an app without a models module, as apps in a migration are.
        app_config = apps.get_app_config(label)
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
        app_config.models_module = models_module
    for name, by_app in GRANTS.items():
        group = Group.objects.using(using).get(name=name)
        for app_label, codenames in by_app.items():
            permissions = _permissions(apps, using, app_label, codenames)
            missing = codenames - set(permissions.values_list("codename", flat=True))
            if missing:
                raise RuntimeError(f"Permissions not found for {name}: {sorted(missing)}")
            group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    using = schema_editor.connection.alias
    for name, by_app in GRANTS.items():
        group = Group.objects.using(using).filter(name=name).first()
        if group is not None:
            for app_label, codenames in by_app.items():
                group.permissions.remove(*_permissions(apps, using, app_label, codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("assignments", "0009_responsibility_leads_and_confirmation"),
        ("criteria", "0006_national_standing"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
