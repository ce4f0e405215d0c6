"""Kinetic-chain assessments: one record per assessment, with its measurements,
body-chart marks and questionnaire responses stored as rows.

Which measures exist is defined in ``assessments.catalogue`` (code), so adding a
measure needs no migration. Signing an assessment locks it and all its rows at
the model and the database level (``core.records``).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.records import (
    LockedChildManager,
    LockedChildModel,
    LockedQuerySet,
    SignableModel,
)


class Side(models.TextChoices):
    LEFT = "L", "Left"
    RIGHT = "R", "Right"
    NONE = "", "Single"


class AssessmentQuerySet(LockedQuerySet):
    def for_client(self, client) -> AssessmentQuerySet:
        return self.filter(client=client)

    def chronological(self) -> AssessmentQuerySet:
        return self.order_by("assessed_on", "id")

    def with_rows(self) -> AssessmentQuerySet:
        """Everything a detail, comparison or chart needs, in a fixed number of queries."""
        return self.select_related("therapist", "signed_by").prefetch_related(
            "measurements", "marks", "responses"
        )


AssessmentManager = models.Manager.from_queryset(AssessmentQuerySet)


class Assessment(SignableModel):
    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="assessments")
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    assessed_on = models.DateField()
    # Free text per region: {"foot": "...", "hip": "..."}; keys are catalogue regions.
    findings = models.JSONField(default=dict, blank=True)
    # Optimistic locking: a save from a stale form (another tab) is refused.
    version = models.PositiveIntegerField(default=1)

    objects: ClassVar[AssessmentManager[Assessment]] = AssessmentManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [
            # Client chart, compare and flagged_findings: WHERE client_id = ? ORDER BY assessed_on, id.
            models.Index(fields=["client", "assessed_on", "id"], name="assessment_client_date"),
        ]

    def __str__(self) -> str:
        return f"Assessment {self.assessed_on:%Y-%m-%d} (client {self.client_id})"

    def get_absolute_url(self) -> str:
        return reverse("assessment_detail", args=[self.pk])


class Measurement(LockedChildModel):
    class Status(models.TextChoices):
        RECORDED = "recorded", "Recorded"
        NOT_TESTED = "not_tested", "Not tested"

    lock_parent_field = "assessment"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="measurements")
    code = models.CharField(max_length=40)
    side = models.CharField(max_length=1, choices=Side.choices, blank=True, default=Side.NONE)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECORDED)
    # Numeric value (also the ordinal of an MMT grade, or the count of poor squat domains).
    value = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    # The recorded option for pos/neg, choice and grade measures ("pos", "rearfoot", "4+").
    choice = models.CharField(max_length=20, blank=True)
    position = models.CharField(max_length=20, blank=True)
    # Extra detail, e.g. the poor single-leg-squat domains as a comma list.
    detail = models.CharField(max_length=200, blank=True)

    objects: ClassVar[LockedChildManager[Measurement]] = LockedChildManager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "code", "side"], name="measurement_one_per_side"),
            models.CheckConstraint(condition=Q(side__in=["L", "R", ""]), name="measurement_side_valid"),
            models.CheckConstraint(
                condition=Q(status="recorded") | Q(status="not_tested", value__isnull=True, choice=""),
                name="measurement_not_tested_is_empty",
            ),
            models.CheckConstraint(
                condition=Q(status="not_tested") | Q(value__isnull=False) | ~Q(choice=""),
                name="measurement_recorded_has_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.side or '-'}: {self.value if self.value is not None else self.choice}"

    @property
    def not_tested(self) -> bool:
        return self.status == self.Status.NOT_TESTED


class BodyChartMark(LockedChildModel):
    class View(models.TextChoices):
        FRONT = "front", "Front"
        BACK = "back", "Back"
        PLANTAR = "plantar", "Sole of foot"

    class Symptom(models.TextChoices):
        PAIN = "pain", "Pain"
        TIGHTNESS = "tightness", "Tightness"
        NUMBNESS = "numbness", "Numbness / tingling"
        TRIGGER_POINT = "trigger_point", "Trigger point"

    lock_parent_field = "assessment"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="marks")
    view = models.CharField(max_length=8, choices=View.choices)
    region = models.CharField(max_length=40)
    side = models.CharField(max_length=1, choices=Side.choices, blank=True, default=Side.NONE)
    symptom = models.CharField(max_length=16, choices=Symptom.choices)
    intensity = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=200, blank=True)

    objects: ClassVar[LockedChildManager[BodyChartMark]] = LockedChildManager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(intensity__gte=0, intensity__lte=10), name="mark_intensity_0_10"
            ),
            models.CheckConstraint(condition=Q(side__in=["L", "R", ""]), name="mark_side_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_symptom_display()} {self.region} {self.side} {self.intensity}/10"


class QuestionnaireResponse(LockedChildModel):
    class Instrument(models.TextChoices):
        LEFS = "lefs", "LEFS"
        FAAM_ADL = "faam_adl", "FAAM ADL"
        FAAM_SPORTS = "faam_sports", "FAAM Sports"
        PSFS = "psfs", "PSFS"
        FPI6 = "fpi6", "FPI-6"
        FFI = "ffi", "FFI"

    lock_parent_field = "assessment"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="responses")
    instrument = models.CharField(max_length=12, choices=Instrument.choices)
    side = models.CharField(max_length=1, choices=Side.choices, blank=True, default=Side.NONE)
    # Raw answers in item order: numbers, null (unanswered) or "NA". PSFS stores
    # [{"key": ..., "label": ..., "rating": ...}] so activities are re-rated by key.
    items = models.JSONField(default=list)
    # Computed by assessments.scoring, never typed in.
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    subscales = models.JSONField(default=dict, blank=True)
    band = models.CharField(max_length=20, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    options = models.JSONField(default=dict, blank=True)
    algorithm_version = models.CharField(max_length=40)

    objects: ClassVar[LockedChildManager[QuestionnaireResponse]] = LockedChildManager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "instrument", "side"], name="response_one_per_instrument_side"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_instrument_display()} {self.side}: {self.score}"
