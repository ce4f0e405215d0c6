"""The services validate every row against the catalogue and write all or nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from assessments import services
from assessments.models import Assessment, Measurement, QuestionnaireResponse
from assessments.services import MarkInput, MeasurementInput, ResponseInput
from tests.assessments.conftest import make_data


def _create(client, by, **changes):
    data = make_data(on=date(2026, 9, 1))
    for key, value in changes.items():
        setattr(data, key, value)
    return services.assessment_create(client=client, by=by, data=data)


@pytest.mark.parametrize(
    "bad",
    [
        MeasurementInput("gait_cadence", "L", value=Decimal(110)),
        MeasurementInput("knee_to_wall", "", value=Decimal(10)),
        MeasurementInput("knee_to_wall", "X", value=Decimal(10)),
        MeasurementInput("knee_to_wall", "L", value=Decimal(99)),
        MeasurementInput("heel_raise_reps", "L", value=Decimal("12.5")),
        MeasurementInput("windlass", "L", choice="maybe"),
        MeasurementInput("no_such_measure", "", value=Decimal(1)),
        MeasurementInput("hip_ir", "L", value=Decimal(30), position="upside_down"),
    ],
)
def test_bad_measurement_is_refused_and_nothing_is_saved(client_record, treating, bad):
    with pytest.raises(ValidationError):
        _create(client_record, treating, measurements=[MeasurementInput("nprs_rest", value=Decimal(1)), bad])
    assert Assessment.objects.count() == 0
    assert Measurement.objects.count() == 0


def test_duplicate_rows_and_bad_marks_are_refused(client_record, treating):
    twice = [MeasurementInput("nprs_rest", value=Decimal(1)), MeasurementInput("nprs_rest", value=Decimal(2))]
    with pytest.raises(ValidationError, match="twice"):
        _create(client_record, treating, measurements=twice)
    with pytest.raises(ValidationError, match="region"):
        _create(client_record, treating, marks=[MarkInput("back", "wing", "L", "pain", 3)])
    with pytest.raises(ValidationError, match="0 to 10"):
        _create(client_record, treating, marks=[MarkInput("back", "calf", "L", "pain", 11)])
    # An answer outside the scale is a ValidationError, so a view shows it instead of failing.
    with pytest.raises(ValidationError, match="item 1"):
        _create(client_record, treating, responses=[ResponseInput("lefs", [9] * 20)])
    assert Assessment.objects.count() == 0


def test_only_therapists_record_assessments(client_record, desk):
    with pytest.raises(ValidationError):
        _create(client_record, desk)


def test_scores_are_computed_and_stored_with_their_version(client_record, treating):
    assessment = _create(
        client_record,
        treating,
        responses=[
            ResponseInput("faam_sports", [4, 4, 4, 4, 2, 2, 2, "NA"]),
            ResponseInput("ffi", [5] * 23, options={"method": "sum", "item_max": 10}),
            ResponseInput("fpi6", [2, 2, 2, 2, 1, 1], side="R"),
        ],
    )
    scores = {r.instrument: r for r in assessment.responses.all()}
    assert scores["faam_sports"].score == Decimal("78.57")
    assert scores["faam_sports"].items[-1] == "NA"
    assert scores["ffi"].score == Decimal("50.00")
    assert scores["ffi"].subscales == {"pain": 50.0, "disability": 50.0, "activity_limitation": 50.0}
    assert scores["ffi"].algorithm_version == "ffi-budimanmak1991-v1-sum-max10"
    assert scores["fpi6"].band == "highly pronated"
    assert assessment.measurements.get(code="fpi6_total", side="R").value == 10


def test_rows_cannot_be_added_under_a_signed_assessment_even_in_bulk(record):
    signed = record(signed=True)
    with pytest.raises(DatabaseError, match="kc_locked"), transaction.atomic():
        QuestionnaireResponse.objects.bulk_create(
            [QuestionnaireResponse(assessment=signed, instrument="psfs", items=[], algorithm_version="x")]
        )
