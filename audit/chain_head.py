"""The audit chain's head row (``audit.models.ChainHead``) and the trigger that moves it.

``lock_head`` is the first thing ``audit_record`` does in its transaction: one statement
that reads the newest hash and, on PostgreSQL, locks the head row until the transaction
ends (the chain lock; see the lock order in ``audit.log``). The INSERT of the event then
moves the head through an AFTER INSERT trigger on the audit table, in the same statement,
so an append costs two statements and two writers can never chain to the same row.

The trigger is (re)installed after every ``migrate`` (SQLite drops a table's triggers
when a migration rebuilds it). A load that skips triggers (a bulk load with PostgreSQL's
``session_replication_role = replica``) calls ``resync`` afterwards. A missing head row
(a flushed test database) is put back from the newest event on the next append.
"""

from __future__ import annotations

from django.db import connections

from audit.models import AuditEvent, ChainHead

GENESIS_HASH = "0" * 64
TRIGGER = "audit_chain_head_follow"
HEAD_TABLE = ChainHead._meta.db_table
EVENT_TABLE = AuditEvent._meta.db_table

# The head follows the newest event; an older id (a row loaded out of order) leaves it be.
_FOLLOW = f"UPDATE {HEAD_TABLE} SET event_id = NEW.id, hash = NEW.hash WHERE id = 1 AND event_id < NEW.id;"

# PostgreSQL: the transaction's deferred foreign-key checks first (taking their row locks
# now, not at COMMIT), then the head row, read and locked in one round trip.
_PG_LOCK = (
    "SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED; "
    f"SELECT hash FROM {HEAD_TABLE} WHERE id = 1 FOR NO KEY UPDATE"
)
# SQLite: every write transaction begins IMMEDIATE, holding the database's write lock.
_SQLITE_READ = f"SELECT hash FROM {HEAD_TABLE} WHERE id = 1"


def trigger_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $kc$ "
            f"BEGIN {_FOLLOW} RETURN NULL; END; $kc$",
            f"DROP TRIGGER IF EXISTS {TRIGGER} ON {EVENT_TABLE}",
            f"CREATE TRIGGER {TRIGGER} AFTER INSERT ON {EVENT_TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()",
        ]
    return [
        f"DROP TRIGGER IF EXISTS {TRIGGER}",
        f"CREATE TRIGGER {TRIGGER} AFTER INSERT ON {EVENT_TABLE} FOR EACH ROW BEGIN {_FOLLOW} END",
    ]


def drop_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {TRIGGER} ON {EVENT_TABLE}", f"DROP FUNCTION IF EXISTS {TRIGGER}()"]
    return [f"DROP TRIGGER IF EXISTS {TRIGGER}"]


def ensure_chain_head_trigger(*, using: str = "default", **kwargs) -> int:
    """Install (or put back) the trigger that moves the head; runs after every migrate."""
    connection = connections[using]
    if connection.vendor not in ("sqlite", "postgresql"):
        return 0
    existing = set(connection.introspection.table_names())
    if not {HEAD_TABLE, EVENT_TABLE} <= existing:
        return 0
    statements = trigger_statements(connection.vendor)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    return len(statements)


def resync(using: str = "default") -> None:
    """Point the head at the newest event (after a load that skipped the trigger)."""
    newest = AuditEvent.objects.using(using).order_by("-id").values_list("id", "hash").first()
    event_id, digest = newest or (0, GENESIS_HASH)
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {HEAD_TABLE} (id, event_id, hash) VALUES (1, %s, %s) "
            "ON CONFLICT (id) DO UPDATE SET event_id = EXCLUDED.event_id, hash = EXCLUDED.hash",
            [event_id, digest],
        )


def _read(cursor, vendor: str) -> str | None:
    if vendor == "postgresql":
        cursor.execute(_PG_LOCK)
        while cursor.description is None and cursor.nextset():
            pass
    else:
        cursor.execute(_SQLITE_READ)
    row = cursor.fetchone()
    return row[0] if row else None


def lock_head(connection) -> str:
    """The newest event's hash (the genesis hash for an empty log), with the chain lock
    held until the transaction ends. Call inside the appending transaction."""
    with connection.cursor() as cursor:
        digest = _read(cursor, connection.vendor)
        if digest is not None:
            return digest
        # No head row yet: put one back from the newest event; a concurrent writer doing
        # the same waits on the key, then finds the row, and both lock it below.
        newest = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
        event_id, newest_hash = newest or (0, GENESIS_HASH)
        cursor.execute(
            f"INSERT INTO {HEAD_TABLE} (id, event_id, hash) VALUES (1, %s, %s) ON CONFLICT (id) DO NOTHING",
            [event_id, newest_hash],
        )
        digest = _read(cursor, connection.vendor)
    assert digest is not None
    return digest
