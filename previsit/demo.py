"""Demo data: one client has answered a LEFS on their link, waiting for the therapist to accept it."""

from __future__ import annotations

from django.db import transaction

from audit.log import run_alone
from previsit import services
from previsit.models import Measure, QuestionnaireRequest

# A plausible heel-pain client: most activities a little hard, running and hopping harder.
DEMO_LEFS = [3, 2, 4, 4, 3, 2, 3, 4, 2, 4, 3, 2, 3, 2, 4, 1, 1, 1, 1, 4]


def seed(*, clients, therapists) -> None:
    with run_alone(), transaction.atomic():
        therapist = therapists[0]
        client = next((c for c in clients if c.care_team.filter(pk=therapist.pk).exists()), None)
        if client is None or QuestionnaireRequest.objects.filter(client=client).exists():
            return
        qrequest = services.questionnaire_request_create(client=client, measure=Measure.LEFS, by=therapist)
        services.questionnaire_submit(
            qrequest=qrequest, data={f"item_{n}": str(v) for n, v in enumerate(DEMO_LEFS, 1)}
        )
