"""Clinical dates: a visit, assessment or program cannot be dated before the
client's birth, before the clinic's first day (or 1 January 1900 when the clinic
profile gives none), or more than a day ahead. Refused at the field, in the
services and the forms, never a 500."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import Assessment
from assessments.services import AssessmentData
from clinic.dates import FLOOR, clinical_date_problem
from clinic.models import ClinicProfile
from notes import services as note_services
from notes.models import VisitNote

BORN = date(1985, 5, 17)  # the date of birth make_client gives


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _note(client, by, day):
    return note_services.note_create(client=client, by=by, service_at=_at(day), copy_forward=False)


def _assessment(client, by, day):
    return assessment_services.assessment_create(client=client, by=by, data=AssessmentData(assessed_on=day))


@pytest.mark.parametrize("build", [_note, _assessment], ids=["visit note", "assessment"])
def test_the_day_before_birth_is_refused_and_the_birth_date_accepted(build, client_record, treating):
    with pytest.raises(ValidationError) as refused:
        build(client_record, treating, BORN - timedelta(days=1))
    assert "before the client's date of birth" in str(refused.value)
    assert build(client_record, treating, BORN).pk


@pytest.mark.parametrize("build", [_note, _assessment], ids=["visit note", "assessment"])
def test_tomorrow_is_accepted_and_the_day_after_refused(build, client_record, treating):
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert build(client_record, treating, tomorrow).pk
    with pytest.raises(ValidationError) as refused:
        build(client_record, treating, tomorrow + timedelta(days=1))
    assert "too far ahead" in str(refused.value)


@pytest.mark.parametrize("day", [date(1800, 1, 1), date(1899, 12, 31), date(2100, 1, 1), date(2200, 6, 1)])
def test_the_dates_from_the_report_are_refused(day, client_record, treating):
    with pytest.raises(ValidationError):
        _note(client_record, treating, day)
    with pytest.raises(ValidationError):
        _assessment(client_record, treating, day)
    assert not VisitNote.objects.exists() and not Assessment.objects.exists()


def test_without_a_first_day_the_floor_is_1900(make_client, treating):
    old = make_client(treating, date_of_birth=date(1890, 1, 1))
    assert "1 January 1900" in clinical_date_problem(date(1899, 12, 31), client=old).replace(
        "01 January", "1 January"
    )
    assert clinical_date_problem(FLOOR, client=old) == ""


def test_the_clinics_first_day_is_the_floor_when_set(client_record, treating):
    profile = ClinicProfile.load()
    profile.opened_on = date(2020, 3, 2)
    profile.save()
    with pytest.raises(ValidationError) as refused:
        _note(client_record, treating, date(2020, 3, 1))
    assert "before the clinic's first day" in str(refused.value)
    assert _note(client_record, treating, date(2020, 3, 2)).pk


def test_moving_a_draft_note_out_of_the_window_is_refused(client_record, treating):
    note = _note(client_record, treating, timezone.localdate())
    with pytest.raises(ValidationError) as refused:
        note_services.note_update(
            note=note, by=treating, data={"service_at": _at(date(2100, 1, 1))}, version=note.version
        )
    assert "service_at" in refused.value.message_dict
    assert VisitNote.objects.get(pk=note.pk).service_at == note.service_at


def test_a_program_cannot_start_before_birth(client_record, treating):
    from programs import services
    from programs.models import Exercise

    draft = services.program_draft(client=client_record, by=treating)
    services.program_item_add(draft=draft, exercise=Exercise.objects.order_by("id").first(), by=treating)
    with pytest.raises(ValidationError) as refused:
        services.program_issue(version=draft, by=treating, start_date=date(1800, 1, 1))
    assert "start_date" in refused.value.message_dict


# --- the forms: a message at the field, 400, nothing saved -------------------------------------------


def test_the_new_note_form_refuses_1800_at_the_field(client_record, as_treating):
    response = as_treating.post(
        reverse("note_new", args=[client_record.pk]),
        {"service_at": "1800-01-01T10:00", "duration_minutes": 60, "template": ""},
    )
    assert response.status_code == 400
    assert "before the client&#x27;s date of birth" in response.content.decode()
    assert not VisitNote.objects.exists()


def test_the_note_editor_refuses_2200_at_the_field(client_record, treating, as_treating):
    from tests.notes.conftest import COMPLETE

    note = _note(client_record, treating, timezone.localdate())
    data = {
        "version": note.version,
        "service_at": "2200-01-01T10:00",
        "duration_minutes": note.duration_minutes,
        "kind": note.kind,
        **COMPLETE,
    }
    response = as_treating.post(reverse("note_detail", args=[note.pk]), data)
    assert response.status_code == 400
    assert "too far ahead" in response.content.decode()
    assert VisitNote.objects.get(pk=note.pk).service_at == note.service_at


def test_the_assessment_form_refuses_1800_at_the_field(client_record, as_treating):
    response = as_treating.post(
        reverse("assessment_new", args=[client_record.pk]),
        {"assessed_on": "1800-01-01", "m_knee_to_wall_L": "7"},
    )
    assert response.status_code == 400
    assert "before the client&#x27;s date of birth" in response.content.decode()
    assert not Assessment.objects.exists()


def test_the_clinic_profile_takes_a_first_day(as_desk):
    response = as_desk.get(reverse("clinic_profile"))
    assert 'name="opened_on"' in response.content.decode()
