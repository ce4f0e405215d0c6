"""The one way a staff view reaches a questionnaire or an intake form before a visit: the client's
care team only (a front-desk admin or another therapist gets 404, as if it did not exist)."""

from __future__ import annotations

from clinic.access import read_recorded, scoped_get
from previsit.models import IntakeSubmission, QuestionnaireRequest


def get_questionnaire_for_user(user, pk) -> QuestionnaireRequest:
    qs = QuestionnaireRequest.objects.for_user(user).select_related(
        "client", "requested_by", "accepted_by", "discarded_by"
    )
    return scoped_get(qs, pk, "No such questionnaire")


def get_intake_for_user(user, pk) -> IntakeSubmission:
    qs = IntakeSubmission.objects.for_user(user).select_related(
        "client", "entered_by", "confirmed_by", "discarded_by"
    )
    return scoped_get(qs, pk, "No such intake form")


def questionnaire_for_reading(request, pk) -> QuestionnaireRequest:
    """The questionnaire (``get_questionnaire_for_user``), with the audit row of its page."""
    qrequest = get_questionnaire_for_user(request.user, pk)
    return read_recorded(request, qrequest, client=qrequest.client)


def intake_for_reading(request, pk) -> IntakeSubmission:
    """The intake form (``get_intake_for_user``), with the audit row of its page."""
    intake = get_intake_for_user(request.user, pk)
    return read_recorded(request, intake, client=intake.client)
