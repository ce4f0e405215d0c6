"""The one helper that writes the audit trail, and its append-only trigger.

Services call ``audit_record`` for every change; views call it for every page
that shows, prints or exports client data. Signals are never used for this.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import connection, models, transaction
from django.db.migrations.operations.base import Operation
from django.utils import timezone

GENESIS_HASH = "0" * 64
_PG_AUDIT_LOCK = 0x4B43_4155  # "KCAU": serialises hash-chain appends on PostgreSQL


def client_ip(request) -> str | None:
    """The peer address. X-Forwarded-For is ignored: it is trivially forged."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def compute_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    payload = json.dumps({"prev": prev_hash, **fields}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def hashed_fields(event) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "client_id": event.client_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "ip": event.ip,
        "outcome": event.outcome,
        "detail": event.detail,
    }


def audit_record(
    *,
    actor,
    action: str,
    request=None,
    client=None,
    target: models.Model | None = None,
    outcome: str = "allowed",
    detail: dict[str, Any] | None = None,
):
    """Append one audit event. ``client`` may be a Client or its id."""
    from clinic.models import AuditEvent

    client_id = getattr(client, "pk", client)
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    detail = _flag_break_glass(user, client_id, detail or {})
    event = AuditEvent(
        at=timezone.now(),
        actor=user,
        actor_username=user.username if user else (detail or {}).get("username", "")[:150],
        client_id=client_id,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        ip=client_ip(request),
        outcome=outcome,
        detail=detail or {},
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_AUDIT_LOCK])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event.prev_hash = last or GENESIS_HASH
        event.hash = compute_hash(event.prev_hash, hashed_fields(event))
        event.save(force_insert=True)
    return event


def _flag_break_glass(user, client_id, detail: dict[str, Any]) -> dict[str, Any]:
    """Mark a row written while the user holds emergency access to this client
    with the grant's id. Only users allowed to break the glass pay the lookup;
    for everyone else this costs no query."""
    if user is None or client_id is None or "break_glass" in detail:
        return detail
    if not getattr(user, "may_break_glass", False):
        return detail
    from clinic.models import EmergencyAccess

    grant_id = (
        EmergencyAccess.objects.active_for(user)
        .filter(client_id=client_id)
        .values_list("pk", flat=True)
        .first()
    )
    return {**detail, "break_glass": grant_id} if grant_id else detail


def verify_chain(batch: int = 2000) -> list[str]:
    """Walk the whole log in id order; return a list of problems (empty when intact)."""
    from clinic.models import AuditEvent

    problems: list[str] = []
    expected_prev = GENESIS_HASH
    last_id = 0
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            break
        for event in rows:
            if event.prev_hash != expected_prev:
                problems.append(
                    f"event {event.id}: chain broken (a row before it was deleted, inserted or reordered)"
                )
            if compute_hash(event.prev_hash, hashed_fields(event)) != event.hash:
                problems.append(f"event {event.id}: contents do not match its hash (edited)")
            expected_prev = event.hash
            last_id = event.id
    return problems


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
