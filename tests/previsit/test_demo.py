"""The demo clinic has one client whose LEFS, answered on their link, waits for acceptance."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from previsit.models import QuestionnaireRequest

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_questionnaire_waiting_for_the_therapist():
    call_command("seed_demo", stdout=None)
    waiting = QuestionnaireRequest.objects.get(status=QuestionnaireRequest.Status.SUBMITTED)
    assert waiting.measure == "lefs" and waiting.score_text.startswith("LEFS ")
    assert waiting.client.care_team.filter(username="therapist").exists()
    call_command("seed_demo", stdout=None)
    assert QuestionnaireRequest.objects.count() == 1
