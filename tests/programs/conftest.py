"""Builders for program tests. State is built through the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from programs import services
from programs.models import Exercise


@pytest.fixture
def library(db) -> dict[str, Exercise]:
    """The seeded library, by name."""
    return {e.name: e for e in Exercise.objects.all()}


@pytest.fixture
def issue(treating, library):
    """Builder: ``issue(client, ["Plantar-fascia stretch", ...])`` issues the next version."""

    def build(client, names, *, by=None, reasons=None, **issue_kwargs):
        by = by or treating
        draft = services.program_draft(client=client, by=by)
        for name in names:
            services.program_item_add(
                draft=draft, exercise=library[name], by=by, reason=(reasons or {}).get(name, "")
            )
        return services.program_issue(version=draft, by=by, **issue_kwargs)

    return build


@pytest.fixture
def flagged_assessment(treating, client_record):
    """A real assessment whose findings flag limited dorsiflexion, a positive
    windlass test, weak glute med, few heel raises and high first-step pain."""
    from assessments import services as assessment_services
    from assessments.services import AssessmentData, MeasurementInput

    def build(client=None):
        data = AssessmentData(
            assessed_on=date(2026, 9, 1),
            measurements=[
                MeasurementInput("knee_to_wall", "L", value=Decimal("6")),
                MeasurementInput("knee_to_wall", "R", value=Decimal("12")),
                MeasurementInput("heel_raise_reps", "L", value=Decimal("10")),
                MeasurementInput("heel_raise_reps", "R", value=Decimal("26")),
                MeasurementInput("windlass", "L", choice="pos", position="wb"),
                MeasurementInput("windlass", "R", choice="neg", position="wb"),
                MeasurementInput("mmt_glute_med", "L", choice="3"),
                MeasurementInput("mmt_glute_med", "R", choice="5"),
                MeasurementInput("nprs_first_step", value=Decimal("8")),
            ],
        )
        return assessment_services.assessment_create(client=client or client_record, by=treating, data=data)

    return build
