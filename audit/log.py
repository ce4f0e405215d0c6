"""The one helper that writes the audit trail, and its append-only trigger.

Services call ``audit_record`` for every change; views call it for every page
that shows, prints or exports client data. Signals are never used for this.

Lock order. Every row is chained to the one before it, so appends are
serialised: on PostgreSQL by the row lock on the chain head (``audit.chain_head``:
one row holding the newest event's hash, read and locked in one statement; the
chain lock), held until the writing transaction ends; on SQLite by the database's
write lock, which every write transaction takes when it begins. A transaction that holds the chain
lock must never wait for anything else, or it closes a cycle with a transaction
that holds that other lock and waits for the chain lock (this deadlocked busy
clinics: the foreign-key check of a new note, run at COMMIT after the chain lock,
waited for the client row that a colleague's autosave had locked while it waited
for the chain lock). So the chain lock is always the last lock a transaction
takes:

- ``audit_record`` first runs the transaction's deferred foreign-key checks
  (``SET CONSTRAINTS ALL IMMEDIATE``), so their row locks are taken before the
  chain lock rather than at COMMIT;
- rows are locked with ``select_for_update(no_key=True)`` (FOR NO KEY UPDATE),
  which never blocks another transaction's foreign-key check (FOR KEY SHARE), so
  the inserts and updates that follow an audit row cannot wait on a lock holder;
- after its audit row a transaction takes no new row lock (no SELECT ... FOR
  UPDATE/SHARE, no DELETE): services write their audit row last.

The tests hold every transaction to these rules with ``lock_order_guard``.

The keyed chain. Each row's ``hash`` is an HMAC-SHA256, with the audit key, over
the row's fields and the previous row's hash (``compute_hash`` with a key), and the
row names the key in ``key_id``. The key lives outside the database
(``KC_AUDIT_KEY_FILE`` or ``KC_AUDIT_KEY``; without either, a key derived from the
secret key), so whoever can write the database but cannot read the key cannot
recompute the chain after editing a row. Rows written before the chain was keyed
(blank ``key_id``) keep their plain SHA-256, and are valid only before the first
keyed row and when dated before the migration that keyed the chain.
``verify_chain`` walks the whole log; ``audit.heads`` publishes its head
outside the database, which is what catches deleted newest rows.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from audit import context as audit_context
from audit.chain_head import GENESIS_HASH, lock_head
from audit.chain_head import HEAD_TABLE as CHAIN_HEAD_TABLE
from audit.models import AuditEvent
from core import composition

# The label of the key derived from the secret key when no audit key is configured.
DERIVED_KEY_LABEL = b"kinetic-chart audit chain v1"
# audit_record logs the signed head of the chain on every row whose id is a multiple of this.
HEAD_LOG_EVERY = 1000

# The logger keeps its name from before the audit log was an app of its own: a central
# log that collects the published heads filters on it.
logger = logging.getLogger("clinic.audit")

# Published heads (audit.heads): one signed line per head.
HEAD = "audit-head"
RESTORE = "audit-restore"
HEAD_LINE_LABEL = b"kinetic-chart audit head v1\n"
NO_KEY = "-"


def client_ip(request) -> str | None:
    """The peer address (X-Forwarded-For is ignored: it is trivially forged). Without a
    request, the address of the request being served (``audit.context``), if any."""
    if request is None:
        context = audit_context.current()
        return context.ip if context is not None else None
    return audit_context.from_request(request).ip


# --- The audit key ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditKey:
    """One audit key: ``key_id`` names it in the rows, heads and backups it signed.
    ``derived`` marks a key derived from the secret key (no key configured)."""

    key_id: str
    secret: bytes = field(repr=False)
    derived: bool = False

    def sign(self, message: bytes) -> str:
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def verify(self, message: bytes, mac: str) -> bool:
        return hmac.compare_digest(self.sign(message), mac)


def key_id_for(secret: bytes) -> str:
    """A short fingerprint of a key: the first 12 hex characters of its SHA-256."""
    return hashlib.sha256(secret).hexdigest()[:12]


def derived_key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), DERIVED_KEY_LABEL, hashlib.sha256).hexdigest().encode()


@lru_cache(maxsize=8)
def _keyring(
    configured: tuple[str, ...], secret_key: str, fallbacks: tuple[str, ...]
) -> tuple[AuditKey, ...]:
    keys: list[AuditKey] = [AuditKey(key_id_for(k.encode()), k.encode()) for k in configured]
    # The keys derived from the secret key (and its fallbacks) come last: with a configured
    # key they only verify the rows signed before it was set, and sign nothing.
    for secret in (secret_key, *fallbacks):
        if secret:
            derived = derived_key(secret)
            keys.append(AuditKey(key_id_for(derived), derived, derived=True))
    unique: dict[str, AuditKey] = {}
    for key in keys:
        unique.setdefault(key.key_id, key)
    return tuple(unique.values())


def audit_keys() -> tuple[AuditKey, ...]:
    """Every audit key this server holds, newest first: the current key (the one that
    signs), then the retired ones, then those derived from the secret key and its
    fallbacks (the current key themselves when none is configured)."""
    return _keyring(
        tuple(getattr(settings, "KC_AUDIT_KEYS", ()) or ()),
        settings.SECRET_KEY,
        tuple(getattr(settings, "SECRET_KEY_FALLBACKS", ()) or ()),
    )


def current_key() -> AuditKey:
    return audit_keys()[0]


def key_by_id(key_id: str) -> AuditKey | None:
    return next((key for key in audit_keys() if key.key_id == key_id), None)


# --- The chain -------------------------------------------------------------------------------


def chain_payload(prev_hash: str, fields: dict[str, Any]) -> bytes:
    """The canonical JSON a row's hash covers: its fields and the previous row's hash."""
    return json.dumps({"prev": prev_hash, **fields}, sort_keys=True, default=str).encode()


def compute_hash(prev_hash: str, fields: dict[str, Any], key: AuditKey | None = None) -> str:
    """A row's hash: HMAC-SHA256 with ``key``; without one the plain SHA-256 of rows
    written before the chain was keyed (all anyone can compute without the key)."""
    payload = chain_payload(prev_hash, fields)
    if key is None:
        return hashlib.sha256(payload).hexdigest()
    return key.sign(payload)


def sign_event(event, prev_hash: str, key: AuditKey | None = None) -> None:
    """Chain ``event`` to ``prev_hash`` and sign it with ``key`` (default: the current key)."""
    key = key or current_key()
    event.prev_hash = prev_hash
    event.key_id = key.key_id
    event.hash = compute_hash(prev_hash, hashed_fields(event), key)


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
    client_id = getattr(client, "pk", client)
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    detail = _added_detail(user, client_id, detail or {})
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
    caller = _caller_transaction()
    with transaction.atomic():
        # One statement: on PostgreSQL the deferred foreign-key checks, then the chain
        # head read and locked (the chain lock); the insert moves the head (a trigger).
        sign_event(event, lock_head(connection))
        event.save(force_insert=True)
        if event.pk % HEAD_LOG_EVERY == 0:
            # A signed head in the central log now and then, once the row is committed.
            transaction.on_commit(lambda: _log_head(event), robust=True)
    if caller is not None:
        setattr(connection, "kc_chain_locked_by", caller)  # noqa: B010 - read by the lock-order guard
    return event


def audited_save(
    *,
    instance: models.Model,
    by,
    action: str,
    client=None,
    detail: dict[str, Any] | None = None,
    request=None,
):
    """Validate and save one row, then record ``action`` on it by ``by``: the three
    steps a service takes for every record it writes. ``full_clean`` refuses bad
    input before anything is written; call it inside the service's transaction so
    the row and its audit event commit together. Returns the saved row."""
    instance.full_clean()
    instance.save()
    audit_record(actor=by, action=action, request=request, client=client, target=instance, detail=detail)
    return instance


# --- Lock order: the chain lock is the last lock of a transaction -------------------------------


class LockOrderError(AssertionError):
    """A statement broke the lock order that keeps audit writes free of deadlocks."""


# Statements that take new row locks and wait for their holders.
_ROW_LOCKING_SQL = re.compile(r"^\s*DELETE\b|\bFOR\s+(NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b", re.I)
# A row lock that blocks other transactions' foreign-key checks.
_KEY_LOCK_SQL = re.compile(r"\bFOR\s+(UPDATE|SHARE)\b", re.I)
# django-axes and django-otp lock their own rows (sign-in attempts, second-factor devices)
# FOR UPDATE; no clinical row refers to them.
_THIRD_PARTY_LOCK_SQL = re.compile(r'^\s*SELECT\b.*?\bFROM\s+"(axes|otp)_', re.I | re.S)


def _caller_transaction():
    """What identifies the transaction ``audit_record`` was called in (None in
    autocommit): the savepoints of the blocks around the call, and a marker queued
    with the transaction's commit hooks, which Django drops when the transaction
    ends (or the savepoint around the call is rolled back)."""
    if not connection.in_atomic_block:
        return None
    marker = _ChainMarker()
    transaction.on_commit(marker)
    return tuple(connection.savepoint_ids), marker


class _ChainMarker:
    def __call__(self):
        pass


def _chain_lock_held(conn, base_depth: int) -> bool:
    """Whether the transaction that wrote an audit row is still open. Its outermost
    block (the first above ``base_depth``) holds the chain lock until it ends."""
    held = getattr(conn, "kc_chain_locked_by", None)
    if held is None:
        return False
    savepoints, marker = held
    # savepoint_ids[i] names atomic_blocks[i + 1] (the outermost block has none), so the
    # first block above the base is named by savepoint_ids[base_depth - 1].
    still_open = (
        len(savepoints) >= base_depth
        and len(conn.atomic_blocks) > base_depth
        and tuple(conn.savepoint_ids[:base_depth]) == savepoints[:base_depth]
        and any(func is marker for _, func, _ in conn.run_on_commit)
    )
    if not still_open:
        conn.kc_chain_locked_by = None
    return still_open


@contextmanager
def run_alone():
    """Mark code that runs while nothing else writes (demo and scale seeding, maintenance
    commands): it may compose many services in one transaction, so ``lock_order_guard``
    does not hold it to the lock order."""
    previous = getattr(connection, "kc_run_alone", False)
    connection.kc_run_alone = True
    try:
        yield
    finally:
        connection.kc_run_alone = previous


def lock_order_guard(base_depth: int = 0):
    """A ``connection.execute_wrapper`` that raises LockOrderError when a transaction
    takes a new row lock (SELECT ... FOR UPDATE/SHARE, DELETE) after its audit row
    (on PostgreSQL it holds the chain lock then, and waiting for a row lock can
    deadlock), or when a row is locked FOR UPDATE or FOR SHARE instead of FOR NO KEY
    UPDATE (that blocks other transactions' foreign-key checks). ``base_depth`` is
    the number of transaction blocks around the code being checked (a test's own
    transaction), which do not count as its transaction."""

    def wrapper(execute, sql, params, many, context):
        conn = context["connection"]
        if getattr(conn, "kc_run_alone", False):
            return execute(sql, params, many, context)
        if (
            conn.vendor == "postgresql"
            and sql.lstrip()[:6].upper() == "SELECT"
            and _KEY_LOCK_SQL.search(sql)
            and not _THIRD_PARTY_LOCK_SQL.search(sql)
        ):
            raise LockOrderError(
                "Lock rows with select_for_update(no_key=True): FOR UPDATE also blocks other "
                f"transactions' foreign-key checks of rows that refer to them: {sql[:200]}"
            )
        if (
            _ROW_LOCKING_SQL.search(sql)
            and "clinic_auditevent" not in sql
            and CHAIN_HEAD_TABLE not in sql
            and _chain_lock_held(conn, base_depth)
        ):
            raise LockOrderError(
                "A row lock was taken after audit_record in the same transaction. Write the audit "
                "row after the transaction's locks (its chain lock is held until COMMIT and must be "
                f"the last lock taken, or PostgreSQL can deadlock): {sql[:200]}"
            )
        return execute(sql, params, many, context)

    return wrapper


def _added_detail(user, client_id, detail: dict[str, Any]) -> dict[str, Any]:
    """What the apps add to a row's detail (the emergency-access grant in force, from the
    clinic app): each registers an ``audit_detail`` hook from its ``AppConfig.ready``, so
    this module names none of them."""
    for _app, hook in composition.providers("audit_detail"):
        detail = hook(user=user, client_id=client_id, detail=detail)
    return detail


def _log_head(event) -> None:
    logger.info(head_line(event.pk, event.hash, event.key_id))


def verify_chain(batch: int = 2000, *, after: tuple[int, str] | None = None) -> list[str]:
    """Walk the log in id order; return a list of problems (empty when intact): a row
    whose contents do not match its hash or its key's HMAC (edited), a broken link
    (a row deleted, inserted or reordered), a row without the key after keyed ones or
    dated after the chain was keyed, a newest row without the key, a row signed with
    an older key after rows signed with a newer one, and rows
    signed with a key this server does not hold. ``after`` (an event's id and hash)
    checks only the rows after that event, chained to it."""
    walk = _ChainWalk()
    expected_prev = GENESIS_HASH
    last_id = 0
    if after is not None:
        last_id, expected_prev = after
        start_key = AuditEvent.objects.filter(pk=last_id).values_list("key_id", flat=True).first()
        if start_key:
            walk.saw_key(start_key)
    last_event = None
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            break
        for event in rows:
            if event.prev_hash != expected_prev:
                walk.problems.append(
                    f"event {event.id}: chain broken (a row before it was deleted, inserted or reordered)"
                )
            walk.check(event)
            expected_prev = event.hash
            last_id = event.id
            last_event = event
    problems = walk.problems
    for key_id, (first, last, count) in walk.unknown.items():
        span = f"event {first}" if first == last else f"events {first} to {last}"
        problems.append(
            f"{span}: {count} signed with a key this server does not hold (key id {key_id}); "
            "they cannot be checked: put that key back on a retired line of KC_AUDIT_KEY_FILE"
        )
    if last_event is not None and not last_event.key_id:
        problems.append(
            f"event {last_event.id}: the newest event is not signed with the audit key, but every "
            "event since the chain was keyed is: the newest events were deleted or rewritten"
        )
    return problems


def _chain_keyed_at():
    """When this database started signing its audit rows (the migration that keyed the
    chain was applied): every row written since is keyed, so an unkeyed row dated later
    is forged. None when unknown."""
    try:
        applied = (
            MigrationRecorder(connection)
            .migration_qs.filter(app="clinic", name="0011_audit_chain_keyed")
            .values_list("applied", flat=True)
            .first()
        )
    except DatabaseError:
        return None
    if applied is not None and timezone.is_naive(applied):
        applied = timezone.make_aware(applied, UTC)
    return applied


class _ChainWalk:
    """The state of one walk along the chain: the keys this server holds, ranked (0 is
    the current key, higher is older), and the newest key seen on a row so far."""

    def __init__(self):
        self.keys = {key.key_id: (rank, key) for rank, key in enumerate(audit_keys())}
        self.problems: list[str] = []
        self.unknown: dict[str, list[int]] = {}  # key id -> [first id, last id, count]
        self.newest_key = ""
        self.newest_rank: int | None = None
        self.keyed_since = _chain_keyed_at()

    def saw_key(self, key_id: str) -> None:
        rank = self.keys.get(key_id, (None, None))[0]
        if rank is not None and (self.newest_rank is None or rank < self.newest_rank):
            self.newest_rank, self.newest_key = rank, key_id
        elif not self.newest_key and rank is None:
            self.newest_key = key_id

    def check(self, event) -> None:
        """One row's own hash, given the newest key of the rows before it."""
        fields = hashed_fields(event)
        if not event.key_id:
            if self.newest_key:
                self.problems.append(
                    f"event {event.id}: not signed with the audit key, after events that are "
                    "(forged: a row written by this version is always signed)"
                )
            elif self.keyed_since is not None and event.at > self.keyed_since:
                self.problems.append(
                    f"event {event.id}: not signed with the audit key, but dated after the chain was "
                    f"keyed ({self.keyed_since:%Y-%m-%d %H:%M} UTC): forged (or written while the "
                    "server's clock was wrong)"
                )
            elif compute_hash(event.prev_hash, fields) != event.hash:
                self.problems.append(f"event {event.id}: contents do not match its hash (edited)")
            return
        rank, key = self.keys.get(event.key_id, (None, None))
        if key is None:
            seen = self.unknown.setdefault(event.key_id, [event.id, event.id, 0])
            seen[1], seen[2] = event.id, seen[2] + 1
        else:
            if not hmac.compare_digest(compute_hash(event.prev_hash, fields, key), event.hash):
                self.problems.append(f"event {event.id}: contents do not match its hash (edited)")
            if self.newest_rank is not None and rank > self.newest_rank:
                self.problems.append(
                    f"event {event.id}: signed with an older audit key (key id {event.key_id}) after "
                    f"events signed with a newer one (key id {self.newest_key}): forged with a retired key"
                )
        self.saw_key(event.key_id)


# --- Published heads: the signed line (audit.heads keeps the file) ---------------------------


def sign_head_line(body: str, key: AuditKey) -> str:
    return key.sign(HEAD_LINE_LABEL + body.encode())


def head_line(event_id: int, event_hash: str, key_id: str, *, kind: str = HEAD) -> str:
    """One signed head line (no newline)."""
    key = current_key()
    stamp = timezone.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = f"{stamp} {kind} id={event_id} hash={event_hash} key={key_id or NO_KEY}"
    return f"{body} mac={key.key_id}:{sign_head_line(body, key)}"
