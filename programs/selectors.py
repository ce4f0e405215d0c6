"""Reads for the program pages: suggestions from findings, version diffs, adherence."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from programs.models import (
    Adherence,
    ExerciseIndication,
    FindingKind,
    ProgramItem,
    ProgramVersion,
)


def latest_findings(client) -> list:
    """Flagged findings of the client's latest assessment (empty if there is none)."""
    try:
        from assessments.selectors import flagged_findings
    except ImportError:  # the assessments app is optional for programs
        return []
    return list(flagged_findings(client))


@dataclass
class Suggestion:
    exercise: object
    reason: str
    code: str
    finding_text: str
    side: str
    already_in: bool = False


def suggestions_for(findings: Iterable, *, exclude_exercise_ids: Iterable[int] = ()) -> list[Suggestion]:
    """Library exercises that serve the given findings, best first, one per exercise.

    A finding matches an indication with the same measure code and either the
    same kind or kind "any". One query whatever the number of findings."""
    findings = list(findings)
    if not findings:
        return []
    rows = list(ExerciseIndication.objects.for_codes({f.code for f in findings}))
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
            seen[row.exercise_id] = Suggestion(
                exercise=row.exercise,
                reason=row.reason,
                code=row.measure_code,
                finding_text=getattr(finding, "text", ""),
                side=getattr(finding, "side", "") or "",
                already_in=row.exercise_id in excluded,
            )
    order = {row.exercise_id: (row.priority, i) for i, row in enumerate(rows)}
    return sorted(seen.values(), key=lambda s: (s.already_in, order[s.exercise.pk]))


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
    return list(ProgramItem.objects.filter(version=version).ordered())


def previous_issued(version: ProgramVersion) -> ProgramVersion | None:
    qs = ProgramVersion.objects.for_client(version.client_id).issued()
    if version.number:
        qs = qs.filter(number__lt=version.number)
    return qs.order_by("-number").first()


def recent_visits(client):
    """The client's visit notes of the last 90 days, for "issued at visit" (a lazy,
    unsliced queryset: the form validates the choice against it)."""
    from datetime import timedelta

    from django.utils import timezone

    from notes.models import VisitNote

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
