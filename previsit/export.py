"""This app's parts of the complete client export (see clinic.export) and of the restore drill."""

from __future__ import annotations

from clinic.export import records_for_client
from core.composition import RestoreCheck
from previsit.models import IntakeSubmission, QuestionnaireRequest


def export_client(client) -> dict:
    """Every questionnaire and intake form the client was asked for or sent before a visit,
    with their answers, pending, accepted or discarded (and the reason)."""
    return records_for_client("previsit", client)


def restore_check() -> RestoreCheck:
    return RestoreCheck(
        counts={
            "questionnaires before a visit": QuestionnaireRequest.objects.count(),
            "intake forms before a visit": IntakeSubmission.objects.count(),
        }
    )
