"""The one way a staff view reaches a questionnaire or an intake form before a visit: the client's
care team only (a front-desk admin or another therapist gets 404, as if it did not exist)."""

from __future__ import annotations

from clinic.access import OutOfScope, _as_int
from previsit.models import IntakeSubmission, QuestionnaireRequest


def get_questionnaire_for_user(user, pk) -> QuestionnaireRequest:
    qs = QuestionnaireRequest.objects.for_user(user).select_related(
        "client", "requested_by", "accepted_by", "discarded_by"
    )
    try:
        return qs.get(pk=_as_int(pk))
    except QuestionnaireRequest.DoesNotExist:
        raise OutOfScope("No such questionnaire", model=QuestionnaireRequest, pk=pk) from None


def get_intake_for_user(user, pk) -> IntakeSubmission:
    qs = IntakeSubmission.objects.for_user(user).select_related(
        "client", "entered_by", "confirmed_by", "discarded_by"
    )
    try:
        return qs.get(pk=_as_int(pk))
    except IntakeSubmission.DoesNotExist:
        raise OutOfScope("No such intake form", model=IntakeSubmission, pk=pk) from None
