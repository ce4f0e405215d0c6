"""Clients' amendment requests (PAT-2, PAT-3; 45 CFR 164.526): tracked to a
decision within 60 days (+30 once), accepted ones carried out as a signed
amendment beneath the note, denials kept with their reason, the client's
statement of disagreement and the clinic's rebuttal, in the page, the PDF and
the export. The note itself never changes."""

from __future__ import annotations

import html
import io
import json
import re
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AuditEvent
from core.records import RecordLocked
from notes import amendment_requests as ar
from notes.models import Amendment, AmendmentRequest, VisitNote
from notes.services import NotePermissionError, note_verify
from tests.trust.jsonschema_lite import validate

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _pdf_text(content: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))


def _squash(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(page))


@pytest.fixture
def note(signed_note):
    return signed_note(hours_ago=24 * 100)


@pytest.fixture
def make_request(note, treating):
    def build(*, days_ago: int = 3, text: str = "My pain score was 3, not 6.", on=None, **extra):
        return ar.amendment_request_record(
            note=on or note,
            by=treating,
            request_text=text,
            received_on=TODAY() - timedelta(days=days_ago),
            **extra,
        )

    return build


@pytest.fixture
def denied(make_request, treating):
    req = make_request()
    return ar.amendment_request_decide(
        amendment_request=req, by=treating, decision="denied", reason="The score was recorded as said."
    )


# --- PAT-2: tracking ----------------------------------------------------------------------------


def test_a_request_is_due_sixty_days_after_receipt_and_is_audited(make_request, treating, note):
    req = make_request(days_ago=5, other_records="Also the visit of March.")
    assert req.due_on == TODAY() - timedelta(days=5) + timedelta(days=60)
    assert req.decision == "pending" and req.client_id == note.client_id
    assert req.recorded_by == treating and req.other_records == "Also the visit of March."
    event = AuditEvent.objects.filter(object_type="notes.amendmentrequest", object_id=str(req.pk)).get()
    assert (event.action, event.client_id, event.actor_id) == ("create", note.client_id, treating.pk)


def test_received_on_defaults_to_today(note, treating):
    req = ar.amendment_request_record(note=note, by=treating, request_text="Fix it")
    assert req.received_on == TODAY() and req.due_on == TODAY() + timedelta(days=60)


@pytest.mark.parametrize(
    ("received", "text", "field"),
    [
        (1, "Fix", "received_on"),  # tomorrow
        (-1000, "Fix", "received_on"),  # before the visit
        (0, "   ", "request_text"),
    ],
)
def test_bad_requests_are_refused_with_the_field_named(note, treating, received, text, field):
    with pytest.raises(ValidationError) as info:
        ar.amendment_request_record(
            note=note, by=treating, request_text=text, received_on=TODAY() + timedelta(days=received)
        )
    assert field in info.value.message_dict
    assert not AmendmentRequest.objects.exists()


def test_a_draft_takes_no_amendment_request(make_note, treating):
    with pytest.raises(ValidationError):
        ar.amendment_request_record(note=make_note(), by=treating, request_text="Fix")


def test_a_front_desk_admin_cannot_record_or_decide(note, desk, make_request):
    with pytest.raises(NotePermissionError):
        ar.amendment_request_record(note=note, by=desk, request_text="Fix")
    with pytest.raises(NotePermissionError):
        ar.amendment_request_decide(amendment_request=make_request(), by=desk, decision="accepted")


def test_the_deadline_extends_once_by_thirty_days_with_a_written_notice(make_request, treating):
    req = make_request(days_ago=10)
    first_due = req.due_on
    with pytest.raises(ValidationError) as info:
        ar.amendment_request_extend(amendment_request=req, by=treating, reason="  ")
    assert "reason" in info.value.message_dict
    req = ar.amendment_request_extend(
        amendment_request=req, by=treating, reason="Waiting for the treating physician's letter."
    )
    assert req.due_on == first_due + timedelta(days=30)
    assert req.extended_on == TODAY() and req.extended_by == treating
    assert "physician's letter" in req.extension_notice and f"{req.due_on:%Y-%m-%d}" in req.extension_notice
    with pytest.raises(ValidationError, match="already been extended"):
        ar.amendment_request_extend(amendment_request=req, by=treating, reason="Still waiting.")
    assert AmendmentRequest.objects.get(pk=req.pk).due_on == first_due + timedelta(days=30)


def test_an_extension_must_come_before_the_deadline(make_request, treating):
    req = make_request(days_ago=61)
    with pytest.raises(ValidationError, match="deadline has passed"):
        ar.amendment_request_extend(amendment_request=req, by=treating, reason="Late.")


@pytest.mark.parametrize(
    ("decision", "data", "field"),
    [
        ("denied", {"reason": ""}, "reason"),
        ("partial", {"reason": "", "amended_text": "Score 3."}, "reason"),
        ("partial", {"reason": "Only the score.", "amended_text": ""}, "amended_text"),
        ("accepted", {"amended_text": " "}, "amended_text"),
        ("maybe", {}, "decision"),
        ("accepted", {"amended_text": "x", "kind": "entered_in_error"}, "kind"),
    ],
)
def test_an_incomplete_decision_is_refused_and_nothing_changes(make_request, treating, decision, data, field):
    req = make_request()
    with pytest.raises(ValidationError) as info:
        ar.amendment_request_decide(amendment_request=req, by=treating, decision=decision, **data)
    assert field in info.value.message_dict
    assert AmendmentRequest.objects.get(pk=req.pk).decision == "pending"
    assert not Amendment.objects.exists()


# --- PAT-3: accepted -> attached, denied -> request + denial + disagreement ---------------------


def test_accepting_adds_a_signed_amendment_and_leaves_the_note_unchanged(
    make_request, treating, note, as_treating
):
    before = VisitNote.objects.get(pk=note.pk)
    req = make_request(days_ago=2)
    req = ar.amendment_request_decide(
        amendment_request=req, by=treating, decision="accepted", amended_text="First-step pain was 3/10."
    )
    amendment = req.amendment
    assert amendment.note_id == note.pk and amendment.kind == "correction" and amendment.is_signed
    assert amendment.text == "First-step pain was 3/10." and "client's request" in amendment.reason
    after = VisitNote.objects.get(pk=note.pk)
    assert (after.nprs_first_step, after.content_hash, after.chief_complaint) == (
        before.nprs_first_step,
        before.content_hash,
        before.chief_complaint,
    )
    assert note_verify(after)
    page = _squash(as_treating.get(reverse("note_detail", args=[note.pk])).content.decode())
    received = TODAY() - timedelta(days=2)
    assert f"Amendment requested {received:%Y-%m-%d} – accepted {TODAY():%Y-%m-%d}" in page
    assert f'href="#amendment-{amendment.pk}"' in page and f'id="amendment-{amendment.pk}"' in page
    assert "First-step pain was 3/10." in page and "Left heel pain on first steps." in page


def test_a_partial_acceptance_keeps_both_the_amendment_and_the_reason(
    make_request, treating, as_treating, note
):
    req = ar.amendment_request_decide(
        amendment_request=make_request(),
        by=treating,
        decision="partial",
        reason="The plan is as agreed at the visit.",
        amended_text="Pain at rest 1/10.",
        kind="addendum",
    )
    assert req.amendment.kind == "addendum"
    page = _squash(as_treating.get(reverse("note_detail", args=[note.pk])).content.decode())
    assert f"partially accepted {TODAY():%Y-%m-%d}: The plan is as agreed at the visit." in page
    assert "Pain at rest 1/10." in page


def test_a_denial_shows_its_reason_the_disagreement_and_the_rebuttal_on_the_note(
    denied, treating, note, as_treating
):
    ar.amendment_request_add_disagreement(
        amendment_request=denied, by=treating, text="I said 3, clearly.", received_on=TODAY()
    )
    ar.amendment_request_add_rebuttal(
        amendment_request=denied, by=treating, text="Two staff heard the client say 6."
    )
    page = _squash(as_treating.get(reverse("note_detail", args=[note.pk])).content.decode())
    received = TODAY() - timedelta(days=3)
    headline = f"Amendment requested {received:%Y-%m-%d} – denied {TODAY():%Y-%m-%d}"
    assert f"{headline}: The score was recorded as said." in page
    assert f"Client's statement of disagreement, received {TODAY():%Y-%m-%d}" in page
    assert "I said 3, clearly." in page and "Two staff heard the client say 6." in page
    assert not Amendment.objects.filter(note=note).exists()


def test_disagreement_only_after_a_denial_and_rebuttal_only_after_a_disagreement(
    make_request, denied, treating
):
    pending = make_request()
    with pytest.raises(ValidationError):
        ar.amendment_request_add_disagreement(amendment_request=pending, by=treating, text="No")
    with pytest.raises(ValidationError):
        ar.amendment_request_add_rebuttal(amendment_request=denied, by=treating, text="No")
    with pytest.raises(ValidationError) as info:
        ar.amendment_request_add_disagreement(
            amendment_request=denied, by=treating, text="No", received_on=TODAY() + timedelta(days=1)
        )
    assert "received_on" in info.value.message_dict
    ar.amendment_request_add_disagreement(amendment_request=denied, by=treating, text="I disagree.")
    with pytest.raises(RecordLocked):
        ar.amendment_request_add_disagreement(amendment_request=denied, by=treating, text="Again.")
    ar.amendment_request_add_rebuttal(amendment_request=denied, by=treating, text="We stand by it.")
    with pytest.raises(RecordLocked):
        ar.amendment_request_add_rebuttal(amendment_request=denied, by=treating, text="Again.")
    stored = AmendmentRequest.objects.get(pk=denied.pk)
    assert (stored.disagreement_text, stored.rebuttal_text) == ("I disagree.", "We stand by it.")


# --- A decided request is locked at every layer ---------------------------------------------------


def _raw(sql: str, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_decided_request_cannot_be_decided_again_or_extended(denied, treating):
    with pytest.raises(RecordLocked):
        ar.amendment_request_decide(
            amendment_request=denied, by=treating, decision="accepted", amended_text="x"
        )
    with pytest.raises(RecordLocked):
        ar.amendment_request_extend(amendment_request=denied, by=treating, reason="More time.")
    assert AmendmentRequest.objects.get(pk=denied.pk).decision == "denied"


def test_the_model_and_queryset_refuse_to_change_a_decided_request(denied):
    req = AmendmentRequest.objects.get(pk=denied.pk)
    req.decision_reason = "rewritten"
    with pytest.raises(RecordLocked):
        req.save()
    req = AmendmentRequest.objects.get(pk=denied.pk)
    req.request_text = "rewritten"
    with pytest.raises(RecordLocked):
        req.save()
    with pytest.raises(RecordLocked):
        req.delete()
    with pytest.raises(RecordLocked):
        AmendmentRequest.objects.filter(pk=denied.pk).update(decision="accepted")
    with pytest.raises(RecordLocked):
        AmendmentRequest.objects.filter(pk=denied.pk).delete()
    stored = AmendmentRequest.objects.get(pk=denied.pk)
    assert (stored.decision, stored.decision_reason) == ("denied", "The score was recorded as said.")


def test_the_database_refuses_raw_changes_to_what_is_recorded(denied, make_request):
    table = "notes_amendmentrequest"
    for sql in (
        f"UPDATE {table} SET decision = 'accepted' WHERE id = %s",
        f"UPDATE {table} SET decision_reason = 'rewritten' WHERE id = %s",
        f"UPDATE {table} SET decided_at = NULL, decision = 'pending' WHERE id = %s",
        f"UPDATE {table} SET request_text = 'rewritten' WHERE id = %s",
        f"UPDATE {table} SET due_on = due_on WHERE id = %s AND 1 = 0",  # a no-op is fine
        f"DELETE FROM {table} WHERE id = %s",
    ):
        if "1 = 0" in sql:
            _raw(sql, [denied.pk])
            continue
        with pytest.raises(DatabaseError, match="kc_locked"):
            _raw(sql, [denied.pk])
    pending = make_request()
    with pytest.raises(DatabaseError, match="kc_locked"):
        _raw(f"UPDATE {table} SET request_text = 'rewritten' WHERE id = %s", [pending.pk])
    with pytest.raises(DatabaseError, match="kc_locked"):
        _raw(f"UPDATE {table} SET due_on = '2999-01-01' WHERE id = %s", [pending.pk])
    stored = AmendmentRequest.objects.get(pk=denied.pk)
    assert (stored.decision, stored.decision_reason) == ("denied", "The score was recorded as said.")


def test_the_database_refuses_to_overwrite_a_disagreement_or_rebuttal(denied, treating):
    ar.amendment_request_add_disagreement(amendment_request=denied, by=treating, text="I disagree.")
    ar.amendment_request_add_rebuttal(amendment_request=denied, by=treating, text="We stand by it.")
    for column in ("disagreement_text", "rebuttal_text"):
        with pytest.raises(DatabaseError, match="kc_locked"):
            _raw(f"UPDATE notes_amendmentrequest SET {column} = 'gone' WHERE id = %s", [denied.pk])


# --- Pages ----------------------------------------------------------------------------------------


def test_recording_a_request_from_the_note_page(note, as_treating, treating):
    page = as_treating.get(reverse("note_detail", args=[note.pk])).content.decode()
    url = reverse("amendment_request_new", args=[note.pk])
    assert f'href="{url}"' in page
    assert as_treating.get(url).status_code == 200
    response = as_treating.post(
        url, {"received_on": f"{TODAY():%Y-%m-%d}", "request_text": "Please fix my pain score."}
    )
    req = AmendmentRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "amendment_request_detail", args=[req.pk]
    )
    assert req.due_on == TODAY() + timedelta(days=60)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"received_on": "2999-01-01", "request_text": "Fix"}, "received_on"),
        ({"received_on": "9999-12-31", "request_text": "Fix"}, "received_on"),
        ({"received_on": "not a date", "request_text": "Fix"}, "received_on"),
        ({"received_on": "1900-01-01", "request_text": "Fix"}, "received_on"),
        ({"received_on": f"{date.today():%Y-%m-%d}", "request_text": ""}, "request_text"),
        ({"received_on": f"{date.today():%Y-%m-%d}", "request_text": "x" * 10001}, "request_text"),
    ],
)
def test_bad_input_answers_400_with_the_error_beside_the_field(note, as_treating, data, field):
    response = as_treating.post(reverse("amendment_request_new", args=[note.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="error_1_id_{field}"' in page  # the message sits beside its field
    assert not AmendmentRequest.objects.exists()


def test_the_request_page_decides_and_shows_errors_beside_the_field(make_request, as_treating, note):
    req = make_request()
    detail = reverse("amendment_request_detail", args=[req.pk])
    assert as_treating.get(detail).status_code == 200
    decide = reverse("amendment_request_decide", args=[req.pk])
    response = as_treating.post(decide, {"decide-decision": "denied", "decide-reason": ""})
    assert response.status_code == 400
    assert "Give the reason for the denial" in response.content.decode()
    assert 'id="error_1_id_decide-reason"' in response.content.decode()
    for junk in (
        {"decide-decision": "bogus"},
        {},
        {"decide-decision": "denied", "decide-reason": "x" * 20000},
    ):
        assert as_treating.post(decide, junk).status_code == 400
    response = as_treating.post(
        decide, {"decide-decision": "denied", "decide-reason": "Accurate as written."}
    )
    assert response.status_code == 302
    # Deciding again: refused, the first decision stands.
    again = as_treating.post(decide, {"decide-decision": "accepted", "decide-amended_text": "x"})
    assert again.status_code == 409
    assert AmendmentRequest.objects.get(pk=req.pk).decision == "denied"
    disagree = reverse("amendment_request_disagreement", args=[req.pk])
    bad = as_treating.post(disagree, {"disagree-received_on": "2999-01-01", "disagree-text": "No"})
    assert bad.status_code == 400
    ok = as_treating.post(
        disagree, {"disagree-received_on": f"{TODAY():%Y-%m-%d}", "disagree-text": "I disagree."}
    )
    assert ok.status_code == 302
    rebut = reverse("amendment_request_rebuttal", args=[req.pk])
    assert as_treating.post(rebut, {"rebut-text": ""}).status_code == 400
    assert as_treating.post(rebut, {"rebut-text": "We stand by it."}).status_code == 302
    page = as_treating.get(detail).content.decode()
    assert "I disagree." in page and "We stand by it." in page


def test_extending_through_the_page_once(make_request, as_treating):
    req = make_request()
    url = reverse("amendment_request_extend", args=[req.pk])
    assert as_treating.post(url, {"extend-reason": ""}).status_code == 400
    assert as_treating.post(url, {"extend-reason": "Awaiting records."}).status_code == 302
    second = as_treating.post(url, {"extend-reason": "More."})
    assert second.status_code == 400 and "already been extended" in second.content.decode()
    assert AmendmentRequest.objects.get(pk=req.pk).due_on == req.due_on + timedelta(days=30)


def test_the_dashboard_lists_open_requests_overdue_first(
    signed_note, make_request, treating, as_treating, as_colleague, make_client, colleague
):
    later = make_request(days_ago=1, text="Later one")
    overdue = make_request(days_ago=70, text="Overdue one")
    decided = make_request(days_ago=80, text="Decided one")
    ar.amendment_request_decide(amendment_request=decided, by=treating, decision="denied", reason="No.")
    page = as_treating.get(reverse("amendment_request_dashboard")).content.decode()
    first = page.index(reverse("amendment_request_detail", args=[overdue.pk]))
    second = page.index(reverse("amendment_request_detail", args=[later.pk]))
    assert first < second
    assert reverse("amendment_request_detail", args=[decided.pk]) not in page
    assert 'class="table-danger kc-overdue"' in page and "1 request past the deadline" in page
    # A colleague off the care team sees none of them.
    other = as_colleague.get(reverse("amendment_request_dashboard")).content.decode()
    assert "Raman" not in other and "No amendment requests." in other


def test_the_client_list_shows_every_request_open_first(make_request, treating, as_treating, client_record):
    decided = make_request(days_ago=2)
    ar.amendment_request_decide(amendment_request=decided, by=treating, decision="denied", reason="No.")
    pending = make_request(days_ago=5)
    page = as_treating.get(reverse("client_amendment_requests", args=[client_record.pk])).content.decode()
    assert page.index(f"/amendment-requests/{pending.pk}/") < page.index(f"/amendment-requests/{decided.pk}/")


def test_the_client_chart_links_to_the_clients_requests(as_treating, client_record):
    page = as_treating.get(reverse("client_detail", args=[client_record.pk])).content.decode()
    assert f'href="{reverse("client_amendment_requests", args=[client_record.pk])}"' in page


# --- Who may see them -----------------------------------------------------------------------------


def _routes(req, note, client):
    return [
        ("get", reverse("amendment_request_new", args=[note.pk])),
        ("post", reverse("amendment_request_new", args=[note.pk])),
        ("get", reverse("client_amendment_requests", args=[client.pk])),
        ("get", reverse("amendment_request_detail", args=[req.pk])),
        ("post", reverse("amendment_request_extend", args=[req.pk])),
        ("post", reverse("amendment_request_decide", args=[req.pk])),
        ("post", reverse("amendment_request_disagreement", args=[req.pk])),
        ("post", reverse("amendment_request_rebuttal", args=[req.pk])),
    ]


@pytest.mark.parametrize("persona", ["as_colleague", "as_desk"])
def test_a_colleague_and_the_front_desk_get_404_on_every_route(
    request, persona, make_request, note, client_record
):
    http = request.getfixturevalue(persona)
    req = make_request()
    for method, url in _routes(req, note, client_record):
        data = {"decide-decision": "accepted", "decide-amended_text": "x", "received_on": "2026-01-01"}
        response = getattr(http, method)(url, data) if method == "post" else http.get(url)
        assert response.status_code == 404, (persona, method, url)
        assert b"Raman" not in response.content and b"pain score" not in response.content
    assert AmendmentRequest.objects.get(pk=req.pk).decision == "pending"
    assert AmendmentRequest.objects.count() == 1


def test_therapists_find_the_dashboard_in_the_menu_and_the_front_desk_does_not(as_treating, as_desk):
    link = f'href="{reverse("amendment_request_dashboard")}"'
    assert link in as_treating.get(reverse("home")).content.decode()
    assert link not in as_desk.get(reverse("home")).content.decode()


def test_the_front_desk_has_no_dashboard(as_desk, anon):
    assert as_desk.get(reverse("amendment_request_dashboard")).status_code == 404
    assert anon.get(reverse("amendment_request_dashboard")).status_code == 302


# --- Printouts and export -------------------------------------------------------------------------


def test_the_note_pdf_holds_the_denial_disagreement_and_rebuttal(denied, treating, note, as_treating):
    ar.amendment_request_add_disagreement(amendment_request=denied, by=treating, text="I said 3, clearly.")
    ar.amendment_request_add_rebuttal(amendment_request=denied, by=treating, text="Two staff heard 6.")
    accepted = ar.amendment_request_record(note=note, by=treating, request_text="Add my knee.")
    ar.amendment_request_decide(
        amendment_request=accepted,
        by=treating,
        decision="accepted",
        amended_text="Knee also sore.",
        kind="addendum",
    )
    response = as_treating.get(reverse("note_pdf", args=[note.pk]))
    assert response.status_code == 200
    text = _pdf_text(response.content)
    assert "Amendment requests from the client" in text
    assert f"denied {TODAY():%Y-%m-%d}: The score was recorded as said." in text
    assert "I said 3, clearly." in text and "Two staff heard 6." in text
    assert f"accepted {TODAY():%Y-%m-%d}" in text and "Knee also sore." in text
    assert "Left heel pain on first steps." in text


@pytest.fixture
def export_http(as_records_officer):
    session = as_records_officer.session
    session["kc_reauth_at"] = time.time()
    session.save()
    return as_records_officer


def test_the_export_holds_the_requests_linked_to_the_note_and_follows_the_schema(
    denied, treating, note, export_http, client_record
):
    ar.amendment_request_add_disagreement(amendment_request=denied, by=treating, text="I disagree.")
    ar.amendment_request_add_rebuttal(amendment_request=denied, by=treating, text="We stand by it.")
    accepted = ar.amendment_request_decide(
        amendment_request=ar.amendment_request_record(note=note, by=treating, request_text="Add my knee."),
        by=treating,
        decision="accepted",
        amended_text="Knee also sore.",
    )
    response = export_http.get(f"/clients/{client_record.pk}/export.json")
    assert response.status_code == 200
    data = json.loads(response.content)
    schema = json.loads((Path(settings.BASE_DIR) / "docs" / "export-schema.json").read_text())
    assert validate(data, schema) == []
    rows = {r["id"]: r["fields"] for r in data["records"]["notes.amendmentrequest"]}
    assert rows[denied.pk]["note"] == note.pk
    assert rows[denied.pk]["decision"] == "denied"
    assert rows[denied.pk]["decision_reason"] == "The score was recorded as said."
    assert rows[denied.pk]["disagreement_text"] == "I disagree."
    assert rows[denied.pk]["rebuttal_text"] == "We stand by it."
    assert rows[accepted.pk]["decision"] == "accepted"
    amendment = next(
        r for r in data["records"]["notes.amendment"] if r["id"] == rows[accepted.pk]["amendment"]
    )
    assert amendment["fields"]["note"] == note.pk and amendment["fields"]["text"] == "Knee also sore."
    pdf = export_http.get(f"/clients/{client_record.pk}/export.pdf")
    text = _pdf_text(pdf.content)
    for expected in ("I disagree.", "We stand by it.", "The score was recorded as said.", "Knee also sore."):
        assert expected in text
    # The schema really checks the request records: a broken one is caught.
    broken = json.loads(response.content)
    del broken["records"]["notes.amendmentrequest"][0]["fields"]["decision"]
    assert validate(broken, schema) != []


# --- Bounded queries ------------------------------------------------------------------------------


@pytest.fixture
def many_requests(note, make_request, treating):
    """Twelve requests about one note: open, overdue, extended, accepted, denied with a
    disagreement and a rebuttal."""
    for index in range(12):
        req = make_request(days_ago=70 if index % 4 == 0 else index * 5, text=f"Request {index}")
        if index % 4 == 1:
            ar.amendment_request_extend(amendment_request=req, by=treating, reason="Awaiting a letter.")
        elif index % 4 == 2:
            ar.amendment_request_decide(
                amendment_request=req, by=treating, decision="accepted", amended_text="Yes."
            )
        elif index % 4 == 3:
            req = ar.amendment_request_decide(
                amendment_request=req, by=treating, decision="denied", reason="No."
            )
            ar.amendment_request_add_disagreement(amendment_request=req, by=treating, text="I disagree.")
            ar.amendment_request_add_rebuttal(amendment_request=req, by=treating, text="We stand by it.")
    return note


def _audit_lock() -> int:
    # The chain lock is taken by the statement that reads the chain head: no query of its own.
    return 0


# Session + user (2) and the audit row (4: savepoint, chain head, insert, release) on every page.
# Dashboard: count and rows (the clients in scope are a subquery).
DASHBOARD_QUERIES = 8
# Client list: client, its requests (one join), the health screen and its answers for the banner
# (the client is screened: signing the notes needs consent).
CLIENT_LIST_QUERIES = 10
# Request page: the request (one join), the health screen and its answers for the banner.
REQUEST_PAGE_QUERIES = 9


def test_the_dashboard_query_count(many_requests, as_treating, django_assert_num_queries):
    with django_assert_num_queries(DASHBOARD_QUERIES + _audit_lock()):
        response = as_treating.get(reverse("amendment_request_dashboard"))
    assert response.status_code == 200
    assert response.content.decode().count("Open</a>") == 6  # the open ones only


def test_the_client_list_query_count(many_requests, as_treating, client_record, django_assert_num_queries):
    with django_assert_num_queries(CLIENT_LIST_QUERIES + _audit_lock()):
        response = as_treating.get(reverse("client_amendment_requests", args=[client_record.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("Open</a>") == 12


def test_the_request_page_query_count(many_requests, as_treating, django_assert_num_queries):
    req = AmendmentRequest.objects.filter(decision="denied").first()
    with django_assert_num_queries(REQUEST_PAGE_QUERIES + _audit_lock()):
        response = as_treating.get(reverse("amendment_request_detail", args=[req.pk]))
    assert response.status_code == 200


def test_the_note_page_with_many_requests_costs_one_query_more(
    many_requests, as_treating, django_assert_num_queries
):
    from tests.notes.test_query_counts import SIGNED_NOTE_QUERIES

    with django_assert_num_queries(SIGNED_NOTE_QUERIES + _audit_lock()):
        response = as_treating.get(reverse("note_detail", args=[many_requests.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("kc-amendment-request") == 12
