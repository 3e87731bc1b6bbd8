"""Give the role groups their permissions on the links from the units' criteria to the
national index's sub-criteria (criteria 0008): Sở Nội vụ keeps them (it runs the index of
the units) and administrators may do everything; leaders read them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMINISTRATOR = "Quản trị viên"
NOIVU_STAFF = "Cán bộ Sở Nội vụ"
LEADER = "Lãnh đạo"

EVERY = {f"{action}_criterionlink" for action in ("add", "change", "delete", "view")}
HISTORY = {"view_historicalcriterionlink"}
GRANTS = {
    ADMINISTRATOR: EVERY | HISTORY,
    NOIVU_STAFF: EVERY | HISTORY,
    LEADER: {"view_criterionlink"} | HISTORY,
}


def _permissions(apps, using, codenames):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.using(using).filter(
        content_type__app_label="criteria", codename__in=codenames
    )


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    using = schema_editor.connection.alias
    # create_permissions skips an app without a models module, as apps in a migration are.
    app_config = apps.get_app_config("criteria")
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
        ("assignments", "0017_council_member_role"),
        ("criteria", "0008_criterion_links"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
