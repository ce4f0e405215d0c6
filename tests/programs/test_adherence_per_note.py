"""Adherence rows belong to exactly one visit note.

Saving adherence on one note used to move the rows of another same-day note of
the same client onto it, and answered 500 when that other note was signed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.records import NotTheAuthor, RecordLocked
from notes import services as note_services
from programs import services
from programs.models import Adherence
from tests.notes.conftest import COMPLETE


@pytest.fixture
def program(client_record, issue):
    return issue(client_record, ["Plantar-fascia stretch", "Clamshell"])


@pytest.fixture
def same_day_notes(client_record, treating, screened):
    """Two notes of the same client on the same day (morning and afternoon)."""
    screened()  # signing needs consent on file
    today = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    if today > timezone.localtime():
        today -= timedelta(days=1)
    notes = []
    for hour in (9, 11):
        note = note_services.note_create(
            client=client_record, by=treating, service_at=today.replace(hour=hour), copy_forward=False
        )
        notes.append(
            note_services.note_update(note=note, by=treating, data=dict(COMPLETE), version=note.version)
        )
    return notes


def _rows(program, days=4, pain="green"):
    return [{"item": item, "days_per_week": days, "pain_response": pain} for item in program.items.all()]


def _form(program, days="4", pain="green"):
    data = {}
    for item in program.items.all():
        data[f"days_{item.pk}"] = days
        data[f"pain_{item.pk}"] = pain
    return data


def test_saving_one_note_leaves_the_other_same_day_notes_rows_alone(
    client_record, treating, program, same_day_notes
):
    first, second = same_day_notes
    services.adherence_record(client=client_record, by=treating, rows=_rows(program, days=2), visit=first)
    services.adherence_record(client=client_record, by=treating, rows=_rows(program, days=6), visit=second)
    assert sorted(Adherence.objects.filter(visit=first).values_list("days_per_week", flat=True)) == [2, 2]
    assert sorted(Adherence.objects.filter(visit=second).values_list("days_per_week", flat=True)) == [6, 6]


def test_saving_again_corrects_the_same_notes_rows(client_record, treating, program, same_day_notes):
    first, _ = same_day_notes
    services.adherence_record(client=client_record, by=treating, rows=_rows(program, days=2), visit=first)
    services.adherence_record(client=client_record, by=treating, rows=_rows(program, days=5), visit=first)
    assert sorted(Adherence.objects.filter(visit=first).values_list("days_per_week", flat=True)) == [5, 5]
    assert Adherence.objects.count() == 2


def test_a_draft_beside_a_signed_same_day_note_saves_and_the_signed_rows_stay(
    client_record, treating, program, same_day_notes, as_treating
):
    first, second = same_day_notes
    services.adherence_record(client=client_record, by=treating, rows=_rows(program, days=3), visit=first)
    note_services.note_sign(note=first, by=treating)
    signed_rows = list(Adherence.objects.filter(visit=first).order_by("pk").values_list())
    response = as_treating.post(
        reverse("programs:note_adherence", args=[second.pk]), _form(program, days="7", pain="amber")
    )
    assert response.status_code == 302
    assert list(Adherence.objects.filter(visit=first).order_by("pk").values_list()) == signed_rows
    assert sorted(Adherence.objects.filter(visit=second).values_list("days_per_week", flat=True)) == [7, 7]


def test_a_signed_notes_adherence_is_refused_with_409_and_nothing_changes(
    client_record, treating, program, same_day_notes, as_treating
):
    first, _ = same_day_notes
    services.adherence_record(client=client_record, by=treating, rows=_rows(program, days=3), visit=first)
    note_services.note_sign(note=first, by=treating)
    before = list(Adherence.objects.order_by("pk").values_list())
    response = as_treating.post(reverse("programs:note_adherence", args=[first.pk]), _form(program, days="1"))
    assert response.status_code == 409
    assert list(Adherence.objects.order_by("pk").values_list()) == before
    with pytest.raises(RecordLocked):
        services.adherence_record(client=client_record, by=treating, rows=_rows(program), visit=first)


def test_a_care_team_colleague_cannot_write_adherence_into_the_authors_draft(
    client_record, treating, program, same_day_notes
):
    from clinic.models import User

    teammate = User.objects.create_user(username="teammate", password="x" * 16, is_therapist=True)
    client_record.care_team.add(teammate)
    first, _ = same_day_notes
    with pytest.raises(NotTheAuthor):
        services.adherence_record(client=client_record, by=teammate, rows=_rows(program), visit=first)
    assert not Adherence.objects.exists()
