"""Reads for the program pages: suggestions from findings, version diffs, adherence."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from assessments import catalogue
from assessments.models import Assessment, Measurement
from assessments.selectors import flagged_findings
from clinic.models import Client
from notes.models import VisitNote
from programs.models import (
    Adherence,
    Exercise,
    ExerciseIndication,
    FindingKind,
    PainMonitoringRule,
    ProgramItem,
    ProgramVersion,
)

PAIN_MODEL_SOURCE = "Silbernagel 2007 pain-monitoring model, adapted for heel pain"
# Pronated foot posture: above the top of the FPI-6 normal band (0 to +5, Redmond
# 2008) or a navicular drop over 10 mm (Brody 1982); the assessment catalogue
# holds the same edges as its norms.
PRONATION_CODES = ("fpi6_total", "navicular_drop")
FIRST_STEP_CODE = "nprs_first_step"
LOW_CAPACITY_REASON = "A gentle start that an irritable heel tolerates; it builds up from here."


def latest_findings(client) -> list:
    """Flagged findings of the client's latest assessment (empty if there is none)."""
    return list(flagged_findings(client))


@dataclass
class Suggestion:
    exercise: Exercise
    reason: str
    code: str
    finding_text: str
    side: str
    already_in: bool = False
    conflicts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FirstStepPain:
    value: int
    on: date
    source: str  # "assessment" | "visit note"
    band: str  # "green" | "amber" | "red"

    @property
    def is_high(self) -> bool:
        return self.band == "red"


@dataclass(frozen=True)
class BuilderSignals:
    """What the builder ranks and filters suggestions by: first-step pain in the
    clinic's pain bands, and whether the foot is pronated."""

    first_step: FirstStepPain | None
    pronated: bool
    posture_text: str
    green_max: int
    amber_max: int

    @property
    def high_pain(self) -> bool:
        return self.first_step is not None and self.first_step.is_high

    @property
    def pain_text(self) -> str:
        if self.first_step is None:
            return "No first-step pain recorded yet."
        fs = self.first_step
        band = {"green": "green", "amber": "amber", "red": "red"}[fs.band]
        limits = {
            "green": f"0 to {self.green_max}",
            "amber": f"{self.green_max + 1} to {self.amber_max}",
            "red": f"over {self.amber_max}",
        }[fs.band]
        text = f"First-step pain {fs.value}/10 ({fs.source}, {fs.on:%Y-%m-%d}): {band} band, {limits}"
        if fs.is_high:
            text += ". Low-capacity work is listed first"
        return text + f" (clinic bands; {PAIN_MODEL_SOURCE})."


def _plain(value) -> str:
    value = Decimal(value)
    return str(int(value)) if value == value.to_integral_value() else f"{value.normalize()}"


def band_of(value: int, *, green_max: int, amber_max: int) -> str:
    if value <= green_max:
        return "green"
    if value <= amber_max:
        return "amber"
    return "red"


def builder_signals(client, *, rule: PainMonitoringRule | None = None) -> BuilderSignals:
    """First-step pain (the latest of the last assessment and the last signed visit
    note) and foot posture (the last assessment). Two queries."""

    rule = rule or PainMonitoringRule.load()
    latest = Assessment.objects.for_client(client).order_by("-assessed_on", "-id").values("id")[:1]
    # value__isnull=False: every row has a value (the condition below only says so).
    rows = [
        (code, side, value, on)
        for code, side, value, on in Measurement.objects.filter(
            assessment__in=latest,
            code__in=(*PRONATION_CODES, FIRST_STEP_CODE),
            status=Measurement.Status.RECORDED,
            value__isnull=False,
        ).values_list("code", "side", "value", "assessment__assessed_on")
        if value is not None
    ]
    note = (
        VisitNote.objects.filter(client=client, signed_at__isnull=False, nprs_first_step__isnull=False)
        .order_by("-service_at", "-id")
        .values_list("nprs_first_step", "service_at")
        .first()
    )
    candidates: list[tuple[date, int, str]] = []
    pain = [(value, on) for code, _side, value, on in rows if code == FIRST_STEP_CODE]
    if pain:
        value, on = max(pain)
        candidates.append((on, int(value), "assessment"))
    if note is not None:
        note_pain, service_at = note
        assert note_pain is not None  # nprs_first_step__isnull=False
        candidates.append((timezone.localtime(service_at).date(), int(note_pain), "visit note"))
    first_step = None
    if candidates:
        on, score, source = max(candidates, key=lambda c: (c[0], c[2] == "visit note"))
        first_step = FirstStepPain(
            score, on, source, band_of(score, green_max=rule.green_max, amber_max=rule.amber_max)
        )
    pronated_parts = []
    sides = {"L": " left", "R": " right", "": ""}
    for code, side, value, _on in rows:
        if code not in PRONATION_CODES:
            continue
        norm = catalogue.get(code).norm
        assert norm is not None  # the foot-posture measures carry their norm
        high = norm.high
        if high is not None and Decimal(value) > high:
            label = "FPI-6" if code == "fpi6_total" else "navicular drop"
            number = _plain(value)
            shown = f"+{number}" if code == "fpi6_total" else f"{number} mm"
            pronated_parts.append(f"{label}{sides.get(side, '')} {shown}")
    posture = (
        "Pronated foot (" + ", ".join(pronated_parts) + "): arch training is suggested."
        if pronated_parts
        else "No pronated foot on the latest assessment: arch (short-foot) training is not suggested."
    )
    return BuilderSignals(
        first_step=first_step,
        pronated=bool(pronated_parts),
        posture_text=posture,
        green_max=rule.green_max,
        amber_max=rule.amber_max,
    )


def suggestions_for(
    findings: Iterable,
    *,
    exclude_exercise_ids: Iterable[int] = (),
    signals: BuilderSignals | None = None,
) -> list[Suggestion]:
    """Library exercises that serve the given findings, best first, one per exercise.

    A finding matches an indication with the same measure code and either the
    same kind or kind "any". With ``signals``: exercises meant for pronated feet
    only are left out unless the foot is pronated, and when first-step pain is in
    the clinic's red band the low-capacity exercises come first (added if no
    finding mapped them). One query, two with high first-step pain."""
    findings = list(findings)
    high = signals is not None and signals.high_pain
    if not findings and not high:
        return []
    rows = list(ExerciseIndication.objects.for_codes({f.code for f in findings})) if findings else []
    excluded = set(exclude_exercise_ids)
    seen: dict[int, Suggestion] = {}
    for finding in findings:
        for row in rows:
            if row.measure_code != finding.code:
                continue
            if row.finding_kind not in (FindingKind.ANY, finding.kind):
                continue
            if row.exercise_id in seen:
                continue
            if signals is not None and row.exercise.pronated_feet_only and not signals.pronated:
                continue
            seen[row.exercise_id] = Suggestion(
                exercise=row.exercise,
                reason=row.reason,
                code=row.measure_code,
                finding_text=getattr(finding, "text", ""),
                side=getattr(finding, "side", "") or "",
                already_in=row.exercise_id in excluded,
            )
    order = {row.exercise_id: (row.priority, i) for i, row in enumerate(rows)}
    if high:
        assert signals is not None  # high pain is read from the signals
        for exercise in Exercise.objects.active().filter(low_capacity=True).order_by("name", "id"):
            if exercise.pk in seen:
                continue
            seen[exercise.pk] = Suggestion(
                exercise=exercise,
                reason=LOW_CAPACITY_REASON,
                code=FIRST_STEP_CODE,
                finding_text=signals.pain_text,
                side="",
                already_in=exercise.pk in excluded,
            )
            order[exercise.pk] = (0, -1)

    def rank(s: Suggestion):
        low_first = 0 if high and s.exercise.low_capacity else 1
        return (s.already_in, low_first, order[s.exercise.pk])

    return sorted(seen.values(), key=rank)


# --- Version diff ----------------------------------------------------------------

DIFF_FIELDS = [
    ("sets", "Sets"),
    ("reps", "Reps"),
    ("hold_seconds", "Hold (s)"),
    ("tempo", "Tempo"),
    ("frequency", "How often"),
    ("side", "Side"),
    ("load_note", "Load"),
    ("therapist_note", "Note"),
    ("reason", "Why"),
]


@dataclass
class ItemChange:
    name: str
    kind: str  # "added" | "removed" | "changed"
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (label, before, after)


@dataclass
class VersionDiff:
    changes: list[ItemChange]
    reordered: bool

    @property
    def is_empty(self) -> bool:
        return not self.changes and not self.reordered


def _show(value) -> str:
    return "-" if value in (None, "") else str(value)


def version_diff(old_items: list[ProgramItem], new_items: list[ProgramItem]) -> VersionDiff:
    """What changed between two versions' items (both lists already loaded)."""
    old = {i.exercise_id: i for i in old_items}
    new = {i.exercise_id: i for i in new_items}
    changes: list[ItemChange] = []
    for item in new_items:
        before = old.get(item.exercise_id)
        if before is None:
            changes.append(ItemChange(name=item.exercise.name, kind="added"))
            continue
        fields = [
            (label, _show(getattr(before, name)), _show(getattr(item, name)))
            for name, label in DIFF_FIELDS
            if getattr(before, name) != getattr(item, name)
        ]
        if fields:
            changes.append(ItemChange(name=item.exercise.name, kind="changed", fields=fields))
    for item in old_items:
        if item.exercise_id not in new:
            changes.append(ItemChange(name=item.exercise.name, kind="removed"))
    common_old = [i.exercise_id for i in old_items if i.exercise_id in new]
    common_new = [i.exercise_id for i in new_items if i.exercise_id in old]
    return VersionDiff(changes=changes, reordered=common_old != common_new)


def items_of(version: ProgramVersion | None) -> list[ProgramItem]:
    if version is None:
        return []
    return list(ProgramItem.objects.filter(version=version).in_order())


def previous_issued(version: ProgramVersion) -> ProgramVersion | None:
    qs = ProgramVersion.objects.for_client(version.client_id).issued()
    if version.number:
        qs = qs.filter(number__lt=version.number)
    return qs.order_by("-number").first()


def recent_visits(client):
    """The client's visit notes of the last 90 days, for "issued at visit" (a lazy,
    unsliced queryset: the form validates the choice against it)."""

    since = timezone.now() - timedelta(days=90)
    return VisitNote.objects.filter(client=client, service_at__gte=since).order_by("-service_at", "-id")


# --- Adherence -------------------------------------------------------------------


@dataclass
class AdherencePoint:
    date: object
    days: float
    pain: str


def adherence_series(client) -> list[tuple[str, list[tuple]]]:
    """Per exercise, (date, days done per week) points, for the client chart."""
    series: dict[str, list[tuple]] = {}
    for row in Adherence.objects.for_client(client):
        series.setdefault(row.item.exercise.name, []).append((row.recorded_on, row.days_per_week))
    return list(series.items())


def issued_today(user) -> list[ProgramVersion]:
    """The versions issued since midnight (clinic time) to the clients whose clinical
    record ``user`` may read, in the order they were issued (client and signer loaded)."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return list(
        ProgramVersion.objects.issued()
        .filter(client__in=Client.objects.clinical_for(user), signed_at__gte=start)
        .select_related("client", "signed_by")
        .order_by("signed_at", "id")
    )
