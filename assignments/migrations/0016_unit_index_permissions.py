"""Give the four role groups their permissions on the data of the province's index of its
units: the classification bands (criteria 0007), the exemptions and the ranking clusters
(assignments 0014).

Sở Nội vụ keeps them (it runs the index of the units); administrators may do everything;
leaders read them; agencies read the bands, as they read the frameworks.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMINISTRATOR = "Quản trị viên"
NOIVU_STAFF = "Cán bộ Sở Nội vụ"
LEADER = "Lãnh đạo"
AGENCY_USER = "Cán bộ đơn vị"

MODELS = {"criteria": ["unitband"], "assignments": ["exemption", "unitcluster"]}
HISTORY = {"criteria": {"view_historicalunitband"}, "assignments": {"view_historicalexemption"}}
EVERY = ["add", "change", "delete", "view"]

GRANTS = {
    ADMINISTRATOR: {
        app: {f"{action}_{model}" for action in EVERY for model in models} | HISTORY[app]
        for app, models in MODELS.items()
    },
    NOIVU_STAFF: {
        app: {f"{action}_{model}" for action in EVERY for model in models} | HISTORY[app]
        for app, models in MODELS.items()
    },
    LEADER: {
        app: {f"view_{model}" for model in models} | HISTORY[app] for app, models in MODELS.items()
    },
    AGENCY_USER: {"criteria": {"view_unitband"}},
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
        ("assignments", "0015_unit_exemptions_and_clusters"),
        ("criteria", "0007_unit_frameworks"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
