"""Append-only tables: a migration operation that installs a trigger refusing UPDATE and
DELETE on one table, on SQLite and PostgreSQL. The audit log, the final intake records,
the disclosure log and every change-history table use it."""

from __future__ import annotations

from django.db.migrations.operations.base import Operation

APPEND_ONLY_MESSAGE = "kc_append_only: audit events cannot be changed or deleted"


class AppendOnly(Operation):
    """Migration operation: a trigger that rejects UPDATE and DELETE on a table."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, table: str, message: str = APPEND_ONLY_MESSAGE):
        self.table = table
        self.message = message

    def deconstruct(self):
        kwargs = {"table": self.table}
        if self.message != APPEND_ONLY_MESSAGE:
            kwargs["message"] = self.message
        return self.__class__.__qualname__, [], kwargs

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        t = self.table
        if schema_editor.connection.vendor == "postgresql":
            statements = [
                f'CREATE OR REPLACE FUNCTION "{t}_append_only_fn"() RETURNS trigger LANGUAGE plpgsql AS $$ '
                f"BEGIN RAISE EXCEPTION '{self.message}'; END; $$;",
                f'CREATE TRIGGER "{t}_append_only" BEFORE UPDATE OR DELETE ON "{t}" '
                f'FOR EACH ROW EXECUTE FUNCTION "{t}_append_only_fn"();',
            ]
        else:
            statements = [
                f'CREATE TRIGGER "{t}_no_update" BEFORE UPDATE ON "{t}" FOR EACH ROW '
                f"BEGIN SELECT RAISE(ABORT, '{self.message}'); END;",
                f'CREATE TRIGGER "{t}_no_delete" BEFORE DELETE ON "{t}" FOR EACH ROW '
                f"BEGIN SELECT RAISE(ABORT, '{self.message}'); END;",
            ]
        for sql in statements:
            schema_editor.execute(sql, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        t = self.table
        if schema_editor.connection.vendor == "postgresql":
            statements = [
                f'DROP TRIGGER IF EXISTS "{t}_append_only" ON "{t}";',
                f'DROP FUNCTION IF EXISTS "{t}_append_only_fn"();',
            ]
        else:
            statements = [
                f'DROP TRIGGER IF EXISTS "{t}_no_update";',
                f'DROP TRIGGER IF EXISTS "{t}_no_delete";',
            ]
        for sql in statements:
            schema_editor.execute(sql, params=None)

    def describe(self):
        return f"Make {self.table} append-only"
