"""Trigram indexes for the client search on PostgreSQL.

The client list searches first name, last name, preferred name, e-mail and
phone for part of a word (``icontains``, which PostgreSQL runs as
``UPPER(column::text) LIKE UPPER(pattern)``). No B-tree index serves a
substring match, so each search read every client: 32 ms of a 37 ms page
at 20,000 clients. A pg_trgm GIN index on each of those expressions lets
PostgreSQL answer the OR of the five with a bitmap of index scans for any
term of three or more characters. pg_trgm is a trusted extension: the
database owner may create it.

SQLite has no trigram index; there the search reads the user's own clients
through the care-team index (clinic.selectors.client_search_page), and this
migration does nothing.
"""

from django.db import migrations

COLUMNS = ("first_name", "last_name", "preferred_name", "email", "phone")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        # Serves: Client.objects.search(), ``UPPER("clinic_client"."<column>"::text) LIKE UPPER(%s)``.
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS client_{column}_trgm ON clinic_client "
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS client_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("clinic", "0004_disclosure")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
