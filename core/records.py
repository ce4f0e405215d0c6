"""Building blocks for clinical records: timestamps, and signing that locks.

A signed record is locked at every layer:
- the service refuses (it checks ``is_signed`` and raises RecordLocked);
- the model refuses: ``save()`` and ``delete()`` on a row that was signed when it
  was loaded, and ``QuerySet.update()`` / ``delete()`` touching a signed row;
- the database refuses: a trigger (SQLite and PostgreSQL) rejects UPDATE and
  DELETE of a signed row, and INSERT/UPDATE/DELETE of a child row whose parent
  is signed. Install it from a migration with ``LockSignedRows``.

Records that are final the moment they are written (an intake health screen and
its answers, a consent or its withdrawal) use ``InsertOnlyModel`` and
``InsertOnlyQuerySet``, with ``audit.log.AppendOnly`` as their trigger (installed and
put back after every migrate by ``clinic.append_only``).

Who may write a record (its author, or a named supervisor) is the clinic's rule:
``clinic.authorship``.
"""

from __future__ import annotations

from typing import TypeVar

from django.conf import settings
from django.db import models
from django.db.migrations.operations.base import Operation

from core.errors import Conflict, Forbidden
from core.textlimits import TextLimited


class RecordLocked(Conflict):
    """Raised when something tries to change a signed clinical record."""

    message = "This record is signed and locked. Add an addendum instead."


class NotTheAuthor(Forbidden):
    """Someone other than a record's author tried to write, sign or amend it.

    Reading a client's clinical record is shared by the care team; writing a
    draft, signing it, marking it entered in error and amending it are for the
    therapist who wrote it. Views answer 403: the caller already reads the record,
    so the refusal confirms nothing it could not see."""

    message = "Only the therapist who wrote this record can change, sign or amend it."


class TimeStampedModel(TextLimited, models.Model):
    """Timestamps; ``full_clean()`` also holds free text to ``core.textlimits``."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class LockedQuerySet(models.QuerySet):
    """QuerySet for a signable model: bulk writes never reach a signed row."""

    def signed(self):
        return self.filter(signed_at__isnull=False)

    def drafts(self):
        return self.filter(signed_at__isnull=True)

    def update(self, **kwargs):
        if self.filter(signed_at__isnull=False).exists():
            raise RecordLocked()
        return super().update(**kwargs)

    def delete(self):
        if self.filter(signed_at__isnull=False).exists():
            raise RecordLocked()
        return super().delete()


class SignableModel(TimeStampedModel):
    """A clinical record that is a draft until signed, and immutable afterwards."""

    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signature_line = models.CharField(max_length=200, blank=True)

    objects = LockedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._signed_in_db = instance.__dict__.get("signed_at") is not None
        return instance

    def save(self, *args, **kwargs):  # noqa: DJ012 - from_db sits with the lock it feeds
        if getattr(self, "_signed_in_db", False):
            raise RecordLocked()
        super().save(*args, **kwargs)
        self._signed_in_db = self.signed_at is not None

    def delete(self, *args, **kwargs):
        if getattr(self, "_signed_in_db", False) or self.signed_at is not None:
            raise RecordLocked()
        return super().delete(*args, **kwargs)

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class LockedChildQuerySet(models.QuerySet):
    """QuerySet for rows that belong to a signable parent (treatment rows, measurements)."""

    def _touches_signed_parent(self) -> bool:
        parent_field = getattr(self.model, "lock_parent_field")  # noqa: B009 - set on the concrete model
        return self.filter(**{f"{parent_field}__signed_at__isnull": False}).exists()

    def update(self, **kwargs):
        if self._touches_signed_parent():
            raise RecordLocked()
        return super().update(**kwargs)

    def delete(self):
        if self._touches_signed_parent():
            raise RecordLocked()
        return super().delete()


LockedChildManager = models.Manager.from_queryset(LockedChildQuerySet)


class LockedChildModel(models.Model):
    """Mixin for a row owned by a signable parent. Set ``lock_parent_field``."""

    lock_parent_field = ""

    objects = LockedChildQuerySet.as_manager()

    class Meta:
        abstract = True

    def _parent_signed(self) -> bool:
        parent = getattr(self, self.lock_parent_field)
        return parent is not None and parent.signed_at is not None

    def save(self, *args, **kwargs):  # noqa: DJ012
        if self._parent_signed():
            raise RecordLocked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._parent_signed():
            raise RecordLocked()
        return super().delete(*args, **kwargs)


_M = TypeVar("_M", bound=models.Model)


class InsertOnlyQuerySet(models.QuerySet[_M]):
    """QuerySet for a record that is final once written (a health screen and its
    answers, a consent): bulk updates and deletes are refused outright."""

    locked_message = "This record is final. Record a new one instead."

    def update(self, **kwargs):
        raise RecordLocked(self.locked_message)

    def delete(self):
        raise RecordLocked(self.locked_message)


class InsertOnlyModel(models.Model):
    """Mixin for a record that is confirmed when it is written: ``save()`` only
    inserts, ``delete()`` is refused. The table's trigger (``AppendOnly``) holds
    the same rule for raw SQL."""

    locked_message = InsertOnlyQuerySet.locked_message

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):  # noqa: DJ012 - the lock belongs beside the fields it guards
        if not self._state.adding:
            raise RecordLocked(self.locked_message)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RecordLocked(self.locked_message)


# --- Database triggers -------------------------------------------------------

LOCK_MESSAGE = "kc_locked: signed clinical record cannot be changed"


def _sqlite_sql(table: str, parent_table: str | None, fk_column: str | None) -> list[str]:
    if parent_table is None:
        return [
            f'CREATE TRIGGER "{table}_lock_update" BEFORE UPDATE ON "{table}" FOR EACH ROW '
            f"WHEN OLD.signed_at IS NOT NULL BEGIN SELECT RAISE(ABORT, '{LOCK_MESSAGE}'); END;",
            f'CREATE TRIGGER "{table}_lock_delete" BEFORE DELETE ON "{table}" FOR EACH ROW '
            f"WHEN OLD.signed_at IS NOT NULL BEGIN SELECT RAISE(ABORT, '{LOCK_MESSAGE}'); END;",
        ]
    signed = f'(SELECT signed_at FROM "{parent_table}" WHERE id = {{row}}."{fk_column}") IS NOT NULL'
    return [
        f'CREATE TRIGGER "{table}_lock_insert" BEFORE INSERT ON "{table}" FOR EACH ROW '
        f"WHEN {signed.format(row='NEW')} BEGIN SELECT RAISE(ABORT, '{LOCK_MESSAGE}'); END;",
        f'CREATE TRIGGER "{table}_lock_update" BEFORE UPDATE ON "{table}" FOR EACH ROW '
        f"WHEN {signed.format(row='OLD')} OR {signed.format(row='NEW')} "
        f"BEGIN SELECT RAISE(ABORT, '{LOCK_MESSAGE}'); END;",
        f'CREATE TRIGGER "{table}_lock_delete" BEFORE DELETE ON "{table}" FOR EACH ROW '
        f"WHEN {signed.format(row='OLD')} BEGIN SELECT RAISE(ABORT, '{LOCK_MESSAGE}'); END;",
    ]


def _postgres_sql(table: str, parent_table: str | None, fk_column: str | None) -> list[str]:
    func = f"{table}_lock_fn"
    if parent_table is None:
        body = f"IF OLD.signed_at IS NOT NULL THEN RAISE EXCEPTION '{LOCK_MESSAGE}'; END IF;"
        events = "UPDATE OR DELETE"
    else:
        parent_signed = (
            f'EXISTS (SELECT 1 FROM "{parent_table}" p WHERE p.id = {{row}}."{fk_column}" '
            "AND p.signed_at IS NOT NULL)"
        )
        body = (
            f"IF TG_OP IN ('UPDATE', 'DELETE') AND {parent_signed.format(row='OLD')} THEN "
            f"RAISE EXCEPTION '{LOCK_MESSAGE}'; END IF; "
            f"IF TG_OP IN ('INSERT', 'UPDATE') AND {parent_signed.format(row='NEW')} THEN "
            f"RAISE EXCEPTION '{LOCK_MESSAGE}'; END IF;"
        )
        events = "INSERT OR UPDATE OR DELETE"
    return [
        f'CREATE OR REPLACE FUNCTION "{func}"() RETURNS trigger LANGUAGE plpgsql AS $$ '
        f"BEGIN {body} IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END; $$;",
        f'CREATE TRIGGER "{table}_lock" BEFORE {events} ON "{table}" '
        f'FOR EACH ROW EXECUTE FUNCTION "{func}"();',
    ]


def _drop_sql(vendor: str, table: str, parent_table: str | None) -> list[str]:
    if vendor == "postgresql":
        return [
            f'DROP TRIGGER IF EXISTS "{table}_lock" ON "{table}";',
            f'DROP FUNCTION IF EXISTS "{table}_lock_fn"();',
        ]
    names = ["update", "delete"] + (["insert"] if parent_table else [])
    return [f'DROP TRIGGER IF EXISTS "{table}_lock_{n}";' for n in names]


class LockSignedRows(Operation):
    """Migration operation: install the signed-record lock trigger on a table.

    ``LockSignedRows("notes_visitnote")`` locks signed rows of a signable table;
    ``LockSignedRows("notes_treatment", parent_table="notes_visitnote",
    fk_column="note_id")`` locks the children of a signed parent.
    """

    reduces_to_sql = True
    reversible = True

    def __init__(self, table: str, parent_table: str | None = None, fk_column: str | None = None):
        self.table = table
        self.parent_table = parent_table
        self.fk_column = fk_column

    def deconstruct(self):
        kwargs = {"table": self.table}
        if self.parent_table:
            kwargs["parent_table"] = self.parent_table
            kwargs["fk_column"] = self.fk_column
        return self.__class__.__qualname__, [], kwargs

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            statements = _postgres_sql(self.table, self.parent_table, self.fk_column)
        elif vendor == "sqlite":
            statements = _sqlite_sql(self.table, self.parent_table, self.fk_column)
        else:
            raise NotImplementedError(f"No lock trigger for {vendor}")
        for sql in statements:
            schema_editor.execute(sql, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        for sql in _drop_sql(schema_editor.connection.vendor, self.table, self.parent_table):
            schema_editor.execute(sql, params=None)

    def describe(self):
        return f"Lock signed rows of {self.table}"


class UnlockSignedRows(LockSignedRows):
    """Migration operation: remove a lock trigger for the length of a migration.

    SQLite rebuilds a table to add a column with a default, and a trigger naming
    that table (its own, or a child's) blocks the rebuild. A migration that changes
    a locked table drops the triggers first with this operation and installs them
    again with ``LockSignedRows`` after the change."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        super().database_backwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"Unlock signed rows of {self.table} while it changes"
