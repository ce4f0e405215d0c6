"""Adherence on the visit note page and the chart on the client chart."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from core.records import RecordLocked
from programs import services
from programs.models import Adherence, ProgramItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def note(client_record, treating):
    from notes import services as note_services

    return note_services.note_create(
        client=client_record, by=treating, service_at=timezone.make_aware(datetime(2026, 10, 20, 10, 0))
    )


@pytest.fixture
def program(issue, client_record):
    version = issue(client_record, ["Plantar-fascia stretch", "Clamshell"], start_date=date(2026, 10, 1))
    return list(ProgramItem.objects.filter(version=version).order_by("position"))


def _post(items, days=(5, 3), pains=("green", "amber")):
    data = {}
    for item, d, p in zip(items, days, pains, strict=True):
        data[f"days_{item.pk}"] = str(d)
        data[f"pain_{item.pk}"] = p
    return data


def test_note_page_offers_adherence_entry_for_the_current_program(as_treating, note, program):
    html = as_treating.get(reverse("note_detail", args=[note.pk])).content.decode()
    assert 'id="program-adherence"' in html
    assert "Plantar-fascia stretch" in html and f'name="days_{program[0].pk}"' in html


def test_adherence_recorded_at_a_visit_is_linked_to_the_note(as_treating, note, program):
    response = as_treating.post(reverse("programs:note_adherence", args=[note.pk]), _post(program))
    assert response.status_code == 302
    rows = {r.item_id: r for r in Adherence.objects.filter(visit=note)}
    assert (rows[program[0].pk].days_per_week, rows[program[1].pk].pain_response) == (5, "amber")
    assert rows[program[0].pk].recorded_on == date(2026, 10, 20)
    # Correcting before signing updates the same rows.
    as_treating.post(reverse("programs:note_adherence", args=[note.pk]), _post(program, days=(6, 3)))
    assert Adherence.objects.get(visit=note, item=program[0]).days_per_week == 6
    assert Adherence.objects.filter(visit=note).count() == 2


def test_colleague_cannot_record_adherence_on_a_note(as_colleague, note, program):
    response = as_colleague.post(reverse("programs:note_adherence", args=[note.pk]), _post(program))
    assert response.status_code == 404
    assert not Adherence.objects.exists()


def test_adherence_locks_with_the_signed_note(note, program, treating, client_record):
    services.adherence_record(
        client=client_record,
        by=treating,
        visit=note,
        rows=[{"item": program[0], "days_per_week": 4, "pain_response": "green"}],
    )
    # Sign the note row directly: the lock under test is the programs one.
    from notes.models import VisitNote

    VisitNote.objects.filter(pk=note.pk).update(signed_at=timezone.now(), signed_by=treating)
    row = Adherence.objects.get(visit=note)
    row.days_per_week = 7
    with pytest.raises(RecordLocked):
        row.save()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE programs_adherence SET days_per_week = 1 WHERE id = %s", [row.pk])
    row.refresh_from_db()
    assert row.days_per_week == 4


def test_client_chart_shows_the_program_and_the_adherence_chart(
    as_treating, client_record, program, treating
):
    for weeks, days in ((3, 2), (2, 4), (1, 6)):
        services.adherence_record(
            client=client_record,
            by=treating,
            recorded_on=date(2026, 11, 1) - timedelta(weeks=weeks),
            rows=[{"item": program[0], "days_per_week": days, "pain_response": "green"}],
        )
    html = as_treating.get(reverse("client_detail", args=[client_record.pk])).content.decode()
    assert 'id="program-section"' in html and "Version 1" in html
    assert 'id="adherence-chart"' in html and "<svg" in html.split('id="adherence-chart"')[1][:400]
    assert "days done per week" in html


def test_desk_admin_sees_no_program_section_on_the_chart(as_desk, client_record, program):
    html = as_desk.get(reverse("client_detail", args=[client_record.pk])).content.decode()
    assert 'id="program-section"' not in html and "Plantar-fascia stretch" not in html


def test_home_offers_todays_batch_print_to_therapists_only(as_treating, as_desk, program):
    html = as_treating.get("/").content.decode()
    assert 'id="programs-home"' in html and 'id="batch-print"' in html
    assert 'id="programs-home"' not in as_desk.get("/").content.decode()


def test_batch_print_with_nothing_issued_today_says_so(as_treating, client_record):
    response = as_treating.get("/programs/handouts/today.pdf", follow=True)
    assert "No home programs were issued today" in response.content.decode()
