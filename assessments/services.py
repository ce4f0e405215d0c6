"""Writes for assessments. Each service runs in one transaction and writes an audit row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessments import bodychart, catalogue, scoring
from assessments.catalogue import ValueType
from assessments.models import Assessment, BodyChartMark, Measurement, QuestionnaireResponse
from audit.log import audit_record
from clinic.authorship import acting_detail, check_author, signature_line_for
from clinic.dates import check_clinical_date
from core.errors import Conflict
from core.records import RecordLocked


@dataclass(frozen=True)
class MeasurementInput:
    code: str
    side: str = ""
    status: str = Measurement.Status.RECORDED
    value: Decimal | None = None
    choice: str = ""
    position: str = ""
    detail: str = ""


@dataclass(frozen=True)
class MarkInput:
    view: str
    region: str
    side: str
    symptom: str
    intensity: int
    note: str = ""


@dataclass(frozen=True)
class ResponseInput:
    """Raw answers. Numbers, None (unanswered) or "NA". PSFS items are
    {"key", "label", "rating"} dicts."""

    instrument: str
    items: list[Any]
    side: str = ""
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class AssessmentData:
    assessed_on: date
    findings: dict[str, str] = field(default_factory=dict)
    measurements: list[MeasurementInput] = field(default_factory=list)
    marks: list[MarkInput] = field(default_factory=list)
    responses: list[ResponseInput] = field(default_factory=list)


class AssessmentConflict(Conflict):
    """The draft was saved elsewhere (another tab or device) after this copy was loaded."""

    message = (
        "This assessment was saved in another tab or window after you opened it. Your changes "
        "were NOT saved, so nothing was overwritten: they are still in the form below, and the "
        "saved version is shown above it. Compare the two; saving again replaces the saved "
        "version with what is in the form."
    )


NOT_AUTHOR = "Only the therapist who recorded this assessment can change or sign it."
SIGN_CONFLICT = (
    "This assessment was changed in another tab or window after this page was opened, so it was "
    "NOT signed. Review the saved version below, then sign again."
)


def _from_storage(answer: Any) -> Any:
    return scoring.NA if answer == "NA" else answer


INSTRUMENT_NAMES = {
    "lefs": "LEFS",
    "faam_adl": "FAAM ADL",
    "faam_sports": "FAAM Sports",
    "psfs": "PSFS",
    "fpi6": "FPI-6",
    "ffi": "FFI",
}


def score_response(instrument: str, items: list[Any], options: dict[str, Any]) -> scoring.ScoreResult:
    """Score stored raw answers with the instrument's scoring function."""
    if instrument == "psfs":
        return scoring.score_psfs([_from_storage(item.get("rating")) for item in items])
    answers = [_from_storage(a) for a in items]
    if instrument == "lefs":
        return scoring.score_lefs(answers)
    if instrument == "faam_adl":
        return scoring.score_faam(answers, "adl")
    if instrument == "faam_sports":
        return scoring.score_faam(answers, "sports")
    if instrument == "fpi6":
        return scoring.score_fpi6(answers)
    if instrument == "ffi":
        return scoring.score_ffi(
            answers, method=options.get("method", "sum"), item_max=int(options.get("item_max", 10))
        )
    raise ValidationError(f"Unknown questionnaire {instrument!r}.")


def _quantize(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


def validate_measurement(item: MeasurementInput) -> None:
    """Raise ValidationError when a row does not fit its catalogue entry."""
    measure = catalogue.BY_CODE.get(item.code)
    if measure is None:
        raise ValidationError(f"Unknown measure {item.code!r}.")
    if item.side not in measure.sides:
        where = "left or right" if measure.per_side else "a single value, not per side"
        raise ValidationError(f"{measure.label} is recorded as {where}.")
    if item.status == Measurement.Status.NOT_TESTED:
        return
    if measure.is_numeric or measure.value_type == ValueType.COUNT_OF:
        if item.value is None:
            raise ValidationError(f"{measure.label}: enter a number.")
        # Every numeric and count measure in the catalogue has a range.
        assert measure.min_value is not None and measure.max_value is not None
        if not measure.min_value <= item.value <= measure.max_value:
            raise ValidationError(f"{measure.label}: enter a value in {measure.range_text}.")
        whole = (ValueType.INTEGER, ValueType.DOMAINS, ValueType.COUNT_OF)
        if measure.value_type in whole and item.value != int(item.value):
            raise ValidationError(f"{measure.label}: enter a whole number.")
    elif item.choice not in dict(measure.choices):
        raise ValidationError(f"{measure.label}: choose one of the listed options.")
    if measure.value_type == ValueType.COUNT_OF:
        max_sites = measure.extra.get("max_sites", 3)
        tested = item.detail.strip()
        if not tested.isdigit() or not 1 <= int(tested) <= max_sites:
            raise ValidationError(f"{measure.label}: say how many sites were tested (1 to {max_sites}).")
        assert item.value is not None  # a count was required above
        if item.value > int(tested):
            raise ValidationError(f"{measure.label}: more sites felt ({item.value}) than tested ({tested}).")
    if item.position and item.position not in dict(measure.positions):
        raise ValidationError(f"{measure.label}: unknown position {item.position!r}.")
    if measure.requires_position and not item.position:
        raise ValidationError(
            f"{measure.label}: record the test position ({', '.join(n for _, n in measure.positions)})."
        )


def validate_response(resp: ResponseInput, result: scoring.ScoreResult) -> None:
    """Refuse a FAAM subscale answered below its published minimum: it has no
    score, and a form saved without one would look complete (R2.2.5)."""
    if resp.instrument in ("faam_adl", "faam_sports") and result.value is None:
        assert result.reason is not None  # an unscored result always says why
        raise ValidationError(result.reason)


def _score_or_refuse(resp: ResponseInput) -> scoring.ScoreResult:
    """Score the answers; a value the scale does not allow becomes a ValidationError
    in plain words (a decimal PSFS rating, an answer outside the item's range)."""
    try:
        result = score_response(resp.instrument, resp.items, resp.options)
    except ValueError as exc:
        if resp.instrument == "psfs":
            raise ValidationError(
                f"PSFS ratings are whole numbers from 0 to 10 ({exc}).", code="psfs_rating"
            ) from exc
        raise ValidationError(f"{exc}.") from exc
    validate_response(resp, result)
    return result


def derived_bmi(measurements: list[MeasurementInput]) -> MeasurementInput | None:
    """BMI from this assessment's height and weight, or None when either is missing.
    Refused when the pair gives a BMI outside the catalogue's valid range."""
    given = {(m.code, m.side): m for m in measurements if m.status == Measurement.Status.RECORDED}
    height, weight = given.get(("height_cm", "")), given.get(("weight_kg", ""))
    if height is None or weight is None or height.value is None or weight.value is None:
        return None
    value = Decimal(str(round(scoring.bmi(height.value, weight.value), 1)))
    measure = catalogue.get("bmi")
    assert measure.min_value is not None and measure.max_value is not None
    if not measure.min_value <= value <= measure.max_value:
        raise ValidationError(
            f"Height {height.value} cm and weight {weight.value} kg give a BMI of {value}, "
            f"outside {measure.range_text}: check both."
        )
    return MeasurementInput(code="bmi", value=value)


def _clean_row(row) -> None:
    """Field validation without queries. The parent is the assessment just saved
    (so the foreign-key check is skipped), and the table constraints are enforced
    by ``validate_measurement``, the duplicate checks here and the database itself:
    Django's per-row constraint validation would cost a query per constraint."""
    row.full_clean(exclude=["assessment"], validate_constraints=False)


def _write_rows(assessment: Assessment, data: AssessmentData) -> None:
    """Insert all child rows of a draft assessment: one INSERT per table.

    ``bulk_create`` skips ``LockedChildModel.save()``; that is safe because the
    callers hold a freshly created or row-locked draft, and the database trigger
    still refuses rows under a signed assessment."""
    seen = set()
    derived: list[MeasurementInput] = []
    responses = []
    for resp in data.responses:
        key = (resp.instrument, resp.side)
        if key in seen:
            raise ValidationError(f"{resp.instrument} {resp.side} entered twice.")
        seen.add(key)
        result = _score_or_refuse(resp)
        responses.append((resp, result))
        if resp.instrument == "fpi6" and result.value is not None:
            derived.append(MeasurementInput(code="fpi6_total", side=resp.side, value=Decimal(result.value)))
    bmi_row = derived_bmi(list(data.measurements))
    if bmi_row is not None:
        derived.append(bmi_row)
    given = {(m.code, m.side) for m in data.measurements}
    measurements = list(data.measurements) + [d for d in derived if (d.code, d.side) not in given]
    seen = set()
    rows = []
    for item in measurements:
        validate_measurement(item)
        key = (item.code, item.side)
        if key in seen:
            raise ValidationError(f"{item.code} {item.side} entered twice.")
        seen.add(key)
        measure = catalogue.get(item.code)
        value = item.value
        if measure.value_type == ValueType.GRADE and item.status == Measurement.Status.RECORDED:
            value = catalogue.GRADE_VALUES[item.choice]
        row = Measurement(
            assessment=assessment,
            code=item.code,
            side=item.side,
            status=item.status,
            value=None if item.status == Measurement.Status.NOT_TESTED else value,
            choice="" if item.status == Measurement.Status.NOT_TESTED else item.choice,
            position=item.position,
            detail=item.detail,
        )
        _clean_row(row)
        rows.append(row)
    Measurement.objects.bulk_create(rows)
    marks = []
    for mark in data.marks:
        if not bodychart.is_valid_spot(mark.view, mark.region, mark.side):
            raise ValidationError("Unknown body-chart region.")
        if not 0 <= mark.intensity <= 10:
            raise ValidationError("Body-chart intensity must be 0 to 10.")
        mark_row = BodyChartMark(assessment=assessment, **mark.__dict__)
        _clean_row(mark_row)
        marks.append(mark_row)
    BodyChartMark.objects.bulk_create(marks)
    answers = []
    for resp, result in responses:
        answer = QuestionnaireResponse(
            assessment=assessment,
            instrument=resp.instrument,
            side=resp.side,
            items=resp.items,
            options=resp.options,
            score=_quantize(result.value),
            subscales={k: (round(v, 2) if v is not None else None) for k, v in result.subscales.items()},
            band=result.band or "",
            reason=result.reason or "",
            algorithm_version=result.algorithm_version,
        )
        _clean_row(answer)
        answers.append(answer)
    QuestionnaireResponse.objects.bulk_create(answers)


def _clean_findings(findings: dict[str, str]) -> dict[str, str]:
    return {k: v.strip() for k, v in findings.items() if k in catalogue.Region.LABELS and v and v.strip()}


def assessment_create(*, client, by, data: AssessmentData) -> Assessment:
    """Record a new assessment with all its rows, or nothing at all."""
    if not by.is_therapist:
        raise ValidationError("Only a therapist records assessments.")
    check_clinical_date(data.assessed_on, client=client, field="assessed_on")
    with transaction.atomic():
        assessment = Assessment(
            client=client, therapist=by, assessed_on=data.assessed_on, findings=_clean_findings(data.findings)
        )
        assessment.full_clean()
        assessment.save()
        _write_rows(assessment, data)
        audit_record(
            actor=by,
            action="create",
            client=client,
            target=assessment,
            detail={"measurements": len(data.measurements), "questionnaires": len(data.responses)},
        )
    return assessment


def _author(current: Assessment, by):
    """The assessment's author, fetched only when a named supervisor is the one writing."""
    return by if current.therapist_id == by.pk else current.therapist


def _fresh_draft(assessment: Assessment, by, version: int | None) -> Assessment:
    """Reload the assessment for writing (row lock on PostgreSQL) and check that it
    is a draft, that ``by`` wrote it and, when ``version`` is given, that nobody
    saved it since that version was loaded."""
    # Only the assessment's row is locked: joining the client here would lock the
    # client's row too and order locks differently from other writers.
    current = Assessment.objects.select_for_update(no_key=True).get(pk=assessment.pk)
    current.client = assessment.client
    if current.is_signed:
        raise RecordLocked()
    check_author(author_id=current.therapist_id, by=by, message=NOT_AUTHOR)
    if version is not None and int(version) != current.version:
        raise AssessmentConflict()
    return current


def assessment_update(
    *,
    assessment: Assessment,
    by,
    data: AssessmentData,
    version: int | None = None,
    autosave: bool = False,
) -> Assessment:
    """Replace a draft assessment's contents. Signed assessments are refused, and
    so is anyone but the therapist who recorded it. ``version`` is the one the
    form was loaded at: a stale save raises AssessmentConflict and writes nothing.
    ``autosave`` marks a background save made while the therapist types."""
    if assessment.is_signed:
        raise RecordLocked()
    with transaction.atomic():
        # Lock the row so a concurrent sign or save cannot slip between the check and the write.
        current = _fresh_draft(assessment, by, version)
        check_clinical_date(data.assessed_on, client=current.client, field="assessed_on")
        current.assessed_on = data.assessed_on
        current.findings = _clean_findings(data.findings)
        current.version += 1
        current.full_clean()
        current.save(update_fields=["assessed_on", "findings", "version", "updated_at"])
        current.measurements.all().delete()
        current.marks.all().delete()
        current.responses.all().delete()
        _write_rows(current, data)
        audit_record(
            actor=by,
            action="update",
            client=current.client_id,
            target=current,
            detail={
                **acting_detail(author=_author(current, by), by=by),
                **({"autosave": True} if autosave else {}),
            },
        )
    for name in ("assessed_on", "findings", "version", "updated_at"):
        setattr(assessment, name, getattr(current, name))
    return assessment


def assessment_sign(*, assessment: Assessment, by, version: int | None = None) -> Assessment:
    """Sign and lock an assessment: only the therapist who recorded it signs it.
    Signing one that is already signed does nothing. ``version`` (the one the
    page showed) refuses to sign content changed since in another tab."""
    if assessment.is_signed:
        return assessment
    with transaction.atomic():
        current = Assessment.objects.select_for_update(no_key=True).get(pk=assessment.pk)
        if current.is_signed:
            return current
        check_author(author_id=current.therapist_id, by=by, message=NOT_AUTHOR)
        if version is not None and int(version) != current.version:
            raise AssessmentConflict()
        author = _author(current, by)
        assessment.signed_at = timezone.now()
        assessment.signed_by = by
        assessment.signature_line = signature_line_for(author=author, by=by)
        assessment.save(update_fields=["signed_at", "signed_by", "signature_line", "updated_at"])
        audit_record(
            actor=by,
            action="sign",
            client=assessment.client_id,
            target=assessment,
            detail=acting_detail(author=author, by=by),
        )
    return assessment
