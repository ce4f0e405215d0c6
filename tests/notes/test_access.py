"""get_note_for_user: the one way to reach a note. Tested exhaustively here; each
view then has a denial smoke test in test_views.py."""

from __future__ import annotations

import pytest
from django.http import Http404

from notes import services
from notes.access import get_note_for_user, get_snippet_for_user


def test_the_treating_therapist_reaches_the_note(make_note, treating):
    note = make_note()
    assert get_note_for_user(treating, note.pk) == note


def test_a_care_team_colleague_reaches_the_note(make_note, make_client, treating, colleague):
    shared = make_client(treating, care_team=[colleague])
    note = make_note(client=shared)
    assert get_note_for_user(colleague, note.pk) == note


@pytest.mark.parametrize("persona", ["colleague", "desk"])
def test_anyone_off_the_care_team_gets_404(make_note, persona, request):
    note = make_note()
    with pytest.raises(Http404):
        get_note_for_user(request.getfixturevalue(persona), note.pk)


def test_an_admin_therapist_off_the_care_team_gets_404(make_note, owner):
    note = make_note()
    with pytest.raises(Http404):
        get_note_for_user(owner, note.pk)


def test_an_inactive_therapist_gets_404(make_note, treating):
    note = make_note()
    treating.is_active = False
    treating.save()
    with pytest.raises(Http404):
        get_note_for_user(treating, note.pk)


@pytest.mark.parametrize("pk", [999_999, "abc", None, "1; DROP TABLE"])
def test_missing_or_malformed_ids_get_404(treating, pk):
    with pytest.raises(Http404):
        get_note_for_user(treating, pk)


def test_removing_a_therapist_from_the_care_team_removes_access(make_note, make_client, treating, colleague):
    shared = make_client(treating, care_team=[colleague])
    note = make_note(client=shared)
    shared.care_team.remove(colleague)
    with pytest.raises(Http404):
        get_note_for_user(colleague, note.pk)


def test_personal_snippets_are_private(treating, colleague):
    mine = services.snippet_create(by=treating, title="Mine", text="x")
    assert get_snippet_for_user(treating, mine.pk) == mine
    with pytest.raises(Http404):
        get_snippet_for_user(colleague, mine.pk)
