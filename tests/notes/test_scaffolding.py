"""Honest signing: a note still holding template scaffolding (blanks such as "_/10", headings with
nothing after them) is not signed, and the message names the field."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from notes import services
from notes.models import VisitNote
from notes.scaffolding import empty_headings, placeholders, scaffolding_problem
from tests.notes.conftest import COMPLETE


@pytest.mark.parametrize(
    "text",
    [
        "First-step pain from _/10 to _/10 within 6 weeks;",
        "First-step pain from __/10 to 3/10",
        "NPRS _",
        "Side: _ ",
    ],
)
def test_blanks_are_found(text):
    assert placeholders(text) == [text.strip()]


@pytest.mark.parametrize(
    "text",
    [
        "WBLT measured with knee_to_wall protocol",  # an underscore inside a word is not a blank
        "First-step pain from 7/10 to 3/10",
        "",
    ],
)
def test_text_without_blanks_passes(text):
    assert placeholders(text) == []


def test_a_heading_with_nothing_after_it_is_scaffolding():
    text = "History and previous treatment:\nActivity / work / footwear:\nRuns 20 km a week.\nMedications:"
    assert empty_headings(text) == ["History and previous treatment:", "Medications:"]


def test_a_heading_answered_on_its_line_or_below_is_content():
    assert empty_headings("Since last visit: much better.") == []
    assert empty_headings("Medications:\nNone.\nSleep and stress:\n  Sleeping well.") == []


def test_a_template_line_left_alone_is_scaffolding():
    assert empty_headings("Since last visit: ") == ["Since last visit:"]
    assert "“Re-test:”" in scaffolding_problem("O", "Re-test: ")


@pytest.mark.parametrize(
    ("field", "text", "words"),
    [
        ("goals", "First-step pain from _/10 to _/10 within 6 weeks;", "Goals still has a blank"),
        ("subjective", "Since last visit: ", "S still has template headings"),
        (
            "objective",
            "Posture and gait:\nROM (WBLT, DF knee straight / bent):\nSpecial tests:",
            "O still has",
        ),
        ("analysis", "Response to treatment: ", "A still has"),
        ("plan_next", "Continue current plan; review in __ weeks", "P still has a blank"),
    ],
)
def test_signing_refuses_scaffolding_and_names_the_field(make_note, treating, field, text, words):
    note = make_note(**{**COMPLETE, field: text})
    before = VisitNote.objects.get(pk=note.pk)
    with pytest.raises(ValidationError) as exc:
        services.note_sign(note=note, by=treating)
    assert words in exc.value.message_dict[field][0]
    after = VisitNote.objects.get(pk=note.pk)
    assert not after.is_signed
    assert after.version == before.version


def test_a_note_from_the_initial_template_signs_once_filled_in(make_note, treating):
    note = make_note(template="initial")
    with pytest.raises(ValidationError):
        services.note_sign(note=note, by=treating)
    filled = services.note_update(
        note=note,
        by=treating,
        data=COMPLETE | {"subjective": "Pain 3 months."},
        version=VisitNote.objects.get(pk=note.pk).version,
    )
    assert services.note_sign(note=filled, by=treating).is_signed


def test_the_sign_button_shows_the_scaffolding_message_beside_the_field(make_note, as_treating):
    note = make_note(**{**COMPLETE, "goals": "First-step pain from _/10 to _/10"})
    data = {name: getattr(note, name) for name in services.EDITABLE_FIELDS if getattr(note, name) is not None}
    data["service_at"] = note.service_at.strftime("%Y-%m-%dT%H:%M")
    data["version"] = note.version
    response = as_treating.post(reverse("note_sign", args=[note.pk]), data)
    assert response.status_code in (200, 400)
    assert "Goals still has a blank to fill in" in response.content.decode()
    assert not VisitNote.objects.get(pk=note.pk).is_signed
