"""Test helper: lift the append-only trigger inside the current transaction,
so a test can play the attacker who edits the database directly. The test
transaction rolls back, which puts the trigger back."""

from __future__ import annotations

from django.db import connection

TABLE = "clinic_auditevent"


def drop_append_only_trigger() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f'DROP TRIGGER "{TABLE}_append_only" ON "{TABLE}"')
        else:
            cursor.execute(f'DROP TRIGGER "{TABLE}_no_update"')
            cursor.execute(f'DROP TRIGGER "{TABLE}_no_delete"')


def trigger_names() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [TABLE]
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
        return {row[0] for row in cursor.fetchall()}
