"""Visit notes: structured SOAP, the treatment log, palpation findings and amendments.

A note is a draft until its therapist signs it; from then on the note, its
treatment rows and its palpation rows are locked at every layer (see
``core.records``). Later changes are Amendment rows, each signed on its own.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from simple_history.models import HistoricalRecords

from clinic.models import Client, ClinicProfile
from core.records import (
    InsertOnlyModel,
    LockedChildModel,
    LockedChildQuerySet,
    LockedQuerySet,
    RecordLocked,
    SignableModel,
    TimeStampedModel,
)
from core.textlimits import LONG_TEXT, NOTE_TEXT, SHORT_TEXT

# How much free text each field accepts (core.textlimits), registered when the app starts.
TEXT_LIMITS: dict[str, dict[str, int]] = {
    "notes.visitnote": {
        "chief_complaint": SHORT_TEXT,
        "focus": SHORT_TEXT,
        "subjective": NOTE_TEXT,
        "objective": NOTE_TEXT,
        "analysis": NOTE_TEXT,
        "plan_next": LONG_TEXT,
        "goals": LONG_TEXT,
        "referrals": SHORT_TEXT,
        "discharge_detail": SHORT_TEXT,
    },
    "notes.amendment": {"reason": SHORT_TEXT, "text": NOTE_TEXT},
    "notes.amendmentrequest": {
        "request_text": NOTE_TEXT,
        "other_records": NOTE_TEXT,
        "extension_reason": NOTE_TEXT,
        "extension_notice": NOTE_TEXT,
        "decision_reason": NOTE_TEXT,
        "disagreement_text": NOTE_TEXT,
        "rebuttal_text": NOTE_TEXT,
    },
}


NPRS_HELP = "0 = no pain, 10 = worst possible pain."
NPRS_VALIDATORS = [MaxValueValidator(10)]


class Side(models.TextChoices):
    LEFT = "L", "Left"
    RIGHT = "R", "Right"
    BOTH = "B", "Both"
    MIDLINE = "", "Midline / n.a."


# --- Catalogues ----------------------------------------------------------------


class TechniqueQuerySet(models.QuerySet):
    def offered_to(self, user) -> TechniqueQuerySet:
        """Active techniques this therapist may log: joint mobilisation (the graded
        technique) only where their profile puts it in their scope of practice."""
        qs = self.filter(active=True)
        if not getattr(user, "joint_mobilisation_in_scope", False):
            qs = qs.filter(has_grade=False)
        return qs


class Technique(TimeStampedModel):
    """A manual-therapy technique that can be logged. Seeded by migration."""

    # Shown on client pages: a change re-renders them (clinic.record_version).
    record_version_everyone = True

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    has_grade = models.BooleanField(
        default=False, help_text="Joint mobilisation is logged with a grade I-IV."
    )
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    objects = TechniqueQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def needs_joint_scope(self) -> bool:
        # Graded techniques are joint mobilisations (grades I-IV).
        return self.has_grade


class BodyRegion(TimeStampedModel):
    """A region or muscle of the kinetic chain. Seeded by migration."""

    # Shown on client pages: a change re-renders them (clinic.record_version).
    record_version_everyone = True

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    group = models.CharField(max_length=40)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


# --- The visit note --------------------------------------------------------------


class VisitNoteQuerySet(LockedQuerySet):
    def for_user(self, user) -> VisitNoteQuerySet:
        """Notes of the clients whose clinical content the user may read."""

        # A correlated EXISTS: the database checks each note's one client instead
        # of first listing every client on the user's care team.
        return self.filter(Exists(Client.objects.clinical_for(user).filter(pk=OuterRef("client_id"))))

    def with_error_flag(self) -> VisitNoteQuerySet:
        return self.annotate(
            in_error=Exists(
                Amendment.objects.filter(note=OuterRef("pk"), kind=Amendment.Kind.ENTERED_IN_ERROR)
            )
        )

    def for_record_export(self, client) -> VisitNoteQuerySet:
        """Every visit of one client, oldest first, for the complete-record printout."""
        return self.filter(client=client).select_related("client", "therapist").order_by("service_at", "id")

    def for_timeline(self) -> VisitNoteQuerySet:
        """What a visit timeline row needs: therapist and error flag (the
        techniques come in one more query, notes.selectors._technique_names)."""
        return self.with_error_flag().select_related("therapist").order_by("-service_at", "-id")

    def unsigned_for(self, user) -> VisitNoteQuerySet:
        """A therapist's own drafts, oldest first; drafts marked entered in error drop out."""
        return (
            self.filter(therapist=user, signed_at__isnull=True)
            .with_error_flag()
            .filter(in_error=False)
            .select_related("client")
            .order_by("service_at", "id")
        )

    def unsigned_of_supervisees(self, user) -> VisitNoteQuerySet:
        """Drafts of the therapists who name ``user`` as a supervisor, oldest first, and only
        while the clinic allows named supervisors (the same rule as core.records)."""

        allowed = Exists(ClinicProfile.objects.filter(pk=1, named_supervisors_allowed=True))
        return (
            self.filter(allowed, therapist__supervisors=user, signed_at__isnull=True)
            .exclude(therapist=user)
            .with_error_flag()
            .filter(in_error=False)
            .select_related("client", "therapist")
            .order_by("service_at", "id")
        )

    def discharges(self) -> VisitNoteQuerySet:
        """Signed discharge notes not marked entered in error: each closes an episode of care."""
        return (
            self.filter(kind=VisitNote.Kind.DISCHARGE, signed_at__isnull=False)
            .with_error_flag()
            .filter(in_error=False)
        )

    def previous_discharge(self, note) -> VisitNoteQuerySet:
        """The client's signed discharge note just before ``note`` (at most one row):
        the end of the episode before ``note``'s."""
        return (
            VisitNote.objects.filter(client_id=note.client_id)
            .discharges()
            .filter(Q(service_at__lt=note.service_at) | Q(service_at=note.service_at, id__lt=note.pk))
            .exclude(pk=note.pk)
            .order_by("-service_at", "-id")[:1]
        )

    def episode_of(self, note) -> VisitNoteQuerySet:
        """The episode of care ``note`` belongs to, oldest first.

        The rule: an episode runs from the client's first note after their
        previous signed discharge note (or from their first note) up to and
        including ``note``; for a discharge note, that is the episode it closes.
        Notes entered in error are left out; drafts are kept (callers that need
        signed notes only add ``.signed()``). Visits at the same moment are
        ordered by id. One query when evaluated."""
        previous = self.previous_discharge(note)
        after_previous = (
            ~Exists(previous)
            | Q(service_at__gt=Subquery(previous.values("service_at")))
            | Q(service_at=Subquery(previous.values("service_at")), id__gt=Subquery(previous.values("id")))
        )
        up_to_note = Q(service_at__lt=note.service_at) | Q(service_at=note.service_at, id__lte=note.pk)
        return (
            self.filter(client_id=note.client_id)
            .filter(after_previous, up_to_note)
            .with_error_flag()
            .filter(in_error=False)
            .order_by("service_at", "id")
        )

    def previous_for(self, client, *, before=None, exclude_pk=None) -> VisitNoteQuerySet:
        """Signed, valid notes of a client before a time, newest first (for copy-forward)."""
        qs = self.filter(client=client, signed_at__isnull=False).with_error_flag().filter(in_error=False)
        if before is not None:
            qs = qs.filter(service_at__lte=before)
        if exclude_pk is not None:
            qs = qs.exclude(pk=exclude_pk)
        return qs.order_by("-service_at", "-id")


VisitNoteManager = models.Manager.from_queryset(VisitNoteQuerySet)


class VisitNote(SignableModel):
    class Kind(models.TextChoices):
        INITIAL = "initial", "Initial visit"
        FOLLOW_UP = "follow_up", "Follow-up"
        DISCHARGE = "discharge", "Discharge"

    class DischargeReason(models.TextChoices):
        GOALS_MET = "goals_met", "Goals met"
        PLATEAU = "plateau", "Plateau: no further benefit expected"
        REFERRED = "referred", "Referred on to another clinician"
        CLIENT_CHOICE = "client_choice", "Client's choice"
        DID_NOT_RETURN = "did_not_return", "Did not return"
        OTHER = "other", "Other"

    class Change(models.TextChoices):
        NOT_ASKED = "", "-"
        MUCH_BETTER = "much_better", "Much better"
        BETTER = "better", "Better"
        SAME = "same", "About the same"
        WORSE = "worse", "Worse"
        MUCH_WORSE = "much_worse", "Much worse"

    class Adherence(models.TextChoices):
        NOT_ASKED = "", "-"
        NONE_ISSUED = "none_issued", "No program issued yet"
        NOT_DONE = "not_done", "Not done"
        SOME = "some", "Some days"
        MOST = "most", "Most days"
        DAILY = "daily", "Every day as prescribed"

    class ScreenCheck(models.TextChoices):
        NOT_ASKED = "", "Not asked yet"
        NO_CHANGE = "no", "No change since last visit"
        CHANGED = "yes", "Yes, something changed"

    class ProgramChange(models.TextChoices):
        NONE = "", "No change"
        ISSUED = "issued", "Program issued"
        PROGRESSED = "progressed", "Progressed"
        REGRESSED = "regressed", "Regressed"
        UPDATED = "updated", "Updated"
        STOPPED = "stopped", "Stopped"

    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="visit_notes")
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visit_notes"
    )
    service_at = models.DateTimeField("date and time of service")
    duration_minutes = models.PositiveSmallIntegerField(
        "visit length (minutes)", default=60, validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.FOLLOW_UP)

    # S - subjective
    chief_complaint = models.TextField(blank=True, help_text="In the client's own words.")
    focus = models.TextField("today's focus", blank=True)
    nprs_first_step = models.PositiveSmallIntegerField(
        "NPRS first step (morning)", null=True, blank=True, help_text=NPRS_HELP, validators=NPRS_VALIDATORS
    )
    nprs_rest = models.PositiveSmallIntegerField(
        "NPRS at rest", null=True, blank=True, help_text=NPRS_HELP, validators=NPRS_VALIDATORS
    )
    nprs_worst_24h = models.PositiveSmallIntegerField(
        "NPRS worst in 24 h", null=True, blank=True, help_text=NPRS_HELP, validators=NPRS_VALIDATORS
    )
    change_since_last = models.CharField(
        "change since last visit", max_length=12, choices=Change.choices, blank=True, default=""
    )
    hep_adherence = models.CharField(
        "home-program adherence", max_length=12, choices=Adherence.choices, blank=True, default=""
    )
    hep_response = models.CharField("response to the home program", max_length=300, blank=True)
    screen_changed = models.CharField(
        "health screen: any change since last visit?",
        max_length=3,
        choices=ScreenCheck.choices,
        blank=True,
        default="",
    )
    screen_change_details = models.CharField("what changed", max_length=300, blank=True)
    subjective = models.TextField("subjective notes", blank=True)

    # O - objective (palpation rows and the treatment log are child tables)
    objective = models.TextField("objective notes", blank=True)
    assessment = models.OneToOneField(
        "assessments.Assessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visit_note",
        help_text="The assessment done at this visit; signing the note signs it too.",
    )

    # A - assessment (functional / tissue, not a medical diagnosis)
    analysis = models.TextField("functional and tissue assessment", blank=True)

    # P - plan
    plan_next = models.TextField("plan for next visit", blank=True)
    frequency = models.CharField(max_length=120, blank=True, help_text="e.g. weekly for 4 weeks")
    goals = models.TextField("measurable goals", blank=True)
    referrals = models.TextField(blank=True)
    hep_change = models.CharField(
        "home program this visit", max_length=12, choices=ProgramChange.choices, blank=True, default=""
    )

    # Discharge: closes an episode of care (discharge notes only). The columns are
    # nullable so the database adds them in place: rebuilding this table would drop
    # the lock triggers that name it, the children's and those of later apps. The
    # row-level lock trigger covers every column, these included.
    discharge_reason = models.CharField(
        "reason for discharge", max_length=20, choices=DischargeReason.choices, null=True, blank=True
    )
    discharge_detail = models.TextField("discharge details", null=True, blank=True)
    # The outcome table as signed (notes.outcomes), so the printout never changes later.
    discharge_outcome = models.JSONField("outcome at discharge, as signed", null=True, blank=True)

    # Drafting aids and the signature record
    carried_forward_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    carried_fields = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    late_entry = models.BooleanField(default=False)
    content_hash = models.CharField(max_length=64, blank=True)

    objects: ClassVar[VisitNoteManager[VisitNote]] = VisitNoteManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-service_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5) & Q(duration_minutes__lte=240),
                name="visitnote_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(nprs_first_step__isnull=True) | Q(nprs_first_step__lte=10),
                name="visitnote_nprs_first_step_range",
            ),
            models.CheckConstraint(
                condition=Q(nprs_rest__isnull=True) | Q(nprs_rest__lte=10), name="visitnote_nprs_rest_range"
            ),
            models.CheckConstraint(
                condition=Q(nprs_worst_24h__isnull=True) | Q(nprs_worst_24h__lte=10),
                name="visitnote_nprs_worst_range",
            ),
        ]
        indexes = [
            # Visit timeline and copy-forward: WHERE client_id = ? ORDER BY service_at DESC.
            models.Index(fields=["client", "-service_at"], name="visitnote_client_timeline"),
            # Unsigned notes on the home page:
            # WHERE therapist_id = ? AND signed_at IS NULL ORDER BY service_at.
            models.Index(
                fields=["therapist", "service_at"],
                condition=Q(signed_at__isnull=True),
                name="visitnote_unsigned_by_ther",
            ),
        ]

    def __str__(self) -> str:
        return f"Visit note {self.pk} ({self.service_at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("note_detail", args=[self.pk])

    @property
    def is_discharge(self) -> bool:
        return self.kind == self.Kind.DISCHARGE


# --- Child rows ------------------------------------------------------------------


class TreatmentQuerySet(LockedChildQuerySet):
    def for_note(self, note) -> TreatmentQuerySet:
        return self.filter(note=note).select_related("technique", "region").order_by("order", "id")

    def for_notes(self, note_ids) -> TreatmentQuerySet:
        """``for_note`` of many notes in one query (each note's rows in the same order)."""
        return self.filter(note__in=note_ids).select_related("technique", "region").order_by("order", "id")

    def recent_by(self, therapist, *, rows: int = 200) -> TreatmentQuerySet:
        """This therapist's own most recent treatment rows (newest first, at most
        ``rows``), on any of their notes: what their technique and region chips rank by."""
        return self.filter(note__therapist=therapist).order_by("-id")[:rows]


TreatmentManager = models.Manager.from_queryset(TreatmentQuerySet)


class Treatment(LockedChildModel, TimeStampedModel):
    """One row of the treatment log: technique x region x side x minutes x pressure x response."""

    class Pressure(models.IntegerChoices):
        VERY_LIGHT = 1, "1 · very light"
        LIGHT = 2, "2 · light"
        MODERATE = 3, "3 · moderate"
        FIRM = 4, "4 · firm"
        DEEP = 5, "5 · deep"

    class Response(models.TextChoices):
        EASED = "eased", "Symptoms eased"
        TOLERATED = "tolerated", "Tolerated, no change"
        TENDER = "tender", "Tender but tolerable"
        WORSE = "worse", "Symptoms increased"
        STOPPED = "stopped", "Stopped at client's request"

    class Grade(models.TextChoices):
        NONE = "", "-"
        I = "I", "Grade I"  # noqa: E741 - the clinical name of the grade
        II = "II", "Grade II"
        III = "III", "Grade III"
        IV = "IV", "Grade IV"

    lock_parent_field = "note"

    note = models.ForeignKey(VisitNote, on_delete=models.CASCADE, related_name="treatments")
    technique = models.ForeignKey(Technique, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(BodyRegion, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=1, choices=Side.choices, blank=True, default="")
    minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(240)])
    pressure = models.PositiveSmallIntegerField(
        choices=Pressure.choices,
        default=Pressure.MODERATE,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    grade = models.CharField(max_length=3, choices=Grade.choices, blank=True, default="")
    response = models.CharField(max_length=12, choices=Response.choices, default=Response.EASED)
    note_text = models.CharField("note", max_length=200, blank=True)
    carried_forward = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    objects: ClassVar[TreatmentManager[Treatment]] = TreatmentManager()

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pressure__gte=1) & Q(pressure__lte=5), name="treatment_pressure_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=1) & Q(minutes__lte=240), name="treatment_minutes_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Treatment {self.pk} on note {self.note_id}"


class PalpationFindingQuerySet(LockedChildQuerySet):
    def for_note(self, note) -> PalpationFindingQuerySet:
        return self.filter(note=note).select_related("region").order_by("id")

    def for_notes(self, note_ids) -> PalpationFindingQuerySet:
        return self.filter(note__in=note_ids).select_related("region").order_by("id")


PalpationFindingManager = models.Manager.from_queryset(PalpationFindingQuerySet)


class PalpationFinding(LockedChildModel, TimeStampedModel):
    """Objective palpation by region: tone, tenderness and trigger points."""

    class Tone(models.TextChoices):
        NORMAL = "normal", "Normal"
        INCREASED = "increased", "Increased"
        DECREASED = "decreased", "Decreased"
        GUARDING = "guarding", "Guarding"

    class Tenderness(models.IntegerChoices):
        NONE = 0, "None"
        MILD = 1, "Mild"
        MODERATE = 2, "Moderate"
        SEVERE = 3, "Severe"

    lock_parent_field = "note"

    note = models.ForeignKey(VisitNote, on_delete=models.CASCADE, related_name="palpation")
    region = models.ForeignKey(BodyRegion, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=1, choices=Side.choices, blank=True, default="")
    tone = models.CharField(max_length=10, choices=Tone.choices, default=Tone.NORMAL)
    tenderness = models.PositiveSmallIntegerField(choices=Tenderness.choices, default=Tenderness.NONE)
    trigger_points = models.BooleanField(default=False)
    note_text = models.CharField("note", max_length=200, blank=True)

    objects: ClassVar[PalpationFindingManager[PalpationFinding]] = PalpationFindingManager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(tenderness__lte=3), name="palpation_tenderness_0_to_3"),
        ]

    def __str__(self) -> str:
        return f"Palpation {self.pk} on note {self.note_id}"


class Amendment(SignableModel):
    """An addendum, correction, late entry or entered-in-error marking.

    Saved signed in one step and insert-only from then on: the original note
    is never touched, and the amendment is shown beneath it.
    """

    class Kind(models.TextChoices):
        ADDENDUM = "addendum", "Addendum"
        CORRECTION = "correction", "Correction"
        LATE_ENTRY = "late_entry", "Late entry"
        ENTERED_IN_ERROR = "entered_in_error", "Entered in error"

    note = models.ForeignKey(VisitNote, on_delete=models.PROTECT, related_name="amendments")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = models.TextField()
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["note"],
                condition=Q(kind="entered_in_error"),
                name="amendment_one_error_marking_per_note",
            ),
        ]
        indexes = [
            # Amendments beneath a note, and the timeline's in-error flag: WHERE note_id = ? [AND kind = ?].
            models.Index(fields=["note", "kind"], name="amendment_by_note"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} on note {self.note_id}"


class SafetyOverrideQuerySet(LockedChildQuerySet):
    def for_note(self, note) -> SafetyOverrideQuerySet:
        return self.filter(note=note).select_related("technique", "region", "by").order_by("at", "id")

    def for_notes(self, note_ids) -> SafetyOverrideQuerySet:
        return self.filter(note__in=note_ids).select_related("technique", "region", "by").order_by("at", "id")

    def update(self, **kwargs):
        raise RecordLocked(SafetyOverride.locked_message)

    def delete(self):
        raise RecordLocked(SafetyOverride.locked_message)


SafetyOverrideManager = models.Manager.from_queryset(SafetyOverrideQuerySet)


class SafetyOverride(InsertOnlyModel, LockedChildModel, TimeStampedModel):
    """A therapist's decision to treat despite the safety interlock (notes.safety):
    what the interlock refused, the written reason, the confirmed re-check of the
    health screen at this visit, who and when (after re-entering their password).

    Insert-only from the start, and no new one once the note is signed (model,
    QuerySet and database triggers). A treatment override names the row it
    allowed (technique, region, side, pressure); a note override (consent) names none.
    """

    class Kind(models.TextChoices):
        TREATMENT = "treatment", "Treatment row"
        CONSENT = "consent", "Consent"

    locked_message = "A safety override is part of the record and cannot be changed or removed."
    lock_parent_field = "note"

    note = models.ForeignKey(VisitNote, on_delete=models.PROTECT, related_name="safety_overrides")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TREATMENT)
    technique = models.ForeignKey(
        Technique, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    region = models.ForeignKey(BodyRegion, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    side = models.CharField(max_length=1, choices=Side.choices, blank=True, default="")
    pressure = models.PositiveSmallIntegerField(null=True, blank=True)
    problems = models.JSONField("what the interlock refused", default=list)
    covers_consent = models.BooleanField(default=False)
    reason = models.TextField("reason for the override", max_length=2000)
    recheck_confirmed = models.BooleanField("health screen re-checked at this visit", default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    objects: ClassVar[SafetyOverrideManager[SafetyOverride]] = SafetyOverrideManager()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recheck_confirmed=True), name="safetyoverride_recheck_confirmed"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="safetyoverride_has_reason"),
            models.CheckConstraint(
                condition=Q(kind="consent") | Q(technique__isnull=False, region__isnull=False),
                name="safetyoverride_treatment_names_its_row",
            ),
        ]
        indexes = [
            # Overrides beneath a note and at signing: WHERE note_id = ? ORDER BY at.
            models.Index(fields=["note", "at"], name="safetyoverride_by_note"),
        ]

    def __str__(self) -> str:
        return f"Safety override {self.pk} on note {self.note_id}"

    @property
    def label(self) -> str:
        """What the override allowed, in clinic words (technique and region loaded with it)."""
        if self.kind == self.Kind.CONSENT:
            return "Treatment without valid consent on file"
        # safetyoverride_treatment_names_its_row: a treatment override names both.
        assert self.region is not None and self.technique is not None
        where = self.region.name + (f" ({self.get_side_display()})" if self.side else "")
        return f"{self.technique.name} on {where} at pressure {self.pressure} of 5"

    def covers(self, row) -> bool:
        """Whether this override allowed a treatment row like ``row``."""
        return (
            self.kind == self.Kind.TREATMENT
            and self.technique_id == row.technique_id
            and self.region_id == row.region_id
            and self.side == row.side
            and self.pressure is not None
            and row.pressure <= self.pressure
        )


# --- Drafting aids -------------------------------------------------------------------


class NoteTemplate(TimeStampedModel):
    """Initial-visit, follow-up and discharge starting text for the S/O/A/P fields."""

    # Shown on client pages: a change re-renders them (clinic.record_version).
    record_version_everyone = True

    kind = models.CharField(max_length=12, choices=VisitNote.Kind.choices, unique=True)
    name = models.CharField(max_length=80)
    content = models.JSONField(default=dict, help_text="Field name -> starting text.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SnippetQuerySet(models.QuerySet):
    def available_to(self, user) -> SnippetQuerySet:
        """Clinic-wide snippets and the user's own, clinic-wide first."""
        return self.filter(Q(owner__isnull=True) | Q(owner=user)).order_by(
            models.F("owner").asc(nulls_first=True), "title", "id"
        )


class Snippet(TimeStampedModel):
    """A reusable phrase insertable into any S/O/A/P text field."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="note_snippets",
        help_text="Empty for a clinic-wide snippet.",
    )
    title = models.CharField(max_length=60)
    text = models.TextField(max_length=2000)

    objects = SnippetQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        indexes = [
            # Snippet menu: WHERE owner_id IS NULL OR owner_id = ? ORDER BY title.
            models.Index(fields=["owner", "title"], name="snippet_by_owner"),
        ]

    def __str__(self) -> str:
        return self.title


# --- Amendment requests from clients (45 CFR 164.526) ---------------------------------


class AmendmentRequestQuerySet(models.QuerySet):
    """Bulk writes never reach a decided request (see AmendmentRequest)."""

    def for_user(self, user) -> AmendmentRequestQuerySet:
        """Requests about the clients whose clinical content the user may read."""

        return self.filter(client__in=Client.objects.clinical_for(user))

    def open(self) -> AmendmentRequestQuerySet:
        return self.filter(decision=AmendmentRequest.Decision.PENDING)

    def for_dashboard(self) -> AmendmentRequestQuerySet:
        """Open requests, the earliest due (so the overdue) first, with what each row shows."""
        return self.open().select_related("client", "note").order_by("due_on", "received_on", "id")

    def for_note(self, note) -> AmendmentRequestQuerySet:
        return (
            self.filter(note=note)
            .select_related("decided_by", "recorded_by", "amendment")
            .order_by("received_on", "id")
        )

    def update(self, **kwargs):
        if self.filter(decided_at__isnull=False).exists():
            raise RecordLocked("This amendment request has been decided and cannot change.")
        return super().update(**kwargs)

    def delete(self):
        raise RecordLocked("Amendment requests are part of the record and are never deleted.")


class AmendmentRequest(TimeStampedModel):
    """A client's request to amend a signed visit note, tracked to its decision.

    The clinic records the request on the client's behalf. It must be acted on
    within 60 days of receipt, extendable once by 30 days with a written notice.
    An accepted (or partly accepted) request is carried out as a signed
    Amendment beneath the note; a denial states its reason, and the client's
    statement of disagreement and the clinic's rebuttal are kept with it.

    Every group of columns is written once: the request itself on receipt, the
    extension, the decision, the disagreement, the rebuttal. The services refuse
    anything else, the model refuses to overwrite a written group, and a
    database trigger (migration 0004) does the same for raw SQL.
    """

    DUE_AFTER_DAYS = 60
    EXTENSION_DAYS = 30
    # Groups of columns each written once; the first column says whether the group is written.
    WRITE_ONCE = (
        ("received_on", "request_text", "other_records", "client_id", "note_id", "recorded_by_id"),
        ("extended_on", "extended_by_id", "extension_reason", "extension_notice"),
        ("decided_at", "decision", "decided_by_id", "decision_reason", "amendment_id"),
        ("disagreement_received_on", "disagreement_text", "disagreement_recorded_by_id"),
        ("rebuttal_at", "rebuttal_text", "rebuttal_by_id"),
    )

    class Decision(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        PARTIAL = "partial", "Partially accepted"
        DENIED = "denied", "Denied"

    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="amendment_requests")
    note = models.ForeignKey(
        VisitNote,
        on_delete=models.PROTECT,
        related_name="amendment_requests",
        verbose_name="visit note to amend",
    )
    received_on = models.DateField("request received on")
    request_text = models.TextField("what the client asks to amend, and why")
    other_records = models.TextField(
        "other records the request mentions",
        blank=True,
        help_text="Anything the client asks about beyond this note (another visit, an assessment).",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="recorded by"
    )
    due_on = models.DateField("decision due by")

    extended_on = models.DateField("deadline extended on", null=True, blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="extended by",
    )
    extension_reason = models.TextField("reason for the extension", blank=True)
    extension_notice = models.TextField("written notice of the extension sent to the client", blank=True)

    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="decided by",
    )
    decided_at = models.DateTimeField("decided at", null=True, blank=True)
    decision_reason = models.TextField(
        "reason for the decision",
        blank=True,
        help_text="Required for a denial or a partial acceptance: what was refused and why.",
    )
    amendment = models.OneToOneField(
        Amendment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="client_request",
        verbose_name="amendment made",
    )

    disagreement_text = models.TextField("client's statement of disagreement", blank=True)
    disagreement_received_on = models.DateField(
        "statement of disagreement received on", null=True, blank=True
    )
    disagreement_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="statement recorded by",
    )

    rebuttal_text = models.TextField("clinic's rebuttal", blank=True)
    rebuttal_at = models.DateTimeField("rebuttal written at", null=True, blank=True)
    rebuttal_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="rebuttal by",
    )

    objects = AmendmentRequestQuerySet.as_manager()

    class Meta:
        ordering = ["received_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="pending", decided_at__isnull=True)
                | (~Q(decision="pending") & Q(decided_at__isnull=False, decided_by__isnull=False)),
                name="amendreq_decided_when_not_pending",
            ),
            models.CheckConstraint(
                condition=~Q(decision__in=["denied", "partial"]) | ~Q(decision_reason=""),
                name="amendreq_reason_for_denial",
            ),
            models.CheckConstraint(
                condition=~Q(decision__in=["accepted", "partial"]) | Q(amendment__isnull=False),
                name="amendreq_amendment_when_accepted",
            ),
            models.CheckConstraint(
                condition=Q(extended_on__isnull=True, extension_reason="")
                | (Q(extended_on__isnull=False) & ~Q(extension_reason="")),
                name="amendreq_extension_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(disagreement_received_on__isnull=True, disagreement_text="")
                | (
                    Q(decision__in=["denied", "partial"], disagreement_received_on__isnull=False)
                    & ~Q(disagreement_text="")
                ),
                name="amendreq_disagreement_after_denial",
            ),
            models.CheckConstraint(
                condition=Q(rebuttal_at__isnull=True, rebuttal_text="")
                | (
                    Q(disagreement_received_on__isnull=False, rebuttal_at__isnull=False)
                    & ~Q(rebuttal_text="")
                ),
                name="amendreq_rebuttal_after_disagreement",
            ),
        ]
        indexes = [
            # The dashboard: WHERE client_id IN (...) AND decision = 'pending' ORDER BY due_on.
            models.Index(
                fields=["client", "due_on"],
                condition=Q(decision="pending"),
                name="amendreq_open_by_client",
            ),
            # Requests beneath a note: WHERE note_id = ? ORDER BY received_on.
            models.Index(fields=["note", "received_on"], name="amendreq_by_note"),
        ]

    def __str__(self) -> str:
        return f"Amendment request {self.pk} on note {self.note_id} ({self.get_decision_display()})"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded = {
            name: instance.__dict__.get(name) for group in cls.WRITE_ONCE for name in group
        } | {"due_on": instance.__dict__.get("due_on")}
        return instance

    def save(self, *args, **kwargs):  # noqa: DJ012 - from_db sits with the lock it feeds
        loaded = getattr(self, "_loaded", None)
        if loaded is not None:
            for group in self.WRITE_ONCE:
                written = loaded[group[0]] is not None and loaded[group[0]] != ""
                if written and any(getattr(self, name) != loaded[name] for name in group):
                    raise RecordLocked("This part of the amendment request is already recorded.")
            due_may_change = loaded["extended_on"] is None and loaded["decided_at"] is None
            if self.due_on != loaded["due_on"] and not due_may_change:
                raise RecordLocked("The due date changes only with the one extension.")
        super().save(*args, **kwargs)
        self._loaded = {name: getattr(self, name) for group in self.WRITE_ONCE for name in group} | {
            "due_on": self.due_on
        }

    def delete(self, *args, **kwargs):
        raise RecordLocked("Amendment requests are part of the record and are never deleted.")

    @property
    def is_decided(self) -> bool:
        return self.decided_at is not None

    @property
    def is_extended(self) -> bool:
        return self.extended_on is not None

    @property
    def has_disagreement(self) -> bool:
        return self.disagreement_received_on is not None

    @property
    def has_rebuttal(self) -> bool:
        return self.rebuttal_at is not None
