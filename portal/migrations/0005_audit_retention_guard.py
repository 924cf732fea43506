"""The audit table's guard of its own (portal.auditguard) replaces django-pgtrigger's Protect:
UPDATE refused always, DELETE refused for rows younger than the log's retention (at least five
years), on PostgreSQL and on SQLite."""

import pgtrigger.migrations
from django.db import migrations


def install(apps, schema_editor):
    from portal import auditguard

    auditguard.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from portal import auditguard

    auditguard.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0004_auditevent_event"),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(model_name="auditevent", name="audit_append_only"),
        migrations.RunPython(install, uninstall),
    ]
