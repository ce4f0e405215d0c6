"""The audit chain is keyed (AUD-5): each row's hash is an HMAC with the audit key,
which lives outside the database, so whoever can write the database cannot edit a
row and recompute the chain after it."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from audit import log as audit
from audit.log import (
    audit_record,
    compute_hash,
    current_key,
    derived_key,
    hashed_fields,
    key_id_for,
    verify_chain,
)
from audit.models import AuditEvent
from tests.trust.audit_tamper import drop_append_only_trigger, rewrite_from

pytestmark = pytest.mark.django_db

OLD_KEY = "old-audit-key-" + "o" * 40
NEW_KEY = "new-audit-key-" + "n" * 40
ATTACKER_KEY = "attacker-key-" + "a" * 40


def _record(treating, n: int = 20, **extra) -> list[AuditEvent]:
    return [audit_record(actor=treating, action="view", client=7, detail={"n": i, **extra}) for i in range(n)]


def _deny(event) -> None:
    event.outcome = "denied"


def _plain_sha256(prev, fields):
    return compute_hash(prev, fields)


def _hmac_with(secret: str):
    def sign(prev, fields):
        return hmac.new(secret.encode(), audit.chain_payload(prev, fields), hashlib.sha256).hexdigest()

    return sign


def test_each_row_is_an_hmac_with_the_current_key_and_names_it(settings, treating):
    settings.KC_AUDIT_KEYS = [NEW_KEY]
    [event] = _record(treating, 1)
    event.refresh_from_db()
    assert event.key_id == key_id_for(NEW_KEY.encode()) == current_key().key_id
    assert len(event.key_id) == 12
    expected = hmac.new(
        NEW_KEY.encode(), audit.chain_payload(event.prev_hash, hashed_fields(event)), "sha256"
    )
    assert event.hash == expected.hexdigest()
    assert event.hash != compute_hash(event.prev_hash, hashed_fields(event))  # not the plain SHA-256
    assert verify_chain() == []


def test_without_a_configured_key_the_key_is_derived_from_the_secret_key(settings, treating):
    assert settings.KC_AUDIT_KEYS == []
    derived = hmac.new(settings.SECRET_KEY.encode(), b"kinetic-chart audit chain v1", "sha256").hexdigest()
    assert current_key().secret == derived.encode() == derived_key(settings.SECRET_KEY)
    events = _record(treating, 5)
    assert {e.key_id for e in events} == {key_id_for(derived.encode())}
    assert verify_chain() == []

    # A new secret key orphans the chain, unless the old one is kept as a fallback.
    old_secret = settings.SECRET_KEY
    settings.SECRET_KEY = "another-secret-key-" + "s" * 40
    problems = verify_chain()
    assert problems == [
        f"events {events[0].pk} to {events[-1].pk}: 5 signed with a key this server does not hold "
        f"(key id {events[0].key_id}); they cannot be checked: put that key back on a retired line "
        "of KC_AUDIT_KEY_FILE"
    ]
    settings.SECRET_KEY_FALLBACKS = [old_secret]
    _record(treating, 2)
    assert verify_chain() == []


def test_an_edited_row_with_every_later_hash_recomputed_as_plain_sha256_is_detected(treating):
    events = _record(treating)
    victim = events[8]
    rewrite_from(victim.pk, sign=_plain_sha256, key_id=victim.key_id, edit=_deny)
    problems = verify_chain()
    assert problems[0] == f"event {victim.pk}: contents do not match its hash (edited)"
    assert len(problems) == len(events) - 8  # every rewritten row fails its key


def test_an_edited_row_with_every_later_hash_recomputed_with_a_wrong_key_is_detected(treating):
    events = _record(treating)
    victim = events[8]
    rewrite_from(victim.pk, sign=_hmac_with(ATTACKER_KEY), key_id=victim.key_id, edit=_deny)
    problems = verify_chain()
    assert problems[0] == f"event {victim.pk}: contents do not match its hash (edited)"
    assert f"event {events[-1].pk}: contents do not match its hash (edited)" in problems


def test_rows_signed_with_the_attackers_own_key_are_reported(treating):
    events = _record(treating)
    rewrite_from(
        events[8].pk, sign=_hmac_with(ATTACKER_KEY), key_id=key_id_for(ATTACKER_KEY.encode()), edit=_deny
    )
    assert verify_chain() == [
        f"events {events[8].pk} to {events[-1].pk}: 12 signed with a key this server does not hold "
        f"(key id {key_id_for(ATTACKER_KEY.encode())}); they cannot be checked: put that key back on "
        "a retired line of KC_AUDIT_KEY_FILE"
    ]


def test_a_keyed_row_rewritten_as_an_unkeyed_one_is_a_forgery(treating):
    events = _record(treating)
    rewrite_from(events[8].pk, sign=_plain_sha256, key_id="", edit=_deny)
    problems = verify_chain()
    assert problems[0] == (
        f"event {events[8].pk}: not signed with the audit key, after events that are "
        "(forged: a row written by this version is always signed)"
    )
    assert len(problems) == 12 + 1  # each rewritten row, and the newest row is unkeyed


def test_the_whole_log_rewritten_as_unkeyed_rows_is_a_forgery(treating):
    """Rows without the key are valid only as rows written before the chain was keyed."""
    events = _record(treating)
    keyed_at = audit._chain_keyed_at()
    rewrite_from(events[0].pk, sign=_plain_sha256, key_id="", edit=_deny)
    problems = verify_chain()
    assert problems[0] == (
        f"event {events[0].pk}: not signed with the audit key, but dated after the chain was keyed "
        f"({keyed_at:%Y-%m-%d %H:%M} UTC): forged (or written while the server's clock was wrong)"
    )
    assert len(problems) == 20 + 1
    # Dated before the upgrade too, the rewrite is still caught while the newest row is unkeyed.
    rewrite_from(events[0].pk, sign=_plain_sha256, key_id="", at=keyed_at - timedelta(days=1))
    assert verify_chain() == [
        f"event {events[-1].pk}: the newest event is not signed with the audit key, but every event "
        "since the chain was keyed is: the newest events were deleted or rewritten"
    ]


def test_rows_written_before_the_chain_was_keyed_stay_valid_before_the_first_keyed_row(treating):
    """An upgraded log: plain SHA-256 rows, then keyed rows chained to them."""
    events = _record(treating, 6)
    before_upgrade = audit._chain_keyed_at() - timedelta(days=30)
    rewrite_from(events[0].pk, sign=_plain_sha256, key_id="", at=before_upgrade)  # as the old version
    later = _record(treating, 3)
    assert later[0].prev_hash == AuditEvent.objects.get(pk=events[-1].pk).hash
    assert verify_chain() == []
    # An edited old row is still caught (its plain SHA-256 no longer matches).
    with audit_connection() as cursor:
        cursor.execute("UPDATE clinic_auditevent SET outcome = 'denied' WHERE id = %s", [events[2].pk])
    assert verify_chain() == [f"event {events[2].pk}: contents do not match its hash (edited)"]


def test_rotation_keeps_old_rows_valid_while_the_old_key_is_a_retired_line(settings, treating):
    settings.KC_AUDIT_KEYS = [OLD_KEY]
    old_rows = _record(treating, 5)
    settings.KC_AUDIT_KEYS = [NEW_KEY, OLD_KEY]  # rotated: the new key first, the old one kept
    new_rows = _record(treating, 5)
    assert {e.key_id for e in old_rows} == {key_id_for(OLD_KEY.encode())}
    assert {e.key_id for e in new_rows} == {key_id_for(NEW_KEY.encode())}
    assert new_rows[0].prev_hash == old_rows[-1].hash
    assert verify_chain() == []

    settings.KC_AUDIT_KEYS = [NEW_KEY]  # the old key dropped: its rows cannot be checked
    assert verify_chain() == [
        f"events {old_rows[0].pk} to {old_rows[-1].pk}: 5 signed with a key this server does not hold "
        f"(key id {key_id_for(OLD_KEY.encode())}); they cannot be checked: put that key back on a "
        "retired line of KC_AUDIT_KEY_FILE"
    ]


def test_a_row_forged_with_a_retired_key_after_the_rotation_is_detected(settings, treating):
    """A key is rotated because it may have leaked: it must not sign anything new."""
    settings.KC_AUDIT_KEYS = [OLD_KEY]
    _record(treating, 3)
    settings.KC_AUDIT_KEYS = [NEW_KEY, OLD_KEY]
    _record(treating, 3)
    settings.KC_AUDIT_KEYS = [OLD_KEY]  # the attacker, holding the old key, appends a row
    forged = audit_record(actor=treating, action="login")
    settings.KC_AUDIT_KEYS = [NEW_KEY, OLD_KEY]
    assert verify_chain() == [
        f"event {forged.pk}: signed with an older audit key (key id {key_id_for(OLD_KEY.encode())}) after "
        f"events signed with a newer one (key id {key_id_for(NEW_KEY.encode())}): forged with a retired key"
    ]


def test_a_configured_key_still_verifies_rows_signed_with_the_derived_default(settings, treating):
    """Setting a key of its own after running on the default keeps the rows so far valid."""
    _record(treating, 3)
    settings.KC_AUDIT_KEYS = [NEW_KEY]
    _record(treating, 3)
    assert current_key().key_id == key_id_for(NEW_KEY.encode())
    assert verify_chain() == []


def test_verify_after_a_known_head_walks_only_the_newer_rows(treating):
    events = _record(treating, 10)
    drop_append_only_trigger()
    with audit_connection() as cursor:
        cursor.execute("UPDATE clinic_auditevent SET outcome = 'denied' WHERE id = %s", [events[2].pk])
    assert verify_chain(after=(events[5].pk, events[5].hash)) == []
    assert verify_chain(after=(events[1].pk, events[1].hash)) == [
        f"event {events[2].pk}: contents do not match its hash (edited)"
    ]


# --- Settings ---------------------------------------------------------------------------------


def _keys_from(monkeypatch, **env):
    from clinic.settings import audit_keys_from_env

    for name in ("KC_AUDIT_KEY", "KC_AUDIT_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return audit_keys_from_env()


def test_the_key_file_holds_the_current_key_then_the_retired_ones(monkeypatch, tmp_path):
    path = tmp_path / "audit-key"
    path.write_text(f"\n{NEW_KEY}\n\n{OLD_KEY}\n")
    assert _keys_from(monkeypatch, KC_AUDIT_KEY_FILE=str(path)) == [NEW_KEY, OLD_KEY]
    assert _keys_from(monkeypatch, KC_AUDIT_KEY=NEW_KEY) == [NEW_KEY]
    assert _keys_from(monkeypatch) == []


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KC_AUDIT_KEY": "too-short"}, "shorter than 32 characters"),
        ({"KC_AUDIT_KEY_FILE": "FILE:" + NEW_KEY + "\nshort"}, "line 2 of KC_AUDIT_KEY_FILE"),
        ({"KC_AUDIT_KEY_FILE": "FILE:\n\n"}, "holds no key"),
        ({"KC_AUDIT_KEY_FILE": "/nonexistent/audit-key"}, "cannot read"),
        ({"KC_AUDIT_KEY_FILE": "FILE:" + NEW_KEY, "KC_AUDIT_KEY": NEW_KEY}, "not both"),
    ],
)
def test_a_bad_audit_key_setting_stops_the_start(monkeypatch, tmp_path, env, message):
    for name, value in env.items():
        if value.startswith("FILE:"):
            path = tmp_path / "audit-key"
            path.write_text(value[5:])
            env[name] = str(path)
    with pytest.raises(ImproperlyConfigured, match=message):
        _keys_from(monkeypatch, **env)


def audit_connection():
    from django.db import connection

    drop_append_only_trigger()
    return connection.cursor()


# --- The upgrade ------------------------------------------------------------------------------

UPGRADE = """
import django, json
django.setup()
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.utils import timezone
from audit.log import GENESIS_HASH, compute_hash, verify_chain
from audit.models import AuditEvent

call_command("migrate", "clinic", "0010", verbosity=0)
prev = GENESIS_HASH
with connection.cursor() as cursor:  # rows as the previous version wrote them
    for n in range(5):
        at = timezone.now()
        fields = {"at": at.isoformat(), "actor_id": None, "actor_username": "", "client_id": None,
                  "action": "login", "object_type": "", "object_id": "", "ip": None,
                  "outcome": "allowed", "detail": {"n": n}}
        digest = compute_hash(prev, fields)
        cursor.execute(
            "INSERT INTO clinic_auditevent (at, actor_username, action, object_type, object_id, outcome,"
            " detail, prev_hash, hash) VALUES (%s, '', 'login', '', '', 'allowed', %s, %s, %s)",
            [at, json.dumps({"n": n}), prev, digest],
        )
        prev = digest
call_command("migrate", verbosity=0)
try:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE clinic_auditevent SET outcome = 'denied'")
    refused = ""
except DatabaseError as exc:
    refused = str(exc)
rows = list(AuditEvent.objects.order_by("id").values_list("action", "key_id"))
print(json.dumps({"problems": verify_chain(), "rows": rows, "refused": refused}))
"""


def test_upgrading_a_log_of_unkeyed_rows_keeps_it_valid_and_append_only(scratch_db):
    """A log written by the previous version (plain SHA-256 rows, no key column), migrated."""
    result = json.loads(scratch_db.run("-c", UPGRADE).stdout.strip().splitlines()[-1])

    assert result["problems"] == []
    assert result["rows"][:5] == [["login", ""]] * 5
    assert result["rows"][5][0] == "audit_chain_keyed" and len(result["rows"][5][1]) == 12
    assert len(result["rows"]) == 6
    assert "kc_append_only" in result["refused"]
