"""Adherence is entered once on a visit note: per exercise of the issued program.
The note form leaves out its overall select then, and the note's overall value
(shown on the note and its PDF) is derived from the per-exercise entries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notes import pages as note_pages
from notes.models import VisitNote
from programs.services import overall_adherence
from tests.programs.test_adherence_sections import _post, note, program  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_with_a_program_the_note_form_has_no_overall_adherence_select(as_treating, note, program):  # noqa: F811
    html = as_treating.get(reverse("note_detail", args=[note.pk])).content.decode()
    assert 'name="hep_adherence"' not in html
    assert f'name="pain_{program[0].pk}"' in html  # entered per exercise instead


def test_without_a_program_the_overall_select_stays(as_treating, note):  # noqa: F811
    html = as_treating.get(reverse("note_detail", args=[note.pk])).content.decode()
    assert 'name="hep_adherence"' in html


@pytest.mark.parametrize(
    ("days", "expected"),
    [([], ""), ([0, 0], "not_done"), ([1, 3], "some"), ([5, 3], "most"), ([7, 7], "daily"), ([7, 6], "most")],
)
def test_the_overall_value_is_derived_from_the_days(days, expected):
    assert overall_adherence(days) == expected


def test_saving_per_exercise_adherence_sets_the_notes_overall_value_for_the_pdf(
    as_treating,
    note,  # noqa: F811
    program,  # noqa: F811
):
    version = note.version
    as_treating.post(reverse("programs:note_adherence", args=[note.pk]), _post(program, days=(5, 3)))
    saved = VisitNote.objects.get(pk=note.pk)
    assert saved.hep_adherence == "most"
    assert saved.version == version  # the open editor's version still holds: no conflict
    pdf = note_pages.note_pdf_data(note_pages.note_page(saved))
    subjective = dict(next(rows for title, rows in pdf.sections if title.startswith("S")))
    assert subjective["Home-program adherence"] == "Most days"


def test_an_autosave_from_the_page_leaves_the_derived_value_alone(as_treating, note, program):  # noqa: F811
    as_treating.post(reverse("programs:note_adherence", args=[note.pk]), _post(program, days=(7, 7)))
    saved = VisitNote.objects.get(pk=note.pk)
    data = {
        "version": saved.version,
        "service_at": saved.service_at.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": saved.duration_minutes,
        "kind": saved.kind,
        "objective": "typed",
    }
    response = as_treating.post(reverse("note_autosave", args=[note.pk]), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert VisitNote.objects.get(pk=note.pk).hep_adherence == "daily"


def test_the_pain_response_is_segmented_buttons_named_by_the_clinics_bands(as_treating, desk, note, program):  # noqa: F811
    from programs import services

    services.pain_rule_update(by=desk, green_max=3, amber_max=6)
    html = as_treating.get(reverse("note_detail", args=[note.pk])).content.decode()
    item = program[0]
    assert f'<select name="pain_{item.pk}"' not in html
    assert html.count(f'type="radio" name="pain_{item.pk}"') == 3
    assert f'<fieldset class="kc-segmented" id="id_pain_{item.pk}">' in html
    assert f"Pain response: {item.exercise.name}" in html  # the group's legend, for screen readers
    for words in ("Green: 0–3, fine", "Amber: 4–6, settled by next morning", "Red: over 6 or not settled"):
        assert words in html
