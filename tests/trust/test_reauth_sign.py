"""Signing needs a recent authentication (AUTH-6).

Signing in counts as one. Later than ``KC_REAUTH_SECONDS`` after it, the sign
form asks for the password: the right one re-authenticates and signs in one
step; without it, or with a wrong one, nothing is signed and the message sits
next to the field.
"""

from __future__ import annotations

import re
import time
from datetime import date, timedelta

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import Assessment
from assessments.services import AssessmentData, MeasurementInput
from audit.models import AuditEvent
from clinic.reauth import REAUTH_KEY
from notes import services as note_services
from notes.models import VisitNote
from tests.trust.conftest import PASSWORD, login

COMPLETE = {
    "screen_changed": "no",
    "chief_complaint": "Left heel pain on first steps.",
    "nprs_first_step": 6,
    "nprs_rest": 2,
    "nprs_worst_24h": 7,
    "objective": "Calf tone increased; WBLT 6 cm left.",
    "analysis": "Load-related plantar heel pain picture.",
    "plan_next": "Re-test WBLT; progress calf work.",
    "goals": "First-step pain 2/10 within 6 weeks.",
    "frequency": "Weekly",
}


@pytest.fixture(autouse=True)
def _consent_on_file(screened):
    """Treatment and signing need a health screen with consent on file."""
    screened()


@pytest.fixture
def draft(client_record, treating) -> VisitNote:
    return note_services.note_create(
        client=client_record, by=treating, service_at=timezone.now() - timedelta(hours=1)
    )


def _sign_data(note, **extra) -> dict:
    data = {
        "version": note.version,
        "service_at": timezone.localtime(note.service_at).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": note.duration_minutes,
        "kind": note.kind,
        **COMPLETE,
        **extra,
    }
    return {k: "" if v is None else v for k, v in data.items()}


def _make_stale(http: HttpClient) -> None:
    """The password was last entered an hour ago."""
    session = http.session
    session[REAUTH_KEY] = time.time() - 3600
    session.save()


def test_signing_in_through_the_login_page_counts_as_a_fresh_authentication(draft, treating):
    http = HttpClient()
    assert login(http, "treating").status_code == 302
    assert http.session[REAUTH_KEY] == pytest.approx(time.time(), abs=30)
    page = http.get(reverse("note_detail", args=[draft.pk])).content.decode()
    assert 'id="id_sign_password"' not in page
    response = http.post(reverse("note_sign", args=[draft.pk]), _sign_data(draft))
    assert response.status_code == 302
    assert VisitNote.objects.get(pk=draft.pk).is_signed


def test_a_stale_session_shows_the_password_field_on_the_sign_form(draft, as_treating):
    _make_stale(as_treating)
    page = as_treating.get(reverse("note_detail", args=[draft.pk])).content.decode()
    assert "Confirm your password to sign" in page
    assert 'name="password" id="id_sign_password" form="note-form"' in page
    # Autosave posts the same form: it must never carry the password.
    excluded = re.search(r'id="note-form"[^>]*hx-params="not ([^"]*)"', page)
    assert excluded and "password" in excluded.group(1).split(",")


def test_a_stale_session_without_a_password_signs_nothing(draft, as_treating):
    _make_stale(as_treating)
    response = as_treating.post(reverse("note_sign", args=[draft.pk]), _sign_data(draft))
    assert response.status_code == 403
    html = response.content.decode()
    assert 'id="error_sign_password"' in html and "Confirm your password to sign." in html
    assert COMPLETE["analysis"] in html  # what was typed is still in the form
    assert not VisitNote.objects.get(pk=draft.pk).is_signed
    assert not AuditEvent.objects.filter(action="sign", object_id=str(draft.pk)).exists()


def test_a_wrong_password_signs_nothing_and_is_audited(draft, as_treating, treating):
    _make_stale(as_treating)
    response = as_treating.post(
        reverse("note_sign", args=[draft.pk]), _sign_data(draft, password="not-my-password")
    )
    assert response.status_code == 403
    assert "That password is not right. The note was not signed." in response.content.decode()
    assert not VisitNote.objects.get(pk=draft.pk).is_signed
    failed = AuditEvent.objects.get(actor=treating, action="reauth_failed")
    assert failed.outcome == "denied" and failed.detail == {"purpose": "sign"}


def test_the_right_password_re_authenticates_and_signs_in_one_step(draft, as_treating, treating):
    _make_stale(as_treating)
    response = as_treating.post(reverse("note_sign", args=[draft.pk]), _sign_data(draft, password=PASSWORD))
    assert response.status_code == 302
    note = VisitNote.objects.get(pk=draft.pk)
    assert note.is_signed and note.signed_by_id == treating.pk
    assert AuditEvent.objects.filter(actor=treating, action="reauth", detail={"purpose": "sign"}).exists()
    assert as_treating.session[REAUTH_KEY] == pytest.approx(time.time(), abs=30)


def test_the_password_is_never_written_to_the_audit_log(draft, as_treating):
    _make_stale(as_treating)
    as_treating.post(reverse("note_sign", args=[draft.pk]), _sign_data(draft, password="wrong-guess-777"))
    as_treating.post(reverse("note_sign", args=[draft.pk]), _sign_data(draft, password=PASSWORD))
    for event in AuditEvent.objects.all():
        text = str(event.detail) + event.actor_username
        assert PASSWORD not in text and "wrong-guess-777" not in text


def test_a_fresh_session_signs_without_the_password(draft, as_treating):
    response = as_treating.post(reverse("note_sign", args=[draft.pk]), _sign_data(draft))
    assert response.status_code == 302
    assert VisitNote.objects.get(pk=draft.pk).is_signed


def test_a_colleague_still_gets_404_whatever_password_they_send(draft, as_colleague):
    response = as_colleague.post(reverse("note_sign", args=[draft.pk]), _sign_data(draft, password=PASSWORD))
    assert response.status_code == 404
    assert not VisitNote.objects.get(pk=draft.pk).is_signed


# --- assessments ------------------------------------------------------------------------


@pytest.fixture
def assessment(client_record, treating) -> Assessment:
    data = AssessmentData(
        assessed_on=date(2026, 9, 1),
        findings={"foot": "Tender at the heel."},
        measurements=[MeasurementInput("knee_to_wall", "L", value=7)],
        responses=[],
        marks=[],
    )
    return assessment_services.assessment_create(client=client_record, by=treating, data=data)


def test_assessment_sign_with_a_stale_session_asks_for_the_password(assessment, as_treating):
    _make_stale(as_treating)
    page = as_treating.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    assert 'id="id_sign_password"' in page
    response = as_treating.post(reverse("assessment_sign", args=[assessment.pk]))
    assert response.status_code == 403
    assert "Confirm your password to sign." in response.content.decode()
    assert not Assessment.objects.get(pk=assessment.pk).is_signed
    wrong = as_treating.post(reverse("assessment_sign", args=[assessment.pk]), {"password": "nope-nope"})
    assert wrong.status_code == 403
    assert "That password is not right" in wrong.content.decode()
    assert not Assessment.objects.get(pk=assessment.pk).is_signed
    ok = as_treating.post(reverse("assessment_sign", args=[assessment.pk]), {"password": PASSWORD})
    assert ok.status_code == 302
    assert Assessment.objects.get(pk=assessment.pk).is_signed


def test_assessment_sign_with_a_fresh_session_needs_no_password(assessment, as_treating):
    page = as_treating.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    assert 'id="id_sign_password"' not in page
    assert as_treating.post(reverse("assessment_sign", args=[assessment.pk])).status_code == 302
    assert Assessment.objects.get(pk=assessment.pk).is_signed
