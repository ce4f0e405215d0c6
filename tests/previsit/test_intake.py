"""Intake before the first visit: pending until the therapist confirms it at the visit; only the
confirmation records the health screen. A front-desk admin may type in a paper form."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from clinic.models import Consent, HealthScreen
from previsit import services
from previsit.models import IntakeSubmission
from tests.previsit.conftest import intake_answers

pytestmark = pytest.mark.django_db


def test_an_intake_waits_and_records_nothing_until_confirmed(pending_intake, client_record):
    assert pending_intake.status == IntakeSubmission.Status.PENDING
    assert not HealthScreen.objects.filter(client=client_record).exists()
    assert not Consent.objects.filter(client=client_record).exists()


def test_confirming_records_the_screen_and_consent_by_the_therapist(pending_intake, treating, client_record):
    services.intake_confirm(intake=pending_intake, by=treating)
    pending_intake.refresh_from_db()
    screen = HealthScreen.objects.get(client=client_record)
    assert pending_intake.screen == screen and screen.recorded_by == treating
    assert screen.answers.get(question="varicose").details == "Left calf."
    assert "client on their link" in screen.notes
    assert Consent.objects.get(client=client_record).recorded_by == treating
    assert AuditEvent.objects.filter(action="confirm", client_id=client_record.pk).exists()
    with pytest.raises(services.AlreadyDecided):
        services.intake_confirm(intake=pending_intake, by=treating)
    assert HealthScreen.objects.filter(client=client_record).count() == 1


def test_a_red_answer_asks_the_client_to_call(client_record):
    intake = services.intake_submit(
        client=client_record, answers=intake_answers({"dvt": "Calf swollen since Monday."}), fields={}
    )
    assert [f.code for f in services.red_flags(intake)] == ["dvt"]


def test_a_paper_form_names_who_typed_it_and_waits_for_the_therapist(client_record, desk, treating):
    intake = services.intake_submit(
        client=client_record, answers=intake_answers(), fields={}, entered_by=desk
    )
    assert intake.source == IntakeSubmission.Source.PAPER and intake.entered_by == desk
    event = AuditEvent.objects.filter(action="create", client_id=client_record.pk).latest("id")
    assert event.actor == desk and event.detail["entered from"] == "the paper form"
    assert not HealthScreen.objects.filter(client=client_record).exists()
    services.intake_confirm(intake=intake, by=treating)
    assert "Entered from paper by Desk Desk" in HealthScreen.objects.get(client=client_record).notes


def test_discarding_an_intake_needs_a_reason(pending_intake, treating):
    with pytest.raises(ValidationError):
        services.intake_discard(intake=pending_intake, by=treating, reason="")
    services.intake_discard(intake=pending_intake, by=treating, reason="Filled in by the wrong person.")
    pending_intake.refresh_from_db()
    assert pending_intake.status == IntakeSubmission.Status.DISCARDED


def test_a_pregnancy_answer_needs_its_stage(client_record):
    with pytest.raises(ValidationError) as exc:
        services.intake_submit(client=client_record, answers=intake_answers({"pregnancy": "Yes"}), fields={})
    assert "pregnancy_stage" in exc.value.message_dict


def test_answers_to_an_older_question_set_are_not_confirmed(pending_intake, treating):
    IntakeSubmission.objects.filter(pk=pending_intake.pk).update(question_set="2026-1")
    pending_intake.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.intake_confirm(intake=pending_intake, by=treating)
    assert "earlier set of questions" in exc.value.messages[0]
