"""The audit log is append-only in the database and tamper-evident (AUD-4, AUD-5)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit.log import audit_record, verify_chain
from audit.models import AuditEvent
from tests.trust.audit_tamper import drop_append_only_trigger, trigger_names

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(treating):
    return [
        audit_record(actor=treating, action="view", client=7, detail={"n": n}, outcome="allowed")
        for n in range(100)
    ]


def _verify() -> tuple[bool, str]:
    try:
        call_command("audit_verify", stdout=(out := _Buffer()), stderr=(err := _Buffer()))
    except CommandError as exc:
        return False, err.text + str(exc)
    return True, out.text


class _Buffer:
    def __init__(self):
        self.text = ""

    def write(self, s):
        self.text += s

    def flush(self):
        pass


def test_the_append_only_triggers_are_installed():
    names = trigger_names()
    if connection.vendor == "postgresql":
        assert "clinic_auditevent_append_only" in names
    else:
        assert {"clinic_auditevent_no_update", "clinic_auditevent_no_delete"} <= names


def test_the_database_refuses_update_through_the_orm(events):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=events[0].pk).update(action="nothing")
    assert AuditEvent.objects.get(pk=events[0].pk).action == "view"


def test_the_database_refuses_delete_through_the_orm(events):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=events[0].pk).delete()
    assert AuditEvent.objects.count() == 100


def test_the_database_refuses_raw_sql_update_and_delete(events):
    for sql in ("UPDATE clinic_auditevent SET outcome = 'denied'", "DELETE FROM clinic_auditevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.filter(outcome="allowed").count() == 100


def test_an_intact_log_verifies(events):
    ok, text = _verify()
    assert ok, text
    assert "100 events" in text
    assert f"head {events[-1].pk}:{events[-1].hash}" in text


def test_an_edited_row_is_detected(events):
    drop_append_only_trigger()
    victim = events[40]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE clinic_auditevent SET outcome = 'denied' WHERE id = %s", [victim.pk])
    assert verify_chain() == [f"event {victim.pk}: contents do not match its hash (edited)"]
    ok, text = _verify()
    assert not ok
    assert f"event {victim.pk}" in text


def test_an_edited_row_with_a_recomputed_hash_fails_its_key_and_breaks_the_next_link(events):
    """Without the audit key, a recomputed hash can only be a plain SHA-256."""
    from audit.log import compute_hash, hashed_fields

    drop_append_only_trigger()
    victim = AuditEvent.objects.get(pk=events[40].pk)
    victim.outcome = "denied"
    forged = compute_hash(victim.prev_hash, hashed_fields(victim))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE clinic_auditevent SET outcome = 'denied', hash = %s WHERE id = %s", [forged, victim.pk]
        )
    problems = verify_chain()
    assert problems[0] == f"event {victim.pk}: contents do not match its hash (edited)"
    assert problems[1].startswith(f"event {events[41].pk}: chain broken")


def test_a_deleted_middle_row_is_detected(events):
    drop_append_only_trigger()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM clinic_auditevent WHERE id = %s", [events[50].pk])
    problems = verify_chain()
    assert problems[0].startswith(f"event {events[51].pk}: chain broken")
    assert not _verify()[0]


def test_two_swapped_rows_are_detected(events):
    drop_append_only_trigger()
    a, b = events[10], events[11]
    columns = ["at", "detail", "prev_hash", "hash"]
    with connection.cursor() as cursor:
        for target, source in ((a, b), (b, a)):
            cursor.execute(
                "UPDATE clinic_auditevent SET detail = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [_json(source.detail), source.prev_hash, source.hash, target.pk],
            )
    assert columns
    problems = verify_chain()
    assert problems[0].startswith(f"event {a.pk}: chain broken")
    assert not _verify()[0]


def test_a_truncated_tail_is_caught_with_a_recorded_anchor(events):
    anchor = f"{events[-1].pk}:{events[-1].hash}"
    drop_append_only_trigger()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM clinic_auditevent WHERE id >= %s", [events[90].pk])
    assert verify_chain() == []  # a shorter chain is still a valid chain ...
    with pytest.raises(CommandError):
        call_command(
            "audit_verify", anchor=[anchor], stdout=_Buffer(), stderr=_Buffer()
        )  # ... but not this one


def test_the_django_admin_offers_no_change_or_delete(rf, desk):
    from django.contrib import admin

    model_admin = admin.site._registry[AuditEvent]
    request = rf.get("/admin/")
    request.user = desk
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def _json(value) -> str:
    import json

    return json.dumps(value)


def test_a_client_page_is_not_served_when_its_audit_row_cannot_be_written(
    monkeypatch, treating, client_record
):
    from django.test import Client as HttpClient

    def broken(**kwargs):
        raise DatabaseError("audit store unavailable")

    monkeypatch.setattr("clinic.access.audit_record", broken)
    http = HttpClient(raise_request_exception=False)
    http.force_login(treating)
    response = http.get(f"/clients/{client_record.pk}/")
    assert response.status_code == 500
    assert b"Raman" not in response.content
