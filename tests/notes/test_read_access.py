"""Reading a protected record is one call: the access check and its audit row. A
record outside the user's scope answers 404 and leaves no read row."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import RequestFactory

from audit.models import AuditEvent
from clinic.access import client_for_reading, read_recorded
from notes.access import note_for_reading


def _get(user, method="get"):
    request = getattr(RequestFactory(), method)("/", REMOTE_ADDR="10.1.2.3")
    request.user = user
    return request


def test_the_note_is_reached_and_its_read_recorded_in_one_call(make_note, treating):
    note = make_note()
    before = AuditEvent.objects.count()
    assert note_for_reading(_get(treating), note.pk) == note
    [row] = AuditEvent.objects.order_by("id")[before:]
    assert (row.action, row.actor, row.client_id, row.object_type, row.object_id, row.ip) == (
        "view",
        treating,
        note.client_id,
        "notes.visitnote",
        str(note.pk),
        "10.1.2.3",
    )
    assert row.detail.get("category") is None


def test_a_printout_records_its_own_action_and_detail(make_note, treating):
    note = make_note()
    before = AuditEvent.objects.count()
    note_for_reading(_get(treating), note.pk, action="print", detail={"document": "visit note"})
    [row] = AuditEvent.objects.order_by("id")[before:]
    assert row.action == "print" and row.detail["document"] == "visit note"


@pytest.mark.parametrize("persona", ["colleague", "desk"])
def test_outside_the_care_team_it_is_404_and_no_read_row(make_note, persona, request):
    note = make_note()
    before = AuditEvent.objects.count()
    with pytest.raises(Http404):
        note_for_reading(_get(request.getfixturevalue(persona)), note.pk)
    assert AuditEvent.objects.count() == before


def test_a_form_page_records_the_read_on_get_only(make_note, treating):
    note = make_note()
    before = AuditEvent.objects.count()
    assert note_for_reading(_get(treating, "post"), note.pk, record=False) == note
    assert AuditEvent.objects.count() == before


def test_the_client_is_its_own_target(client_record, treating, desk):
    before = AuditEvent.objects.count()
    client_for_reading(_get(treating), client_record.pk, detail={"category": "visit notes"})
    [row] = AuditEvent.objects.order_by("id")[before:]
    assert (row.client_id, row.object_type, row.object_id) == (
        client_record.pk,
        "clinic.client",
        str(client_record.pk),
    )
    assert row.detail["category"] == "visit notes"
    # The front desk reads demographics but not the clinical record.
    with pytest.raises(Http404):
        client_for_reading(_get(desk), client_record.pk)
    assert client_for_reading(_get(desk), client_record.pk, clinical=False) == client_record


def test_a_page_that_names_only_the_client(client_record, treating):
    before = AuditEvent.objects.count()
    assert read_recorded(_get(treating), None, client=client_record, detail={"page": "program"}) is None
    [row] = AuditEvent.objects.order_by("id")[before:]
    assert (row.client_id, row.object_type, row.object_id) == (client_record.pk, "", "")
