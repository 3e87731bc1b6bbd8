"""Give the four role groups their permissions on the work and report models of 0003."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMINISTRATOR = "Quản trị viên"
NOIVU_STAFF = "Cán bộ Sở Nội vụ"
LEADER = "Lãnh đạo"
AGENCY_USER = "Cán bộ đơn vị"

WORK_MODELS = [
    "responsibility",
    "contentarea",
    "task",
    "tasktarget",
    "reportingcycle",
    "extension",
    "report",
    "reportvalue",
    "reporttransition",
    "evidence",
]
EVERY = ["add", "change", "delete", "view"]

GRANTS = {
    ADMINISTRATOR: {f"{action}_{model}" for action in EVERY for model in WORK_MODELS}
    | {f"view_historical{model}" for model in WORK_MODELS if model not in ("reporttransition", "evidence", "contentarea")},
    # Sở Nội vụ assigns the work, runs the cycles and reviews reports; it writes no report.
    NOIVU_STAFF: {f"view_{model}" for model in WORK_MODELS}
    | {f"{action}_{model}" for action in ("add", "change") for model in
       ("responsibility", "contentarea", "task", "tasktarget", "reportingcycle", "extension")}
    | {"change_report", "add_reporttransition"}
    | {f"view_historical{model}" for model in ("responsibility", "task", "report")},
    LEADER: {f"view_{model}" for model in WORK_MODELS},
    # An agency writes its own reports; the views keep it to its own agency.
    AGENCY_USER: {f"view_{model}" for model in WORK_MODELS if model != "extension"}
    | {"add_report", "change_report", "add_reportvalue", "change_reportvalue",
       "add_reporttransition", "add_evidence", "delete_evidence"},
}


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    using = schema_editor.connection.alias
    app_config = apps.get_app_config("assignments")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=using)
    app_config.models_module = models_module
    for name, codenames in GRANTS.items():
        group = Group.objects.using(using).get(name=name)
        permissions = Permission.objects.using(using).filter(
            content_type__app_label="assignments", codename__in=codenames
        )
        missing = codenames - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Permissions not found for {name}: {sorted(missing)}")
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    using = schema_editor.connection.alias
    for name, codenames in GRANTS.items():
        group = Group.objects.using(using).filter(name=name).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.using(using).filter(
                    content_type__app_label="assignments", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [("assignments", "0003_work_and_reports")]

    operations = [migrations.RunPython(grant, revoke)]
