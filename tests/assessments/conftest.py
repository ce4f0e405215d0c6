"""Builders for assessment tests. State is built through the services."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from assessments import services
from assessments.services import AssessmentData, MarkInput, MeasurementInput, ResponseInput


def make_data(*, on: date, stage: float = 0.0) -> AssessmentData:
    """A full assessment; ``stage`` 0 is a restricted left side, 1 is recovered."""

    def lerp(a, b, places=1):
        return Decimal(str(round(a + (b - a) * stage, places)))

    return AssessmentData(
        assessed_on=on,
        findings={"foot": "Tender at the heel.", "hip": ""},
        measurements=[
            MeasurementInput("knee_to_wall", "L", value=lerp(7, 11.5)),
            MeasurementInput("knee_to_wall", "R", value=Decimal("12")),
            MeasurementInput("heel_raise_reps", "L", value=lerp(12, 25, 0)),
            MeasurementInput("heel_raise_reps", "R", value=Decimal("26")),
            MeasurementInput("windlass", "L", choice="pos" if stage < 1 else "neg", position="wb"),
            MeasurementInput("windlass", "R", choice="neg", position="wb"),
            MeasurementInput("mmt_glute_med", "L", choice="4-" if stage < 1 else "5"),
            MeasurementInput("mmt_glute_med", "R", choice="5"),
            MeasurementInput("hip_ir", "L", status="not_tested"),
            MeasurementInput("gait_cadence", value=Decimal("110")),
            MeasurementInput("nprs_first_step", value=lerp(7, 2, 0)),
        ],
        responses=[
            ResponseInput("lefs", [2 if stage < 1 else 4] * 20),
            ResponseInput("psfs", [{"key": "running", "label": "Running", "rating": 3 if stage < 1 else 8}]),
            ResponseInput("fpi6", [1, 1, 1, 1, 1, 1], side="L"),
        ],
        marks=[MarkInput("plantar", "plantar_heel", "L", "pain", 7 if stage < 1 else 2)],
    )


@pytest.fixture
def record(treating, client_record):
    """Builder: ``record(on=..., stage=..., signed=False)`` creates an assessment."""

    def build(*, on: date | None = None, stage: float = 0.0, signed: bool = False, client=None, by=None):
        on = on or date(2026, 9, 1)
        assessment = services.assessment_create(
            client=client or client_record, by=by or treating, data=make_data(on=on, stage=stage)
        )
        if signed:
            services.assessment_sign(assessment=assessment, by=by or treating)
        return assessment

    return build


@pytest.fixture
def history(record):
    """Twenty-one assessments a week apart (20 prior + the latest)."""

    def build(count: int = 21):
        start = date(2026, 3, 1)
        return [
            record(on=start + timedelta(days=7 * i), stage=i / max(count - 1, 1), signed=i < count - 1)
            for i in range(count)
        ]

    return build
