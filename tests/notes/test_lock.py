"""A signed note is locked at every layer: service (see test_services), model,
QuerySet, and the database trigger, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.records import RecordLocked
from notes import services
from notes.models import Amendment, PalpationFinding, Treatment, VisitNote


def _raw(sql: str, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_model_save_and_delete_refuse_a_signed_note(signed_note):
    note = VisitNote.objects.get(pk=signed_note().pk)
    note.analysis = "rewritten"
    with pytest.raises(RecordLocked):
        note.save()
    with pytest.raises(RecordLocked):
        note.delete()
    assert VisitNote.objects.get(pk=note.pk).analysis != "rewritten"


def test_queryset_update_and_delete_refuse_signed_notes(signed_note):
    note = signed_note()
    with pytest.raises(RecordLocked):
        VisitNote.objects.filter(pk=note.pk).update(analysis="rewritten")
    with pytest.raises(RecordLocked):
        VisitNote.objects.filter(pk=note.pk).delete()
    assert VisitNote.objects.get(pk=note.pk).analysis != "rewritten"


def test_treatment_rows_under_a_signed_note_refuse_model_and_queryset_writes(signed_note, catalogue):
    note = signed_note(rows=2)
    row = Treatment.objects.select_related("note").filter(note=note).first()
    row.minutes = 1
    with pytest.raises(RecordLocked):
        row.save()
    with pytest.raises(RecordLocked):
        row.delete()
    with pytest.raises(RecordLocked):
        Treatment.objects.filter(note=note).update(minutes=1)
    with pytest.raises(RecordLocked):
        Treatment.objects.filter(note=note).delete()
    new = Treatment(
        note=note,
        technique=catalogue["technique"]["cupping"],
        region=catalogue["region"]["soleus"],
        minutes=5,
    )
    with pytest.raises(RecordLocked):
        new.save()
    assert Treatment.objects.filter(note=note).count() == 2


def test_the_trigger_refuses_a_raw_sql_update_of_a_signed_note(signed_note):
    note = signed_note()
    with pytest.raises(DatabaseError, match="kc_locked"):
        _raw("UPDATE notes_visitnote SET analysis = 'tampered' WHERE id = %s", [note.pk])
    with pytest.raises(DatabaseError, match="kc_locked"):
        _raw("UPDATE notes_visitnote SET signed_at = NULL WHERE id = %s", [note.pk])
    with pytest.raises(DatabaseError, match="kc_locked"):
        _raw("DELETE FROM notes_visitnote WHERE id = %s", [note.pk])
    fresh = VisitNote.objects.get(pk=note.pk)
    assert fresh.analysis != "tampered" and fresh.is_signed
    assert services.note_verify(fresh)


def test_the_trigger_allows_raw_sql_on_a_draft(make_note):
    note = make_note()
    _raw("UPDATE notes_visitnote SET objective = 'draft edit' WHERE id = %s", [note.pk])
    assert VisitNote.objects.get(pk=note.pk).objective == "draft edit"


def test_the_trigger_refuses_raw_sql_on_child_rows_of_a_signed_note(signed_note, catalogue, treating):
    note = signed_note(rows=1)
    row = note.treatments.get()
    with pytest.raises(DatabaseError, match="kc_locked"):
        _raw("UPDATE notes_treatment SET minutes = 59 WHERE id = %s", [row.pk])
    with pytest.raises(DatabaseError, match="kc_locked"):
        _raw("DELETE FROM notes_treatment WHERE id = %s", [row.pk])
    now = timezone.now()
    with pytest.raises(DatabaseError, match="kc_locked"):
        _raw(
            "INSERT INTO notes_treatment (note_id, technique_id, region_id, side, minutes, pressure, grade,"
            ' response, note_text, carried_forward, "order", created_at, updated_at)'
            " VALUES (%s, %s, %s, 'L', 5, 3, '', 'eased', '', %s, 9, %s, %s)",
            [
                note.pk,
                catalogue["technique"]["cupping"].pk,
                catalogue["region"]["soleus"].pk,
                False,
                now,
                now,
            ],
        )
    with pytest.raises(DatabaseError, match="kc_locked"):
        _raw(
            "INSERT INTO notes_palpationfinding (note_id, region_id, side, tone, tenderness, trigger_points,"
            " note_text, created_at, updated_at) VALUES (%s, %s, '', 'normal', 0, %s, '', %s, %s)",
            [note.pk, catalogue["region"]["soleus"].pk, False, now, now],
        )
    assert Treatment.objects.get(pk=row.pk).minutes == row.minutes
    assert not PalpationFinding.objects.filter(note=note).exists()


def test_amendments_are_insert_only(signed_note, treating):
    note = signed_note()
    amendment = services.amendment_add(note=note, by=treating, kind="addendum", reason="r", text="original")
    with pytest.raises(DatabaseError, match="kc_locked"):
        _raw("UPDATE notes_amendment SET text = 'rewritten' WHERE id = %s", [amendment.pk])
    with pytest.raises(DatabaseError, match="kc_locked"):
        _raw("DELETE FROM notes_amendment WHERE id = %s", [amendment.pk])
    loaded = Amendment.objects.get(pk=amendment.pk)
    loaded.text = "rewritten"
    with pytest.raises(RecordLocked):
        loaded.save()
    with pytest.raises(RecordLocked):
        Amendment.objects.filter(pk=amendment.pk).update(text="rewritten")
    assert Amendment.objects.get(pk=amendment.pk).text == "original"


def test_the_lock_triggers_are_installed_in_this_database(db):
    tables = ["notes_visitnote", "notes_treatment", "notes_palpationfinding", "notes_amendment"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE 'notes_%%_lock'")
        else:
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'notes_%_lock_%'"
            )
        found = {row[0].strip('"') for row in cursor.fetchall()}
    assert set(tables) <= found


def test_a_signed_note_cannot_be_deleted_even_with_its_rows(signed_note):
    note = signed_note()
    with pytest.raises((RecordLocked, DatabaseError)), transaction.atomic():
        Treatment.objects.filter(note=note)._raw_delete(connection.alias)
    assert note.treatments.count() == 2
