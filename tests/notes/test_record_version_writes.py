"""Every main write of the visit record, through its service, bumps the client's record
version (clinic.record_version): a cached page keyed by it is never served stale."""

from __future__ import annotations

from clinic.record_version import record_version
from notes import services


def _bumps(client, write):
    before = record_version(client.pk)
    result = write()
    assert record_version(client.pk) > before
    return result


def test_note_writes_bump_the_version(make_note, add_row, catalogue, treating, client_record):
    from tests.notes.conftest import COMPLETE

    note = _bumps(client_record, lambda: make_note())
    note = _bumps(
        client_record,
        lambda: services.note_update(note=note, by=treating, data=COMPLETE, version=note.version),
    )
    row = _bumps(client_record, lambda: add_row(note))
    _bumps(
        client_record,
        lambda: services.palpation_add(
            note=note, by=treating, data={"region": catalogue["region"]["gastroc_medial"]}
        ),
    )
    _bumps(client_record, lambda: services.treatment_remove(treatment=row, by=treating))
    add_row(note)
    _bumps(client_record, lambda: services.note_sign(note=note, by=treating))


def test_amendment_request_bumps_the_version(signed_note, treating, client_record):
    from notes.amendment_requests import amendment_request_record

    note = signed_note()
    _bumps(
        client_record, lambda: amendment_request_record(note=note, by=treating, request_text="Fix the date.")
    )
