"""Append-only tables that a later migration must not silently unlock: the audit log,
the final intake records (a health screen, its answers, a consent) and every change-history
table. ``ensure_append_only`` runs after every ``migrate`` and puts back a trigger that a
table rebuild dropped."""

from __future__ import annotations

from django.apps import apps
from django.db import connections

from core.triggers import APPEND_ONLY_MESSAGE, AppendOnly

FINAL_MESSAGE = "kc_locked: a recorded health screen or consent is final and cannot be changed or deleted"
HISTORY_MESSAGE = "kc_append_only: change history cannot be changed or deleted"
FINAL_TABLES = ("clinic_healthscreen", "clinic_screenanswer", "clinic_consent")


def append_only_tables() -> dict[str, str]:
    """Every table that refuses UPDATE and DELETE outright, with its message:
    the audit log, the final intake records and every simple-history table (found
    from the models, so a model that gains a history later is covered too)."""
    tables = {"clinic_auditevent": APPEND_ONLY_MESSAGE}
    tables.update({table: FINAL_MESSAGE for table in FINAL_TABLES})
    for model in apps.get_models():
        if getattr(model, "instance_type", None) is not None:  # a simple-history model
            tables[model._meta.db_table] = HISTORY_MESSAGE
    return tables


def _installed_triggers(connection) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}


def ensure_append_only(*, using: str = "default", **kwargs) -> list[str]:
    """Install any missing append-only trigger; return the tables fixed.

    Runs after every ``migrate``: SQLite rebuilds a table to add or alter a
    column and the rebuild drops the table's triggers, so a later migration of
    a screen or a history table would otherwise unlock it without a word."""
    connection = connections[using]
    if connection.vendor not in ("sqlite", "postgresql"):
        return []
    existing = set(connection.introspection.table_names())
    installed = _installed_triggers(connection)
    fixed = []
    for table, message in append_only_tables().items():
        if table not in existing:
            continue
        names = (
            {f"{table}_append_only"}
            if connection.vendor == "postgresql"
            else {f"{table}_no_update", f"{table}_no_delete"}
        )
        if names <= installed:
            continue
        operation = AppendOnly(table=table, message=message)
        editor = _TriggerEditor(connection)
        operation.database_backwards("clinic", editor, None, None)
        operation.database_forwards("clinic", editor, None, None)
        fixed.append(table)
    return fixed


class _TriggerEditor:
    """The part of a schema editor the trigger operations use. A real schema
    editor cannot open inside a transaction on SQLite; trigger DDL needs none
    of what it sets up."""

    def __init__(self, connection):
        self.connection = connection

    def execute(self, sql, params=None):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
