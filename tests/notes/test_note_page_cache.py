"""The note page's body is cached per reader and record version (clinic.page_cache)."""

from __future__ import annotations

import pickle
import re

import pytest
from django.core.cache import caches
from django.urls import reverse

from audit.models import AuditEvent
from clinic import services as clinic_services
from clinic.page_cache import CSRF_SLOT
from clinic.screening import QUESTIONS
from notes import services

from .conftest import COMPLETE

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _cached() -> list[str]:
    return [repr(pickle.loads(v)) for v in caches["pages"]._cache.values()]


@pytest.fixture
def shared_note(signed_note, client_record, colleague):
    client_record.care_team.add(colleague)
    return signed_note()


def test_an_amendment_shows_to_a_colleague_who_read_the_note_before(shared_note, treating, as_colleague):
    url = reverse("note_detail", args=[shared_note.pk])
    assert "Settled within a day" not in as_colleague.get(url).content.decode()
    assert as_colleague.get(url).status_code == 200  # served from the cache, still answered
    services.amendment_add(
        note=shared_note, by=treating, kind="addendum", reason="Client phoned", text="Settled within a day."
    )
    assert "Settled within a day" in as_colleague.get(url).content.decode()


def test_a_new_red_flag_shows_on_a_note_read_before(shared_note, colleague, as_treating, client_record):
    url = reverse("note_detail", args=[shared_note.pk])
    assert 'id="flags-banner"' not in as_treating.get(url).content.decode()
    clinic_services.health_screen_record(
        client=client_record,
        by=colleague,
        answers={q.code: (q.code == "dvt", "Calf swollen" if q.code == "dvt" else "") for q in QUESTIONS},
        consent_given=True,
    )
    assert "Calf swollen" in as_treating.get(url).content.decode()


def test_every_cached_read_is_audited(shared_note, as_treating):
    url = reverse("note_detail", args=[shared_note.pk])
    for _ in range(3):
        as_treating.get(url)
    assert AuditEvent.objects.filter(action="view", object_id=str(shared_note.pk)).count() == 3


def test_readers_never_share_a_body_and_outsiders_stay_out(
    shared_note, as_treating, as_colleague, as_desk, make_note
):
    url = reverse("note_detail", args=[shared_note.pk])
    assert as_treating.get(url).status_code == 200
    assert as_colleague.get(url).status_code == 200
    assert len(caches["pages"]._cache) == 2
    assert as_desk.get(url).status_code == 404
    # A draft: its author sees the editor; the colleague on the care team sees it read-only.
    draft = make_note(hours_ago=1, **COMPLETE)
    draft_url = reverse("note_detail", args=[draft.pk])
    mine = as_treating.get(draft_url).content.decode()
    theirs = as_colleague.get(draft_url).content.decode()
    assert 'id="note-form"' in mine or "Sign note" in mine
    assert TOKEN.findall(mine) and not TOKEN.findall(theirs.split("<main")[1]) or mine != theirs


def test_no_csrf_token_is_cached_and_each_page_has_its_own(
    make_note, as_treating, as_colleague, client_record
):
    draft = make_note(hours_ago=1, **COMPLETE)
    url = reverse("note_detail", args=[draft.pk])
    first = as_treating.get(url).content.decode()
    tokens = TOKEN.findall(first)
    assert tokens and CSRF_SLOT not in first
    second = as_treating.get(url).content.decode()
    assert TOKEN.findall(second) and CSRF_SLOT not in second
    for value in _cached():
        assert set(TOKEN.findall(value)) <= {CSRF_SLOT}
        assert CSRF_SLOT in value
        for token in tokens + TOKEN.findall(second):
            assert token not in value
        assert "nonce" not in value.lower()


def test_a_saved_draft_shows_at_once(make_note, as_treating, treating):
    draft = make_note(hours_ago=1, **COMPLETE)
    url = reverse("note_detail", args=[draft.pk])
    as_treating.get(url)
    services.note_update(
        note=draft, by=treating, data={"subjective": "Knee now, not heel."}, version=draft.version
    )
    assert "Knee now, not heel." in as_treating.get(url).content.decode()


def test_a_note_edited_behind_the_lock_after_it_was_cached_is_still_flagged(signed_note, as_treating):
    from .test_signature_check import tamper

    note = signed_note()
    url = reverse("note_detail", args=[note.pk])
    assert b'id="signature-mismatch"' not in as_treating.get(url).content
    # Lifting the lock trigger leaves the record-version trigger: the edit bumps the version.
    tamper("UPDATE notes_visitnote SET analysis = %s WHERE id = %s", ["rewritten later", note.pk])
    assert b'id="signature-mismatch"' in as_treating.get(url).content
    assert AuditEvent.objects.filter(action="signature_mismatch").count() == 1
    # Every later read of the cached body records the mismatch again, as before.
    assert b'id="signature-mismatch"' in as_treating.get(url).content
    assert AuditEvent.objects.filter(action="signature_mismatch").count() == 2


def test_a_cached_note_page_costs_the_floor_one_narrow_access_query_and_its_audit_row(
    shared_note, as_treating, as_colleague, django_assert_num_queries
):
    """The access check reads only the note's id and its client's record version (the
    cache key); the whole note is loaded only when the page is rendered."""
    from tests.clinic.helpers import BACKGROUND, SIGNED_IN_FLOOR, audit_queries

    url = reverse("note_detail", args=[shared_note.pk])
    first = as_treating.get(url, **BACKGROUND)
    with django_assert_num_queries(SIGNED_IN_FLOOR + 1 + audit_queries()):
        again = as_treating.get(url, **BACKGROUND)
    any_token = re.compile(r"[A-Za-z0-9]{64}")
    assert any_token.sub("", first.content.decode()) == any_token.sub("", again.content.decode())
    row = AuditEvent.objects.filter(action="view").order_by("-id").first()
    assert (row.object_type, row.object_id, row.client_id) == (
        "notes.visitnote",
        str(shared_note.pk),
        shared_note.client_id,
    )
    # Out of scope is still 404 from that one query, before anything is read from the cache.
    shared_note.client.care_team.remove(shared_note.client.care_team.get(username="colleague"))
    assert as_colleague.get(url).status_code == 404
