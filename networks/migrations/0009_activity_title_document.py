"""The title's own search vector (PostgreSQL only), stored and GIN-indexed: the directory
ranks the activities whose title has every word first, and finds them without reading the
others (networks/directory.py ``SearchResults``; docs/performance.md, "The directory at
national size"). Like ``search_document`` (0005) the model does not declare the column."""

from django.db import migrations

EXPRESSION = "to_tsvector('swedish'::regconfig, coalesce(title, ''))"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE networks_activity ADD COLUMN title_document tsvector GENERATED ALWAYS AS ({EXPRESSION}) STORED"
    )
    schema_editor.execute("CREATE INDEX activity_title_sv ON networks_activity USING gin (title_document)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS activity_title_sv")
    schema_editor.execute("ALTER TABLE networks_activity DROP COLUMN IF EXISTS title_document")


class Migration(migrations.Migration):
    dependencies = [("networks", "0008_activity_title_index")]

    operations = [migrations.RunPython(forwards, backwards)]
