"""Give the roles their permissions on the units' rounds, extensions and council
assignments (0002): Sở Nội vụ and administrators keep them, leaders read them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMINISTRATOR = "Quản trị viên"
NOIVU_STAFF = "Cán bộ Sở Nội vụ"
LEADER = "Lãnh đạo"

MODELS = ["assessmentround", "roundextension", "councilassignment"]
HISTORY = {f"view_historical{model}" for model in MODELS}
EVERY = {f"{action}_{model}" for action in ("add", "change", "delete", "view") for model in MODELS}
GRANTS = {
    ADMINISTRATOR: EVERY | HISTORY,
    NOIVU_STAFF: EVERY | HISTORY,
    LEADER: {f"view_{model}" for model in MODELS} | HISTORY,
}


def _permissions(apps, using, codenames):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.using(using).filter(
        content_type__app_label="assessments", codename__in=codenames
    )


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    using = schema_editor.connection.alias
    app_config = apps.get_app_config("assessments")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=using)
    app_config.models_module = models_module
    for name, codenames in GRANTS.items():
        group = Group.objects.using(using).get(name=name)
        permissions = _permissions(apps, using, codenames)
        missing = codenames - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Permissions not found for {name}: {sorted(missing)}")
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    using = schema_editor.connection.alias
    for name, codenames in GRANTS.items():
        group = Group.objects.using(using).filter(name=name).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, using, codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0002_unit_rounds"),
        ("assignments", "0017_council_member_role"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
