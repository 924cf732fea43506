"""Full-text search index for the directory, PostgreSQL only (Swedish configuration).

Replaced by the stored column of migration 0005."""

from django.db import migrations

INDEX_SQL = """
CREATE INDEX IF NOT EXISTS activity_search_sv ON networks_activity USING gin (
    (setweight(to_tsvector('swedish'::regconfig, coalesce(title, '')), 'A')
     || setweight(to_tsvector('swedish'::regconfig, coalesce(description, '')), 'B')
     || setweight(to_tsvector('swedish'::regconfig, coalesce(how_to_refer, '')), 'C'))
)
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX_SQL)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS activity_search_sv")


class Migration(migrations.Migration):
    dependencies = [("networks", "0003_geography")]

    operations = [migrations.RunPython(forwards, backwards)]
