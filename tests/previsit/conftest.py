"""Builders for questionnaires and intake forms before a visit, through the previsit services."""

from __future__ import annotations

import pytest

from clinic.screening import QUESTIONS
from previsit import services
from previsit.models import Measure
from tests.portal.conftest import issued, phone  # noqa: F401 - the client's link and phone

LEFS_ANSWERS = [3, 2, 4, 4, 3, 2, 3, 4, 2, 4, 3, 2, 3, 2, 4, 1, 1, 1, 1, 4]  # 53 of 80


def lefs_post(values=LEFS_ANSWERS) -> dict:
    return {f"item_{n}": str(v) for n, v in enumerate(values, 1)}


@pytest.fixture
def lefs_request(client_record, treating):
    return services.questionnaire_request_create(client=client_record, measure=Measure.LEFS, by=treating)


@pytest.fixture
def submitted_lefs(lefs_request):
    services.questionnaire_submit(qrequest=lefs_request, data=lefs_post())
    lefs_request.refresh_from_db()
    return lefs_request


def intake_answers(yes: dict[str, str] | None = None) -> dict[str, tuple]:
    yes = yes or {}
    return {q.code: (q.code in yes, yes.get(q.code, ""), None) for q in QUESTIONS}


def intake_post(yes: dict[str, str] | None = None, **extra) -> dict:
    yes = yes or {}
    data = {}
    for q in QUESTIONS:
        data[f"q_{q.code}"] = "yes" if q.code in yes else "no"
        data[f"d_{q.code}"] = yes.get(q.code, "")
    return {**data, "consent_given": "on", "consented_by_role": "client", **extra}


@pytest.fixture
def pending_intake(client_record):
    return services.intake_submit(
        client=client_record,
        answers=intake_answers({"varicose": "Left calf."}),
        fields={"consent_given": True, "consented_by_role": "client", "medications": "None"},
    )
