"""Pinned query counts: the pages stay bounded however many visits, rows or addenda exist."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notes import services


@pytest.fixture
def fifty_visits(signed_note, make_note):
    for index in range(48):
        signed_note(rows=2, hours_ago=24 * (60 - index), nprs_first_step=index % 10)
    make_note(hours_ago=3)
    make_note(hours_ago=30)


def test_client_chart_with_fifty_visits(fifty_visits, as_treating, client_record, django_assert_num_queries):
    url = reverse("client_detail", args=[client_record.pk])
    with django_assert_num_queries(CHART_QUERIES + _audit_lock()):
        response = as_treating.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('href="/notes/') == 20  # bounded timeline
    assert b"All 50 visits" in response.content


def test_full_visit_list_page_with_fifty_visits(
    fifty_visits, as_treating, client_record, django_assert_num_queries
):
    url = reverse("client_notes", args=[client_record.pk]) + "?page=2"
    with django_assert_num_queries(LIST_QUERIES + _audit_lock()):
        response = as_treating.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('href="/notes/') == 25


@pytest.fixture
def busy_signed_note(make_note, add_row, treating, catalogue):
    from tests.notes.conftest import COMPLETE

    note = make_note(**COMPLETE)
    note.duration_minutes = 90
    note = services.note_update(note=note, by=treating, data={"duration_minutes": 90}, version=note.version)
    for index in range(10):
        add_row(note, minutes=5, technique=["cupping", "pnf", "met", "iastm", "sports_massage"][index % 5])
    for region in ("soleus", "plantar_fascia", "glute_med"):
        services.palpation_add(note=note, by=treating, data={"region": catalogue["region"][region]})
    note = services.note_sign(note=note, by=treating)
    for kind in ("addendum", "correction", "late_entry"):
        services.amendment_add(
            note=note, by=treating, kind=kind, reason=f"{kind} reason", text=f"{kind} text"
        )
    return note


def test_signed_note_page_with_ten_treatments_and_addenda(
    busy_signed_note, as_treating, django_assert_num_queries
):
    url = reverse("note_detail", args=[busy_signed_note.pk])
    with django_assert_num_queries(SIGNED_NOTE_QUERIES + _audit_lock()):
        response = as_treating.get(url)
    assert response.status_code == 200
    assert (
        response.content.decode().count("<tr") == 1 + 10 + 1 + 3
    )  # treatment head+rows, palpation head+rows


def test_draft_note_page_with_ten_treatments(make_note, add_row, as_treating, django_assert_num_queries):
    note = make_note()
    for _ in range(10):
        add_row(note, minutes=5)
    url = reverse("note_detail", args=[note.pk])
    with django_assert_num_queries(DRAFT_NOTE_QUERIES + _audit_lock()):
        response = as_treating.get(url)
    assert response.status_code == 200


def test_home_page_with_many_unsigned_notes(make_note, as_treating, django_assert_num_queries):
    for hours in range(1, 30):
        make_note(hours_ago=hours)
    with django_assert_num_queries(HOME_QUERIES + _audit_lock()):
        response = as_treating.get(reverse("home"))
    assert response.status_code == 200


def _audit_lock() -> int:
    """The chain lock costs no query of its own on either database: it is taken by the
    statement that reads the chain head."""
    return 0


# Session + user (2) and the audit row (4: savepoint, chain head, insert, release) are on every page.
# The clients here have a health screen on file (treatment needs consent), so the banner reads the
# screen and its answers.
# Client chart: client, care-team check, care team, screen + answers, consent, then the app sections:
# assessments 1; notes 4 (count, visits, their treatments, pain series); programs 2; the
# Documents card 1 (the documents with who attached them; none here, so no audit row);
# progress reports 1 (the client's latest reports with their authors); client links 2 (the
# links with who issued them, the client's own log); before the visit 3 (questionnaires,
# intakes and the schedule). The client and the clinical-access check are one query (an
# EXISTS beside the client). Cold (nothing cached): the access check first reads only the
# client's id and record version (the cache key), and the whole client after it, on a miss
# only; a cached chart costs the floor, that one query and its audit row.
CHART_QUERIES = 26
# Visit list: client, count, visits, treatments, screen + answers.
LIST_QUERIES = 12
# Signed note: the access check (the note's id and its client's record version: the cache
# key), then on a miss the whole note, treatments, palpation, amendments, the client's
# amendment requests (with their people and amendment in one join), screen + answers, safety
# overrides.
SIGNED_NOTE_QUERIES = 16
# Draft note adds the editor's tools: techniques, regions, snippets, templates, previous visit,
# assessment choices, the safety interlock (screen, answers, consent), and the therapist's
# recent rows that rank the technique and region chips (one query).
DRAFT_NOTE_QUERIES = 25
# Home: the client list and the unsigned-notes section (count + rows, and the drafts of the
# therapists the user supervises: one query, empty while the clinic does not allow it), and what
# the user's clients logged on their own view since yesterday (one query), and what clients
# sent before a visit since yesterday (questionnaires and intakes: two queries).
HOME_QUERIES = 14


# Note PDF: session + user, the note, the audit row (4), its treatments, palpation, safety
# overrides, amendments, screen + answers for the flags, amendment requests, and the clinic
# profile for the letterhead. Not counted here, as they depend on the kind of note rather than
# its size: a linked assessment adds 2 (the assessment, its measurements), and a signed
# discharge note whose outcome table was not stored at signing computes it live (3 more).
NOTE_PDF_QUERIES = 15


def _pdf_queries(http, note) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("note_pdf", args=[note.pk])
    assert http.get(url).status_code == 200  # first-request work is not the printout's
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_note_pdf_costs_the_same_queries_for_a_small_and_a_busy_note(
    signed_note, busy_signed_note, as_treating
):
    # One treatment row and nothing else, against ten rows, palpation and three addenda.
    small = signed_note(rows=1, hours_ago=30)
    assert _pdf_queries(as_treating, small) == NOTE_PDF_QUERIES + _audit_lock()
    assert _pdf_queries(as_treating, busy_signed_note) == NOTE_PDF_QUERIES + _audit_lock()


def test_the_complete_record_visits_cost_the_same_queries_for_two_visits_and_six(
    signed_note, busy_signed_note, client_record
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notes.export import pdf_part

    signed_note(rows=1, hours_ago=50)
    pdf_part(client_record)  # first-use work (the clinic profile row is made on first read)
    with CaptureQueriesContext(connection) as two:
        pdf_part(client_record)
    for index in range(4):
        signed_note(rows=3, hours_ago=24 * (3 + index))
    with CaptureQueriesContext(connection) as six:
        part = pdf_part(client_record)
    assert len(six.captured_queries) == len(two.captured_queries)
    from core.pdf import styles

    assert "Visits (6)" in str(part(styles(10), 400)[0].text)
