"""Builders for progress-report tests: a client with a history of signed visits
and assessments, built through the notes and assessments services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from reports import services
from reports.models import ProgressReport

INCLUDE_ALL = {"pain": True, "scores": True, "chain": True, "program": True, "treatment": True}
VISIT = {
    "screen_changed": "no",
    "chief_complaint": "Left heel pain on first steps.",
    "nprs_rest": 2,
    "nprs_worst_24h": 7,
    "objective": "Calf tone increased.",
    "analysis": "Calf and plantar fascia tone high; dorsiflexion limited on the left.",
    "plan_next": "Progress calf loading.",
    "goals": "First-step pain 2/10 or less within 6 weeks.\nWalk 60 minutes without pain.",
    "frequency": "Weekly",
}


@pytest.fixture
def screened_client(client_record, treating):
    from clinic.screening import QUESTIONS
    from clinic.services import health_screen_record

    health_screen_record(
        client=client_record,
        by=treating,
        answers={q.code: (False, "") for q in QUESTIONS},
        consent_given=True,
    )
    return client_record


def _visit(client, therapist, *, days_ago: int, first_step: int, kind: str = "follow_up", **extra):
    from notes import services as notes
    from notes.models import BodyRegion, Technique

    note = notes.note_create(
        client=client,
        by=therapist,
        service_at=timezone.now() - timedelta(days=days_ago, hours=1),
        template="",
        copy_forward=False,
    )
    note = notes.note_update(
        note=note,
        by=therapist,
        data={**VISIT, "nprs_first_step": first_step, "kind": kind, **extra},
        version=note.version,
    )
    for technique, region in (("sports_massage", "gastroc_medial"), ("myofascial_release", "plantar_fascia")):
        notes.treatment_add(
            note=note,
            by=therapist,
            data={
                "technique": Technique.objects.get(code=technique),
                "region": BodyRegion.objects.get(code=region),
                "side": "L",
                "minutes": 10,
                "pressure": 3,
                "response": "eased",
            },
        )
    return notes.note_sign(note=note, by=therapist)


def _assessment(client, therapist, *, days_ago: int, lefs: int, ktw: str):
    from assessments import services as assessments
    from assessments.services import AssessmentData, MeasurementInput, ResponseInput

    data = AssessmentData(
        assessed_on=timezone.localdate() - timedelta(days=days_ago),
        measurements=[
            MeasurementInput("knee_to_wall", "L", value=Decimal(ktw)),
            MeasurementInput("knee_to_wall", "R", value=Decimal("12")),
        ],
        responses=[ResponseInput("lefs", [lefs] * 20)],
    )
    assessment = assessments.assessment_create(client=client, by=therapist, data=data)
    return assessments.assessment_sign(assessment=assessment, by=therapist)


@pytest.fixture
def history(screened_client, treating):
    """Three signed visits (first-step pain 7, 5, 3) and two signed assessments
    (LEFS 40 then 60; knee-to-wall left 6 then 10 cm) over three weeks."""
    _assessment(screened_client, treating, days_ago=21, lefs=2, ktw="6")
    for days_ago, first_step in ((21, 7), (14, 5), (2, 3)):
        _visit(screened_client, treating, days_ago=days_ago, first_step=first_step)
    _assessment(screened_client, treating, days_ago=2, lefs=3, ktw="10")
    return screened_client


@pytest.fixture
def make_report(history, treating):
    def build(*, audience=ProgressReport.Audience.CLIENT, by=None, days=30, **extra):
        today = timezone.localdate()
        return services.report_create(
            client=history,
            audience=audience,
            period_start=today - timedelta(days=days),
            period_end=today,
            includes=INCLUDE_ALL,
            by=by or treating,
            **extra,
        )

    return build


@pytest.fixture
def letter(make_report):
    return make_report(
        audience=ProgressReport.Audience.REFERRER,
        recipient_name="Dr Aisha Patel",
        recipient_address="Northside Medical Practice\n2 Station Road\nNS1 2CD",
    )
