"""Test helper: lift the append-only trigger inside the current transaction,
so a test can play the attacker who edits the database directly. The test
transaction rolls back, which puts the trigger back."""

from __future__ import annotations

from django.db import connection

TABLE = "clinic_auditevent"


def drop_append_only_trigger() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f'DROP TRIGGER IF EXISTS "{TABLE}_append_only" ON "{TABLE}"')
        else:
            cursor.execute(f'DROP TRIGGER IF EXISTS "{TABLE}_no_update"')
            cursor.execute(f'DROP TRIGGER IF EXISTS "{TABLE}_no_delete"')


def trigger_names() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [TABLE]
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
        return {row[0] for row in cursor.fetchall()}


def rewrite_from(first_id: int, *, sign, key_id: str, edit=None, at=None) -> None:
    """Play the attacker who can write the database: edit the row ``first_id`` (with
    ``edit``) and recompute it and every later row's hash with ``sign(prev, fields)``,
    the attacker's hash, naming ``key_id`` as the key that signed them. ``at`` dates
    every rewritten row (as rows written before an upgrade are)."""
    from audit.log import GENESIS_HASH, hashed_fields
    from audit.models import AuditEvent

    drop_append_only_trigger()
    before = AuditEvent.objects.filter(id__lt=first_id).order_by("-id")
    prev = before.values_list("hash", flat=True).first() or GENESIS_HASH
    for event in list(AuditEvent.objects.filter(id__gte=first_id).order_by("id")):
        if edit is not None and event.id == first_id:
            edit(event)
        if at is not None:
            event.at = at
        event.prev_hash = prev
        event.key_id = key_id
        event.hash = prev = sign(prev, hashed_fields(event))
        AuditEvent.objects.filter(pk=event.pk).update(
            at=event.at,
            outcome=event.outcome,
            detail=event.detail,
            prev_hash=event.prev_hash,
            hash=event.hash,
            key_id=event.key_id,
        )
    # The chain head row is in the database too: the attacker points it at the rewritten
    # newest row, so the next append chains to the forgery and the chain alone cannot tell.
    from audit import chain_head

    chain_head.resync()
