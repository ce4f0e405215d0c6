"""A signed note changed behind the lock trigger (by someone who owns the
database: drop the trigger, edit, put the trigger back) is noticed: the note
page and its PDF carry a warning, each showing writes a security audit row,
and ``manage.py audit_verify`` fails naming the note."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEvent
from core.records import LockSignedRows
from notes import services

WARNING = "This note's content does not match its signature"


class _Editor:
    def __init__(self):
        self.connection = connection

    def execute(self, sql, params=None):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def tamper(sql: str, params, *, table: str = "notes_visitnote", parent: str | None = None) -> None:
    """What a database owner can do: lift the lock, edit, and restore the lock."""
    lock = LockSignedRows(table, parent_table=parent, fk_column="note_id" if parent else None)
    with transaction.atomic():
        lock.database_backwards("notes", _Editor(), None, None)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        lock.database_forwards("notes", _Editor(), None, None)


def _pdf_text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_an_untouched_signed_note_shows_no_warning_and_passes(signed_note, as_treating):
    note = signed_note()
    page = as_treating.get(reverse("note_detail", args=[note.pk]))
    assert page.status_code == 200
    assert b'id="signature-mismatch"' not in page.content
    assert WARNING not in _pdf_text(as_treating.get(reverse("note_pdf", args=[note.pk])).content)
    assert not AuditEvent.objects.filter(action="signature_mismatch").exists()
    assert services.signed_notes_verify() == []
    call_command("audit_verify", stdout=io.StringIO())


def test_a_note_edited_behind_the_trigger_is_flagged_on_the_page_the_pdf_and_audit_verify(
    signed_note, as_treating, treating
):
    note = signed_note()
    intact = signed_note()
    tamper("UPDATE notes_visitnote SET analysis = %s WHERE id = %s", ["rewritten later", note.pk])

    page = as_treating.get(reverse("note_detail", args=[note.pk]))
    assert page.status_code == 200
    assert b'id="signature-mismatch"' in page.content
    assert WARNING.replace("'", "&#x27;").encode() in page.content
    pdf = as_treating.get(reverse("note_pdf", args=[note.pk]))
    assert pdf.status_code == 200
    assert WARNING in _pdf_text(pdf.content).replace("\n", " ")

    events = list(AuditEvent.objects.filter(action="signature_mismatch").order_by("id"))
    assert [e.detail["where"] for e in events] == ["page", "pdf"]
    assert all(e.detail["security"] and e.actor == treating for e in events)
    assert {e.object_id for e in events} == {str(note.pk)}
    assert all(e.client_id == note.client_id for e in events)
    # The intact note beside it is not flagged.
    assert b'id="signature-mismatch"' not in as_treating.get(reverse("note_detail", args=[intact.pk])).content

    problems = services.signed_notes_verify()
    assert len(problems) == 1 and f"signed note {note.pk} " in problems[0]
    err = io.StringIO()
    with pytest.raises(CommandError, match="FAILED"):
        call_command("audit_verify", stdout=io.StringIO(), stderr=err)
    assert f"signed note {note.pk} " in err.getvalue()


def test_a_treatment_row_edited_behind_the_trigger_is_flagged_too(signed_note, as_treating):
    note = signed_note(rows=2)
    row = note.treatments.order_by("id").first()
    tamper(
        "UPDATE notes_treatment SET minutes = 55 WHERE id = %s",
        [row.pk],
        table="notes_treatment",
        parent="notes_visitnote",
    )
    page = as_treating.get(reverse("note_detail", args=[note.pk]))
    assert b'id="signature-mismatch"' in page.content
    assert len(services.signed_notes_verify()) == 1


def test_the_check_costs_no_query_on_the_page(signed_note, as_treating, django_assert_num_queries):
    """The page already loads the note and its rows; the hash is recomputed
    from them (the pinned page count in test_query_counts is unchanged)."""
    from notes import pages
    from notes.access import get_note_for_user

    note = signed_note()
    loaded = get_note_for_user(note.therapist, note.pk)
    page = pages.note_page(loaded)
    with django_assert_num_queries(0):
        assert pages.signed_content_matches(loaded, page.treatments, page.palpation)


def test_a_visit_time_typed_in_the_clinics_zone_still_verifies(settings, make_note, add_row, treating):
    """The form hands the service a time in the clinic's zone and the database
    gives it back in UTC: the signature covers the moment, not its spelling."""
    from datetime import timedelta

    from django.utils import timezone

    from tests.notes.conftest import COMPLETE

    settings.TIME_ZONE = "America/New_York"
    with timezone.override("America/New_York"):
        note = make_note(**COMPLETE)
        add_row(note)
        typed = timezone.localtime(timezone.now() - timedelta(hours=3))
        signed = services.note_sign(note=note, by=treating, data={"service_at": typed})
    assert services.note_verify(signed)
    assert services.signed_notes_verify() == []
