"""On PostgreSQL, index the folded search text with trigrams so that `search_text LIKE '%…%'` uses an index.

SQLite has no such index type; there the same query is a scan of one narrow column, which is fast at the
sizes the embedded set-up serves.
"""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS members_member_search_trgm ON members_member USING gin (search_text gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS members_member_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("members", "0002_member_record")]

    operations = [migrations.RunPython(create_index, drop_index)]
