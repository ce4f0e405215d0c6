"""Every PDF address answers with a printout, whatever was stored: a pasted
letter with no line breaks, a clinic address of thousands of characters, a
program of 25 or 60 exercises, an exercise whose steps run to 5,000 characters."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from clinic import services as clinic_services
from clinic.models import ClinicProfile
from notes import services as note_services
from notes.models import VisitNote
from programs import services as program_services
from programs.models import Exercise
from tests.notes.conftest import COMPLETE
from tests.trust.pdf_text import pdf_text

pytestmark = pytest.mark.django_db


def _letter(marker: str, size: int) -> str:
    """A pasted letter: one unbroken paragraph, with a marker at its start and end."""
    body = ("Dear colleague, thank you for seeing this client again " * (size // 50 + 1))[:size]
    return f"{marker}Start {body.replace(' ', '')} {marker}End"


def _pdf(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return pdf_text(response.content)[1]


@pytest.fixture
def long_address(db):
    """A clinic address longer than any form accepts, as if stored before the limit."""
    ClinicProfile.load()
    ClinicProfile.objects.update(address="Unit 4, " + "Long Road " * 600)


@pytest.fixture
def reauthenticated(as_desk, as_records_officer):
    for http in (as_desk, as_records_officer):
        session = http.session
        session["kc_reauth_at"] = time.time()
        session.save()


@pytest.fixture
def long_note(client_record, treating, screened):
    screened()  # signing needs consent on file
    note = note_services.note_create(
        client=client_record,
        by=treating,
        service_at=timezone.now() - timedelta(hours=2),
        template="",
        copy_forward=False,
    )
    note = note_services.note_update(
        note=note,
        by=treating,
        data={
            **COMPLETE,
            "subjective": _letter("Subjectivemark", 9_000),
            "analysis": _letter("Analysismark", 9_000),
        },
        version=note.version,
    )
    note = note_services.note_sign(note=note, by=treating)
    note_services.amendment_add(
        note=note, by=treating, kind="addendum", reason="Letter received", text=_letter("Addendummark", 9_000)
    )
    return note


def test_the_note_pdf_prints_pasted_letters_and_a_long_clinic_address(as_treating, long_note, long_address):
    text = _pdf(as_treating.get(f"/notes/{long_note.pk}/pdf/"))
    for marker in ("Subjectivemark", "Analysismark", "Addendummark"):
        assert f"{marker}Start" in text and f"{marker}End" in text
    assert "Unit4,LongRoadLongRoad" in text


def test_text_stored_before_the_limits_still_prints_in_full(as_treating, client_record, treating):
    note = note_services.note_create(
        client=client_record, by=treating, service_at=timezone.now(), template="", copy_forward=False
    )
    # Stored before fields had limits: far longer than the form now accepts.
    VisitNote.objects.filter(pk=note.pk).update(subjective=_letter("Legacymark", 60_000))
    text = _pdf(as_treating.get(f"/notes/{note.pk}/pdf/"))
    assert "LegacymarkStart" in text and "LegacymarkEnd" in text


def _exercises(by, count: int, *, steps: str = "") -> list[Exercise]:
    return [
        program_services.exercise_create(
            by=by,
            data={
                # Names long enough to take two lines of the tick sheet, as many do.
                "name": f"Home exercise {number:02d}: slow calf raise on a step, both legs",
                "region": "foot",
                "target": "Calf",
                "position": "Standing",
                "steps": steps or "Rise onto the toes.\nLower slowly.",
                "sets": 2,
                "reps": 10,
                "frequency": "Daily",
                "citation": "Clinic default",
            },
        )
        for number in range(1, count + 1)
    ]


def _issue(client, by, exercises, *, reason=""):
    draft = program_services.program_draft(client=client, by=by)
    for exercise in exercises:
        program_services.program_item_add(draft=draft, exercise=exercise, by=by, reason=reason)
    return program_services.program_issue(version=draft, by=by)


@pytest.mark.parametrize("count", [25, 60])
def test_a_long_program_prints_every_exercise_on_the_handout_and_the_days_batch(
    as_treating, treating, client_record, count
):
    version = _issue(client_record, treating, _exercises(treating, count))
    for url in (
        f"/clients/{client_record.pk}/program/handout.pdf",
        f"/programs/versions/{version.pk}/handout.pdf",
        "/programs/handouts/today.pdf",
    ):
        text = _pdf(as_treating.get(url))
        assert f"{count}.Homeexercise{count:02d}" in text
        # The tick sheet's weeks run on to further pages with every exercise on them.
        assert text.count(f"{count}.Homeexercise{count:02d}") >= 5
        # A week of 25 two-line rows is taller than a page: each of the four continues.
        assert text.count("(continued)") >= 4


def test_an_exercise_with_5000_characters_of_steps_prints_on_every_handout(
    as_treating, treating, client_record, make_client
):
    steps = _letter("Stepsmark", 5_000 - 40)
    assert len(steps) <= 5_000
    exercise = _exercises(treating, 1, steps=steps)[0]
    other = make_client(treating, first_name="Ola", last_name="Berg")
    _issue(client_record, treating, [exercise], reason=_letter("Whymark", 150))
    _issue(other, treating, [exercise])
    for url in (
        f"/clients/{client_record.pk}/program/handout.pdf",
        f"/clients/{other.pk}/program/handout.pdf",
        "/programs/handouts/today.pdf",
    ):
        text = _pdf(as_treating.get(url))
        assert "StepsmarkStart" in text and "StepsmarkEnd" in text


def test_the_complete_record_and_the_disclosure_accounting_print_pasted_letters(
    as_desk, as_records_officer, desk, client_record, long_note, long_address, reauthenticated
):
    clinic_services.disclosure_record(
        client=client_record,
        by=desk,
        disclosed_on=timezone.localdate(),
        recipient_name="Acme Insurance",
        recipient_address="1 Claims Way",
        description=_letter("Releasedmark", 9_000),
        purpose=_letter("Purposemark", 9_000),
    )
    text = _pdf(as_desk.get(f"/clients/{client_record.pk}/disclosures/accounting.pdf"))
    for marker in ("Releasedmark", "Purposemark"):
        assert f"{marker}Start" in text and f"{marker}End" in text
    text = _pdf(as_records_officer.get(f"/clients/{client_record.pk}/export.pdf"))
    for marker in ("Subjectivemark", "Analysismark", "Addendummark", "Releasedmark", "Purposemark"):
        assert f"{marker}Start" in text and f"{marker}End" in text
