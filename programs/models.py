"""Home programs: the exercise library, versioned per-client programs, adherence.

A program version is a SignableModel: issuing a version signs it, and from then
on the version and its items are locked at the model, queryset and database
layers. Revising a program starts a new draft copied from the issued version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.records import (
    LockedChildModel,
    LockedChildQuerySet,
    LockedQuerySet,
    SignableModel,
    TimeStampedModel,
)
from core.textlimits import LONG_TEXT, SHORT_TEXT

# How much free text each field accepts (core.textlimits), registered when the app starts.
TEXT_LIMITS: dict[str, dict[str, int]] = {
    "programs.exercise": {
        "steps": LONG_TEXT,
        "cues": SHORT_TEXT,
        "mistakes": SHORT_TEXT,
        "cautions": SHORT_TEXT,
    },
}

# Dosage bounds shared by the models' constraints and the forms' messages.
MAX_SETS = 10
MAX_REPS = 50
MAX_HOLD_SECONDS = 180
# Adherence drops as a home program grows; the builder warns above this many.
SENSIBLE_EXERCISE_COUNT = 6

MEASURE_CODES = [
    ("knee_to_wall", "Knee-to-wall (WBLT)"),
    ("df_knee_straight", "Dorsiflexion, knee straight"),
    ("df_knee_bent", "Dorsiflexion, knee bent"),
    ("heel_raise_reps", "Single-leg heel raise reps"),
    ("calf_tenderness", "Calf tenderness"),
    ("windlass", "Windlass test"),
    ("mct_tenderness", "Medial calcaneal tubercle tenderness"),
    ("fpi6_total", "Foot Posture Index (FPI-6)"),
    ("navicular_drop", "Navicular drop"),
    ("hip_ir", "Hip internal rotation"),
    ("hip_er", "Hip external rotation"),
    ("thomas_test", "Thomas test"),
    ("mmt_glute_med", "Glute med strength (MMT)"),
    ("mmt_glute_max", "Glute max strength (MMT)"),
    ("sl_bridge_reps", "Single-leg bridge reps"),
    ("trendelenburg", "Trendelenburg sign"),
    ("sl_squat_quality", "Single-leg squat quality"),
    ("gait_mode", "Gait: mode"),
    ("gait_foot_strike", "Gait: foot strike"),
    ("gait_cadence", "Gait: cadence"),
    ("gait_overstride", "Gait: overstriding"),
    ("gait_pelvic_drop", "Gait: pelvic drop"),
    ("gait_crossover", "Gait: cross-over"),
    ("gait_heel_eversion", "Gait: heel eversion"),
    ("gait_antalgic", "Gait: antalgic"),
    ("nprs_first_step", "First-step pain (NPRS)"),
    ("nprs_rest", "Pain at rest (NPRS)"),
    ("nprs_worst_24h", "Worst pain in 24 h (NPRS)"),
    ("nprs_activity", "Pain on activity (NPRS)"),
]


class Region(models.TextChoices):
    FOOT = "foot", "Foot / plantar fascia"
    CALF = "calf", "Ankle and calf"
    HIP = "hip", "Hip and glutes"
    BALANCE = "balance", "Balance"


class ExerciseKind(models.TextChoices):
    EXERCISE = "exercise", "Exercise"
    ADVICE = "advice", "Advice or self-care (the handout shows how often, not sets and reps)"


class SafetyTag(models.TextChoices):
    """What an exercise involves, in the vocabulary the clinic's safety rules use:
    a rule that forbids, say, ice for a client with reduced sensation refuses
    every exercise tagged ``ice``."""

    ICE = "ice", "Ice or cold"
    HEAT = "heat", "Heat"
    DEEP_FRICTION = "deep_friction", "Deep friction"
    DEEP_STRIPPING = "deep_stripping", "Deep stripping"
    PERCUSSION = "percussion", "Percussion device"
    CUPPING = "cupping", "Cupping"
    IASTM = "iastm", "Instrument-assisted soft-tissue work"
    LOADING = "loading", "Loading exercise"
    HEAVY_LOADING = "heavy_loading", "Heavy loading"
    LUBRICANT = "lubricant", "Lotion or oil on the skin"


def validate_safety_tags(value) -> None:
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise ValidationError("Safety tags must be a list of tags.")
    unknown = sorted(set(value) - set(SafetyTag.values))
    if unknown:
        raise ValidationError(f"Unknown safety tag: {', '.join(unknown)}.")
    if len(set(value)) != len(value):
        raise ValidationError("Each safety tag once.")


def safety_tag_labels(tags) -> list[str]:
    labels = dict(SafetyTag.choices)
    return [labels.get(tag, tag) for tag in tags]


class Side(models.TextChoices):
    LEFT = "L", "Left"
    RIGHT = "R", "Right"
    BOTH = "B", "Both sides"
    NONE = "", "Not side-specific"


class ExerciseQuerySet(models.QuerySet):
    def active(self) -> ExerciseQuerySet:
        return self.filter(is_active=True)

    def search(self, text: str = "", region: str = "") -> ExerciseQuerySet:
        qs = self
        for term in (text or "").split()[:4]:
            qs = qs.filter(Q(name__icontains=term) | Q(target__icontains=term) | Q(equipment__icontains=term))
        if region:
            qs = qs.filter(region=region)
        return qs

    def for_list(self) -> ExerciseQuerySet:
        return self.select_related("created_by").order_by(Lower("name"), "id")


class Exercise(TimeStampedModel):
    """One library exercise with its default dosage and the evidence behind it."""

    # Shown on client pages: a change re-renders them (clinic.record_version).
    record_version_everyone = True

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=ExerciseKind.choices, default=ExerciseKind.EXERCISE)
    region = models.CharField(max_length=10, choices=Region.choices)
    target = models.CharField(max_length=120, help_text="Tissue or quality trained, e.g. 'plantar fascia'.")
    position = models.CharField(max_length=200)
    equipment = models.CharField(max_length=200, blank=True)
    steps = models.TextField(help_text="One step per line; printed as a numbered list.")
    cues = models.TextField(blank=True, help_text="One cue per line.")
    mistakes = models.TextField(blank=True, help_text="Common mistakes, one per line.")
    sets = models.PositiveSmallIntegerField()
    reps = models.PositiveSmallIntegerField(null=True, blank=True)
    hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    tempo = models.CharField(max_length=80, blank=True, help_text="e.g. '3 s up, 2 s hold, 3 s down'.")
    frequency = models.CharField(max_length=80, help_text="e.g. 'every second day'.")
    dosage_note = models.CharField(
        max_length=300, blank=True, help_text="Progression over weeks, timing, or load advice."
    )
    progression = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="regressions_from"
    )
    regression = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="progressions_from"
    )
    citation = models.CharField(
        max_length=200, blank=True, help_text="Author and year, e.g. 'Rathleff 2015'."
    )
    dosage_confirmed = models.BooleanField(
        default=False, help_text="Untick when the reference marks the dosage [unconfirmed]."
    )
    cautions = models.TextField(
        blank=True,
        help_text="For the therapist: when to modify, stop or not give it. Never printed for the client.",
    )
    low_capacity = models.BooleanField(
        default=False,
        help_text=(
            "Gentle enough for an irritable heel: listed first when first-step pain is in the red band."
        ),
    )
    pronated_feet_only = models.BooleanField(
        default=False,
        help_text=(
            "Suggest only when the assessment shows a pronated foot "
            "(FPI-6 above +5 or navicular drop over 10 mm)."
        ),
    )
    safety_tags = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_safety_tags],
        help_text=(
            "What it involves (ice, heat, loading...): the client's safety rules are checked against these."
        ),
    )
    drawing = models.CharField(max_length=40, blank=True, help_text="Built-in line drawing.")
    illustration = models.ImageField(upload_to="exercises/", blank=True)
    video_url = models.URLField(blank=True, help_text="Printed on the handout as a QR code.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(default=True)

    objects = ExerciseQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="exercise_name_unique",
                violation_error_message="An exercise with this name is already in the library.",
            ),
            models.CheckConstraint(condition=Q(sets__gte=1, sets__lte=MAX_SETS), name="exercise_sets_range"),
            models.CheckConstraint(
                condition=Q(reps__isnull=False) | Q(hold_seconds__isnull=False),
                name="exercise_reps_or_hold",
            ),
            models.CheckConstraint(
                condition=Q(reps__isnull=True) | Q(reps__gte=1, reps__lte=MAX_REPS),
                name="exercise_reps_range",
            ),
            models.CheckConstraint(
                condition=Q(hold_seconds__isnull=True)
                | Q(hold_seconds__gte=1, hold_seconds__lte=MAX_HOLD_SECONDS),
                name="exercise_hold_range",
            ),
        ]
        indexes = [
            # Builder search: WHERE is_active AND region = ? ORDER BY lower(name).
            models.Index(fields=["is_active", "region"], name="exercise_region_filter"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programs:exercise_detail", args=[self.pk])

    @property
    def step_list(self) -> list[str]:
        return _lines(self.steps)

    @property
    def cue_list(self) -> list[str]:
        return _lines(self.cues)

    @property
    def mistake_list(self) -> list[str]:
        return _lines(self.mistakes)

    @property
    def dosage_text(self) -> str:
        if self.is_advice:
            return self.frequency
        return dosage_text(sets=self.sets, reps=self.reps, hold_seconds=self.hold_seconds)

    @property
    def is_advice(self) -> bool:
        return self.kind == ExerciseKind.ADVICE

    @property
    def caution_list(self) -> list[str]:
        return _lines(self.cautions)

    @property
    def safety_tag_labels(self) -> list[str]:
        return safety_tag_labels(self.safety_tags or [])


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def dosage_text(*, sets: int, reps: int | None, hold_seconds: int | None) -> str:
    parts = [f"{sets} set{'s' if sets != 1 else ''}"]
    if reps:
        parts.append(f"{reps} rep{'s' if reps != 1 else ''}")
    if hold_seconds:
        parts.append(f"hold {hold_seconds} s")
    return " × ".join(parts)


class FindingKind(models.TextChoices):
    ANY = "any", "Any flag"
    OUT_OF_NORM = "out_of_norm", "Out of norm"
    ASYMMETRY = "asymmetry", "Asymmetry"
    POSITIVE = "positive", "Positive test"
    HIGH_PAIN = "high_pain", "High pain"


class ExerciseIndicationQuerySet(models.QuerySet):
    def for_codes(self, codes) -> ExerciseIndicationQuerySet:
        return (
            self.filter(measure_code__in=list(codes), exercise__is_active=True)
            .select_related("exercise")
            .order_by("priority", "id")
        )


class ExerciseIndication(TimeStampedModel):
    """Which exercise serves which finding: a flagged measure (optionally of one
    kind) suggests the exercise, with the reason printed as the handout's "why"."""

    # Shown on client pages: a change re-renders them (clinic.record_version).
    record_version_everyone = True

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="indications")
    measure_code = models.CharField(max_length=40, choices=MEASURE_CODES)
    finding_kind = models.CharField(max_length=12, choices=FindingKind.choices, default=FindingKind.ANY)
    reason = models.CharField(max_length=200, help_text="Client-facing: why this exercise helps.")
    priority = models.PositiveSmallIntegerField(default=10, help_text="Lower comes first.")

    objects = ExerciseIndicationQuerySet.as_manager()

    class Meta:
        ordering = ["priority", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["exercise", "measure_code", "finding_kind"], name="indication_unique"
            ),
        ]
        indexes = [
            # Suggestions: WHERE measure_code IN (...) ORDER BY priority.
            models.Index(fields=["measure_code", "priority"], name="indication_by_code"),
        ]

    def __str__(self) -> str:
        return f"{self.measure_code}/{self.finding_kind} → exercise {self.exercise_id}"


class ReferralOptionQuerySet(models.QuerySet):
    def active(self) -> ReferralOptionQuerySet:
        return self.filter(is_active=True).order_by("order", "id")


class ReferralOption(TimeStampedModel):
    """Care outside massage scope that the therapist recommends and refers on
    (orthoses, night-splint fitting, shockwave, dry needling, injection). Shown
    as "refer / discuss with", never added to a program, never printed as an exercise."""

    # Shown on client pages: a change re-renders them (clinic.record_version).
    record_version_everyone = True

    name = models.CharField(max_length=120, unique=True)
    refer_to = models.CharField(max_length=160, help_text="Who to refer to or discuss it with.")
    reason = models.CharField(max_length=300, help_text="Plain reason, and when it is worth raising.")
    citation = models.CharField(max_length=200, help_text="Author and year of the evidence.")
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    objects = ReferralOptionQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class PainMonitoringRule(TimeStampedModel):
    """The clinic's traffic-light band edges (sources disagree on 2 vs 3)."""

    # Shown on client pages: a change re-renders them (clinic.record_version).
    record_version_everyone = True

    green_max = models.PositiveSmallIntegerField(default=2)
    amber_max = models.PositiveSmallIntegerField(default=5)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="painrule_singleton"),
            models.CheckConstraint(
                condition=Q(green_max__lt=models.F("amber_max"), amber_max__lte=9),
                name="painrule_band_order",
            ),
        ]

    def __str__(self) -> str:
        return f"0–{self.green_max} / {self.green_max + 1}–{self.amber_max} / >{self.amber_max}"

    @classmethod
    def load(cls) -> PainMonitoringRule:
        rule, _ = cls.objects.get_or_create(pk=1)
        return rule


class ProgramVersionQuerySet(LockedQuerySet):
    def for_client(self, client) -> ProgramVersionQuerySet:
        return self.filter(client=client)

    def issued(self) -> ProgramVersionQuerySet:
        return self.filter(signed_at__isnull=False)

    def latest_issued(self):
        return self.issued().order_by("-number").first()

    def with_items(self) -> ProgramVersionQuerySet:
        return self.select_related("client", "signed_by", "created_by").prefetch_related(
            models.Prefetch("items", queryset=ProgramItem.objects.select_related("exercise"))
        )


ProgramVersionManager = models.Manager.from_queryset(ProgramVersionQuerySet)


class ProgramVersion(SignableModel):
    """One version of a client's home program. Issuing it signs it: signed_at is
    the issue time and signed_by the therapist who issued it."""

    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="program_versions")
    number = models.PositiveIntegerField(null=True, blank=True, help_text="Set when issued: 1, 2, 3...")
    start_date = models.DateField(null=True, blank=True)
    review_date = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="revisions"
    )
    issued_at_visit = models.ForeignKey(
        "notes.VisitNote", on_delete=models.PROTECT, null=True, blank=True, related_name="program_versions"
    )
    # Optimistic locking of a draft: every change bumps it, and a form loaded at an
    # older revision (another tab) is refused instead of overwriting.
    revision = models.PositiveIntegerField(default=1)
    # "Refer / discuss with" recommendations made when the version was issued, as
    # they read then (name, who to, why): a later edit of the catalogue leaves
    # what the client was told unchanged, and the chart reads them with the version.
    referrals = models.JSONField(default=list, blank=True)

    objects: ClassVar[ProgramVersionManager[ProgramVersion]] = ProgramVersionManager()
    history = HistoricalRecords()
    # Set for one save to leave a change out of the history (a draft's revision bump).
    skip_history_when_saving: bool

    class Meta:
        ordering = ["client", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["client", "number"], name="programversion_number_unique"),
            models.UniqueConstraint(
                fields=["client"], condition=Q(signed_at__isnull=True), name="programversion_one_draft"
            ),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True) | Q(number__isnull=False, start_date__isnull=False),
                name="programversion_issued_complete",
            ),
            models.CheckConstraint(
                condition=Q(review_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(review_date__gte=models.F("start_date")),
                name="programversion_review_after_start",
            ),
        ]
        indexes = [
            # Batch print: WHERE signed_at >= today's start ORDER BY signed_at.
            models.Index(fields=["signed_at"], name="programversion_issued_on"),
        ]

    def __str__(self) -> str:
        if self.number:
            return f"Program v{self.number} for client {self.client_id}"
        return f"Draft program for client {self.client_id}"

    def get_absolute_url(self) -> str:
        return reverse("programs:version_detail", args=[self.pk])

    @property
    def is_issued(self) -> bool:
        return self.is_signed


class ProgramItemQuerySet(LockedChildQuerySet):
    def in_order(self) -> ProgramItemQuerySet:
        return self.select_related("exercise").order_by("position", "id")


ProgramItemManager = models.Manager.from_queryset(ProgramItemQuerySet)


class ProgramItem(LockedChildModel, TimeStampedModel):
    lock_parent_field = "version"

    version = models.ForeignKey(ProgramVersion, on_delete=models.CASCADE, related_name="items")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    sets = models.PositiveSmallIntegerField()
    reps = models.PositiveSmallIntegerField(null=True, blank=True)
    hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    tempo = models.CharField(max_length=80, blank=True)
    frequency = models.CharField(max_length=80)
    side = models.CharField(max_length=1, choices=Side.choices, blank=True, default=Side.NONE)
    load_note = models.CharField(max_length=200, blank=True)
    therapist_note = models.CharField(max_length=300, blank=True)
    reason = models.CharField(
        max_length=200, blank=True, help_text="Why this exercise, in the client's words."
    )
    source_code = models.CharField(
        max_length=40, blank=True, help_text="Measure code of the finding it serves."
    )
    # A therapist may give an exercise the client's safety rules advise against
    # only with a written reason; the rules it overrode are kept beside it.
    override_reason = models.CharField(max_length=500, blank=True)
    override_conflicts = models.JSONField(default=list, blank=True)

    objects: ClassVar[ProgramItemManager[ProgramItem]] = ProgramItemManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "exercise"],
                name="programitem_exercise_once",
                violation_error_message="This exercise is already in the program.",
            ),
            models.CheckConstraint(
                condition=Q(sets__gte=1, sets__lte=MAX_SETS), name="programitem_sets_range"
            ),
            models.CheckConstraint(
                condition=Q(reps__isnull=False) | Q(hold_seconds__isnull=False),
                name="programitem_reps_or_hold",
            ),
            models.CheckConstraint(
                condition=Q(reps__isnull=True) | Q(reps__gte=1, reps__lte=MAX_REPS),
                name="programitem_reps_range",
            ),
            models.CheckConstraint(
                condition=Q(hold_seconds__isnull=True)
                | Q(hold_seconds__gte=1, hold_seconds__lte=MAX_HOLD_SECONDS),
                name="programitem_hold_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Item {self.position} of version {self.version_id}"

    @property
    def dosage_text(self) -> str:
        if self.exercise.is_advice:
            return self.frequency
        return dosage_text(sets=self.sets, reps=self.reps, hold_seconds=self.hold_seconds)


class PainResponse(models.TextChoices):
    GREEN = "green", "Green: 0–2, fine"
    AMBER = "amber", "Amber: 3–5, settled by next morning"
    RED = "red", "Red: over 5 or not settled"


def pain_band_choices(green_max: int, amber_max: int) -> list[tuple[str, str]]:
    """The pain-response choices with the given band edges."""
    g, a = green_max, amber_max
    return [
        (PainResponse.GREEN, f"Green: 0–{g}, fine"),
        (PainResponse.AMBER, f"Amber: {g + 1}–{a}, settled by next morning"),
        (PainResponse.RED, f"Red: over {a} or not settled"),
    ]


def pain_response_choices(rule: PainMonitoringRule) -> list[tuple[str, str]]:
    """The pain-response choices with the clinic's configured band edges (the
    labels above show the defaults)."""
    return pain_band_choices(rule.green_max, rule.amber_max)


class AdherenceQuerySet(LockedChildQuerySet):
    def for_client(self, client) -> AdherenceQuerySet:
        return self.filter(client=client).select_related("item__exercise").order_by("recorded_on", "id")

    def chart_points(self, client, *, latest: int) -> list[AdherencePoint]:
        """The client's ``latest`` rows in date order, as plain values for the
        chart (1 query; no model instances, which cost ten times the SQL)."""
        rows = (
            self.filter(client=client)
            .order_by("-recorded_on", "-id")
            .values_list(
                "recorded_on", "days_per_week", "pain_response", "item__position", "item__exercise__name"
            )
        )
        return [AdherencePoint(*row) for row in list(rows[:latest])[::-1]]


@dataclass(frozen=True)
class AdherencePoint:
    recorded_on: date
    days_per_week: int
    pain_response: str
    position: int
    exercise: str

    @property
    def badge_class(self) -> str:
        return PAIN_BADGES.get(self.pain_response, "text-bg-light")


AdherenceManager = models.Manager.from_queryset(AdherenceQuerySet)


class Adherence(LockedChildModel, TimeStampedModel):
    """What the client did since the last visit, per program item. Rows recorded
    at a visit lock with that visit's note when it is signed."""

    lock_parent_field = "visit"

    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(ProgramItem, on_delete=models.PROTECT, related_name="adherence")
    visit = models.ForeignKey(
        "notes.VisitNote", on_delete=models.PROTECT, null=True, blank=True, related_name="program_adherence"
    )
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    days_per_week = models.PositiveSmallIntegerField()
    pain_response = models.CharField(max_length=5, choices=PainResponse.choices)
    # The clinic's pain bands when the row was recorded: "amber" keeps the meaning
    # it had for the client then, whatever the bands are later changed to.
    green_max = models.PositiveSmallIntegerField(default=2)
    amber_max = models.PositiveSmallIntegerField(default=5)
    comment = models.CharField(max_length=200, blank=True)

    objects: ClassVar[AdherenceManager[Adherence]] = AdherenceManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["recorded_on", "id"]
        constraints = [
            # A row belongs to exactly one visit note: saving one note's adherence
            # never touches another note's rows, even on the same day.
            models.UniqueConstraint(
                fields=["item", "visit"], condition=Q(visit__isnull=False), name="adherence_once_per_visit"
            ),
            # Recorded from the program page (no visit): one row per exercise a day.
            models.UniqueConstraint(
                fields=["item", "recorded_on"],
                condition=Q(visit__isnull=True),
                name="adherence_once_per_day_unlinked",
            ),
            models.CheckConstraint(condition=Q(days_per_week__lte=7), name="adherence_days_range"),
            models.CheckConstraint(
                condition=Q(green_max__lt=models.F("amber_max"), amber_max__lte=9),
                name="adherence_band_order",
            ),
        ]
        indexes = [
            # Adherence chart: WHERE client_id = ? ORDER BY recorded_on.
            models.Index(fields=["client", "recorded_on"], name="adherence_by_client"),
        ]

    def __str__(self) -> str:
        return f"Adherence {self.recorded_on} item {self.item_id}"

    @property
    def pain_label(self) -> str:
        """The pain response in the bands that were in force when it was recorded."""
        return dict(pain_band_choices(self.green_max, self.amber_max)).get(
            self.pain_response, self.pain_response
        )

    @property
    def badge_class(self) -> str:
        return PAIN_BADGES.get(self.pain_response, "text-bg-light")


PAIN_BADGES = {"green": "text-bg-success", "amber": "text-bg-warning", "red": "text-bg-danger"}
