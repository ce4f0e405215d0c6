"""Questionnaires before a visit: asked for, answered in parts, sent once, then accepted into the
record as a signed assessment by the accepting therapist, or discarded with a reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from assessments.models import Assessment, Measurement, QuestionnaireResponse
from audit.models import AuditEvent
from core.records import RecordLocked
from previsit import services
from previsit.models import Measure, QuestionnaireRequest
from tests.previsit.conftest import LEFS_ANSWERS, lefs_post

pytestmark = pytest.mark.django_db


def test_partial_answers_are_kept_while_the_client_types(lefs_request):
    services.questionnaire_autosave(qrequest=lefs_request, data={"item_1": "3", "item_2": "4"})
    lefs_request.refresh_from_db()
    assert lefs_request.status == QuestionnaireRequest.Status.IN_PROGRESS
    assert lefs_request.partial == {"item_1": "3", "item_2": "4"}
    services.questionnaire_autosave(qrequest=lefs_request, data={"item_1": "3", "item_2": "4", "item_3": "0"})
    lefs_request.refresh_from_db()
    assert lefs_request.partial["item_3"] == "0"


def test_an_incomplete_submission_keeps_what_was_typed_and_names_the_missing_questions(lefs_request):
    with pytest.raises(ValidationError) as exc:
        services.questionnaire_submit(qrequest=lefs_request, data={"item_1": "3"})
    assert exc.value.message_dict["item_2"] == ["Please answer this question."]
    lefs_request.refresh_from_db()
    assert lefs_request.status == QuestionnaireRequest.Status.IN_PROGRESS
    assert lefs_request.partial == {"item_1": "3"}


def test_the_score_is_the_products_own(submitted_lefs):
    assert submitted_lefs.status == QuestionnaireRequest.Status.SUBMITTED
    assert submitted_lefs.score_text == f"LEFS {sum(LEFS_ANSWERS)} of 80"


def test_a_replayed_submission_is_refused_and_changes_nothing(submitted_lefs):
    before = (submitted_lefs.submitted_at, submitted_lefs.submitted_answers)
    with pytest.raises(services.NoLongerOpen):
        services.questionnaire_submit(qrequest=submitted_lefs, data=lefs_post([0] * 20))
    with pytest.raises(services.NoLongerOpen):
        services.questionnaire_autosave(qrequest=submitted_lefs, data={"item_1": "0"})
    submitted_lefs.refresh_from_db()
    assert (submitted_lefs.submitted_at, submitted_lefs.submitted_answers) == before


@pytest.mark.parametrize("value", ["5", "-1", "11", "3.5", "<b>4</b>", "NA"])
def test_an_answer_out_of_range_is_refused_with_a_clear_message(lefs_request, value):
    parsed = services.questionnaire_autosave(qrequest=lefs_request, data={"item_1": value, "item_2": "2"})
    assert parsed.errors == {"item_1": "Choose one of the answers shown."}
    lefs_request.refresh_from_db()
    assert lefs_request.partial == {"item_2": "2"}


@pytest.mark.parametrize("value", ["11", "-1", "7.5", "ten"])
def test_a_pain_score_out_of_range_is_refused(client_record, treating, value):
    qrequest = services.questionnaire_request_create(client=client_record, measure=Measure.NPRS, by=treating)
    data = {"nprs_first_step": value, "nprs_rest": "2", "nprs_worst_24h": "6", "nprs_activity": "4"}
    with pytest.raises(ValidationError) as exc:
        services.questionnaire_submit(qrequest=qrequest, data=data)
    assert exc.value.message_dict == {"nprs_first_step": ["Choose a whole number from 0 to 10."]}
    qrequest.refresh_from_db()
    assert qrequest.status != QuestionnaireRequest.Status.SUBMITTED


def test_accepting_records_a_signed_locked_assessment_by_the_accepting_therapist(submitted_lefs, treating):
    services.questionnaire_accept(qrequest=submitted_lefs, by=treating)
    submitted_lefs.refresh_from_db()
    assessment = submitted_lefs.assessment
    assert submitted_lefs.status == QuestionnaireRequest.Status.ACCEPTED
    assert submitted_lefs.accepted_by == treating
    assert assessment.therapist == treating and assessment.signed_by == treating and assessment.is_signed
    response = QuestionnaireResponse.objects.get(assessment=assessment)
    assert response.instrument == "lefs" and response.score == sum(LEFS_ANSWERS)
    assert response.items == LEFS_ANSWERS
    with pytest.raises(RecordLocked):
        response.delete()
    actions = list(
        AuditEvent.objects.filter(client_id=submitted_lefs.client_id).values_list("action", flat=True)
    )
    assert {"request", "submit", "create", "sign", "accept"} <= set(actions)


def test_accepting_twice_is_refused(submitted_lefs, treating):
    services.questionnaire_accept(qrequest=submitted_lefs, by=treating)
    with pytest.raises(services.AlreadyDecided):
        services.questionnaire_accept(qrequest=submitted_lefs, by=treating)
    assert Assessment.objects.filter(client=submitted_lefs.client).count() == 1


def test_pain_scores_become_measurements(client_record, treating):
    qrequest = services.questionnaire_request_create(client=client_record, measure=Measure.NPRS, by=treating)
    data = {"nprs_first_step": "7", "nprs_rest": "2", "nprs_worst_24h": "8", "nprs_activity": "5"}
    services.questionnaire_submit(qrequest=qrequest, data=data)
    qrequest.refresh_from_db()
    assert qrequest.score_text.startswith("First-step pain 7/10")
    services.questionnaire_accept(qrequest=qrequest, by=treating)
    qrequest.refresh_from_db()
    values = dict(Measurement.objects.filter(assessment=qrequest.assessment).values_list("code", "value"))
    assert values["nprs_first_step"] == 7 and values["nprs_worst_24h"] == 8


def test_faam_daily_living_alone_is_scored_and_sports_left_empty(client_record, treating):
    qrequest = services.questionnaire_request_create(client=client_record, measure=Measure.FAAM, by=treating)
    data = {f"adl_{n}": "3" for n in range(1, 22)}
    services.questionnaire_submit(qrequest=qrequest, data=data)
    qrequest.refresh_from_db()
    assert qrequest.score_text == "FAAM daily living 75.0%"
    services.questionnaire_accept(qrequest=qrequest, by=treating)
    assert list(
        QuestionnaireResponse.objects.filter(
            assessment=qrequest.refresh_from_db() or qrequest.assessment
        ).values_list("instrument", flat=True)
    ) == ["faam_adl"]


def test_faam_sports_started_but_too_short_is_refused(client_record, treating):
    qrequest = services.questionnaire_request_create(client=client_record, measure=Measure.FAAM, by=treating)
    data = {f"adl_{n}": "3" for n in range(1, 22)} | {"sports_1": "2"}
    with pytest.raises(ValidationError) as exc:
        services.questionnaire_submit(qrequest=qrequest, data=data)
    assert "sports_2" in exc.value.message_dict


def test_psfs_activity_names_are_kept_as_text_and_scored(client_record, treating):
    qrequest = services.questionnaire_request_create(client=client_record, measure=Measure.PSFS, by=treating)
    data = {
        "psfs_label_1": "<script>alert(1)</script> running",
        "psfs_rating_1": "4",
        "psfs_label_2": "Stairs",
        "psfs_rating_2": "6",
    }
    services.questionnaire_submit(qrequest=qrequest, data=data)
    qrequest.refresh_from_db()
    assert qrequest.score_text == "PSFS 5.0 of 10"
    assert (
        qrequest.submitted_answers["responses"][0]["items"][0]["label"] == "<script>alert(1)</script> running"
    )


def test_discarding_needs_a_reason(submitted_lefs, treating):
    with pytest.raises(ValidationError) as exc:
        services.questionnaire_discard(qrequest=submitted_lefs, by=treating, reason="  ")
    assert exc.value.message_dict == {"reason": ["Say why these answers are discarded."]}
    services.questionnaire_discard(qrequest=submitted_lefs, by=treating, reason="Answered for the wrong leg.")
    submitted_lefs.refresh_from_db()
    assert submitted_lefs.status == QuestionnaireRequest.Status.DISCARDED
    assert submitted_lefs.discard_reason == "Answered for the wrong leg."
    assert submitted_lefs.assessment is None
    event = AuditEvent.objects.filter(action="discard").get()
    assert event.detail["reason"] == "Answered for the wrong leg."


def test_the_same_questionnaire_is_not_asked_for_twice_while_open(lefs_request, treating):
    with pytest.raises(ValidationError):
        services.questionnaire_request_create(client=lefs_request.client, measure=Measure.LEFS, by=treating)


def test_a_schedule_asks_again_after_its_weeks(client_record, treating):
    from datetime import timedelta

    from django.utils import timezone

    services.questionnaire_schedule_set(
        client=client_record, measure=Measure.LEFS, every_weeks=4, active=True, by=treating
    )
    assert services.schedule_run() == 1
    assert services.schedule_run() == 0  # one is waiting already
    qrequest = QuestionnaireRequest.objects.get()
    assert qrequest.requested_by is None
    services.questionnaire_submit(qrequest=qrequest, data=lefs_post())
    services.questionnaire_accept(qrequest=qrequest, by=treating)
    assert services.schedule_run(now=timezone.now() + timedelta(weeks=3)) == 0
    assert services.schedule_run(now=timezone.now() + timedelta(weeks=4, hours=1)) == 1


def test_an_accept_that_fails_at_signing_signs_the_same_draft_when_tried_again(
    submitted_lefs, treating, monkeypatch
):
    real_sign = services.assessment_sign

    def failing(**kwargs):
        raise RuntimeError("the connection dropped")

    monkeypatch.setattr(services, "assessment_sign", failing)
    with pytest.raises(RuntimeError):
        services.questionnaire_accept(qrequest=submitted_lefs, by=treating)
    submitted_lefs.refresh_from_db()
    assert submitted_lefs.status == QuestionnaireRequest.Status.SUBMITTED
    draft = submitted_lefs.assessment
    assert draft is not None and not draft.is_signed
    monkeypatch.setattr(services, "assessment_sign", real_sign)
    services.questionnaire_accept(qrequest=submitted_lefs, by=treating)
    submitted_lefs.refresh_from_db()
    assert submitted_lefs.assessment_id == draft.pk and submitted_lefs.assessment.is_signed
    assert Assessment.objects.filter(client=submitted_lefs.client).count() == 1
