"""The fifth role, a member of the appraisal council of the province's index of its units
(thành viên Hội đồng thẩm định): a group that reads the frameworks and the bands, as agencies
do; what it appraises is assigned per round and area (assessments.CouncilAssignment)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COUNCIL_MEMBER = "Thành viên Hội đồng thẩm định"


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    using = schema_editor.connection.alias
    app_config = apps.get_app_config("criteria")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=using)
    app_config.models_module = models_module
    codenames = {
        f"view_{model._meta.model_name}"
        for model in app_config.get_models()
        if not model._meta.model_name.startswith("historical")
    }
    group, _created = Group.objects.using(using).get_or_create(name=COUNCIL_MEMBER)
    group.permissions.add(
        *Permission.objects.using(using).filter(
            content_type__app_label="criteria", codename__in=codenames
        )
    )


def delete_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=COUNCIL_MEMBER).delete()


class Migration(migrations.Migration):
    dependencies = [("assignments", "0016_unit_index_permissions")]

    operations = [migrations.RunPython(create_group, delete_group)]
