"""Refuse, in the database itself, a score or a target above its criterion's maximum.

A CHECK constraint cannot look at another table, so each backend gets a trigger.
"""

from django.db import migrations

# (table, columns that must not exceed the criterion's maximum)
GUARDED = {
    "criteria_score": ["value"],
    "criteria_target": ["max_score"],
}

SQLITE_CREATE = """
CREATE TRIGGER {table}_{event}_within_max BEFORE {event} ON {table}
WHEN NEW.criterion_id IS NOT NULL AND ({condition})
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: {table} above criterion maximum');
END;
"""

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION {table}_within_max() RETURNS trigger AS $$
DECLARE
    maximum numeric;
BEGIN
    IF NEW.criterion_id IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT max_score INTO maximum FROM criteria_criterion WHERE id = NEW.criterion_id;
    IF {condition} THEN
        RAISE EXCEPTION 'CHECK constraint failed: {table} above criterion maximum'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {table}_within_max BEFORE INSERT OR UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_within_max();
"""


def create_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for table, columns in GUARDED.items():
        if vendor == "sqlite":
            condition = " OR ".join(
                f"NEW.{column} > (SELECT max_score FROM criteria_criterion "
                f"WHERE id = NEW.criterion_id)"
                for column in columns
            )
            for event in ("INSERT", "UPDATE"):
                schema_editor.execute(
                    SQLITE_CREATE.format(table=table, event=event, condition=condition)
                )
        elif vendor == "postgresql":
            condition = " OR ".join(f"NEW.{column} > maximum" for column in columns)
            schema_editor.execute(POSTGRES_FUNCTION.format(table=table, condition=condition))


def drop_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for table in GUARDED:
        if vendor == "sqlite":
            for event in ("INSERT", "UPDATE"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{event}_within_max")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_within_max ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_within_max()")


class Migration(migrations.Migration):
    dependencies = [("criteria", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
