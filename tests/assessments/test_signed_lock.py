"""A signed assessment cannot change: not through the service, the model, a
QuerySet.update(), nor raw SQL against the database trigger."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction

from assessments import services
from assessments.models import Assessment, BodyChartMark, Measurement, QuestionnaireResponse
from audit.models import AuditEvent
from core.records import RecordLocked
from tests.assessments.conftest import make_data


@pytest.fixture
def signed(record):
    return record(signed=True)


def test_signing_records_who_when_and_the_signature_line(record, treating):
    assessment = record()
    services.assessment_sign(assessment=assessment, by=treating)
    assessment.refresh_from_db()
    assert assessment.signed_by == treating
    assert assessment.signature_line == "Treating Therapist, RMT"
    assert AuditEvent.objects.filter(action="sign", object_id=str(assessment.pk)).count() == 1


def test_signing_twice_is_a_no_op(signed, treating):
    first = signed.signed_at
    services.assessment_sign(assessment=signed, by=treating)
    signed.refresh_from_db()
    assert signed.signed_at == first
    assert AuditEvent.objects.filter(action="sign", object_id=str(signed.pk)).count() == 1


def test_sign_view_signs_and_edit_is_then_refused(as_treating, record):
    assessment = record()
    response = as_treating.post(f"/assessments/{assessment.pk}/sign/")
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.is_signed
    response = as_treating.get(f"/assessments/{assessment.pk}/edit/")
    assert response.status_code == 302
    response = as_treating.post(f"/assessments/{assessment.pk}/edit/", {"assessed_on": "2026-09-09"})
    assessment.refresh_from_db()
    assert assessment.assessed_on == date(2026, 9, 1)


def test_service_refuses_to_update_a_signed_assessment(signed, treating):
    with pytest.raises(RecordLocked):
        services.assessment_update(assessment=signed, by=treating, data=make_data(on=date(2026, 9, 9)))


def test_model_save_and_delete_refuse(signed):
    fresh = Assessment.objects.get(pk=signed.pk)
    fresh.assessed_on = date(2026, 9, 9)
    with pytest.raises(RecordLocked):
        fresh.save()
    with pytest.raises(RecordLocked):
        fresh.delete()
    row = Measurement.objects.filter(assessment=signed).first()
    row.detail = "changed"
    with pytest.raises(RecordLocked):
        row.save()


def test_queryset_update_and_delete_refuse(signed):
    with pytest.raises(RecordLocked):
        Assessment.objects.filter(pk=signed.pk).update(assessed_on=date(2026, 9, 9))
    with pytest.raises(RecordLocked):
        Measurement.objects.filter(assessment=signed).update(detail="x")
    with pytest.raises(RecordLocked):
        QuestionnaireResponse.objects.filter(assessment=signed).delete()
    with pytest.raises(RecordLocked):
        BodyChartMark.objects.filter(assessment=signed).update(intensity=0)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE assessments_assessment SET assessed_on = '2026-09-09' WHERE id = %s",
        "DELETE FROM assessments_assessment WHERE id = %s",
        "UPDATE assessments_measurement SET detail = 'x' WHERE assessment_id = %s",
        "DELETE FROM assessments_measurement WHERE assessment_id = %s",
        "UPDATE assessments_questionnaireresponse SET score = 80 WHERE assessment_id = %s",
        "UPDATE assessments_bodychartmark SET intensity = 0 WHERE assessment_id = %s",
        "INSERT INTO assessments_bodychartmark (assessment_id, view, region, side, symptom, intensity, note) "
        "VALUES (%s, 'back', 'calf', 'L', 'pain', 3, '')",
    ],
)
def test_raw_sql_is_stopped_by_the_database_trigger(signed, sql):
    with pytest.raises(DatabaseError, match="kc_locked"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [signed.pk])
    signed.refresh_from_db()
    assert signed.assessed_on == date(2026, 9, 1)
    assert (
        Measurement.objects.filter(assessment=signed).exclude(detail="x").count()
        == signed.measurements.count()
    )


def test_raw_sql_may_change_a_draft(record):
    draft = record()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE assessments_measurement SET detail = 'ok' WHERE assessment_id = %s", [draft.pk]
        )
    assert set(draft.measurements.values_list("detail", flat=True)) == {"ok"}


def test_history_keeps_the_versions(record, treating):
    assessment = record()
    services.assessment_update(assessment=assessment, by=treating, data=make_data(on=date(2026, 9, 2)))
    services.assessment_sign(assessment=assessment, by=treating)
    assert assessment.history.count() == 3
