"""Writes for the programs app. Every function is keyword-only, validates with
full_clean() before saving, runs multi-row writes in one transaction and
writes an audit row."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.audit import audit_record
from clinic.records import RecordLocked
from programs.models import (
    Adherence,
    Exercise,
    ExerciseIndication,
    PainMonitoringRule,
    ProgramItem,
    ProgramVersion,
)

EXERCISE_FIELDS = [
    "name",
    "region",
    "target",
    "position",
    "equipment",
    "steps",
    "cues",
    "mistakes",
    "sets",
    "reps",
    "hold_seconds",
    "tempo",
    "frequency",
    "dosage_note",
    "progression",
    "regression",
    "citation",
    "dosage_confirmed",
    "drawing",
    "video_url",
]
ITEM_FIELDS = [
    "sets",
    "reps",
    "hold_seconds",
    "tempo",
    "frequency",
    "side",
    "load_note",
    "therapist_note",
    "reason",
]
DEFAULT_REVIEW_WEEKS = 4


# --- Library -------------------------------------------------------------------


def exercise_create(*, by, data: dict[str, Any], illustration=None, request=None) -> Exercise:
    exercise = Exercise(created_by=by, **{k: v for k, v in data.items() if k in EXERCISE_FIELDS})
    if illustration is not None:
        exercise.illustration.save(illustration.name, illustration, save=False)
    exercise.full_clean()
    with transaction.atomic():
        exercise.save()
        audit_record(actor=by, action="create", request=request, target=exercise)
    return exercise


def exercise_update(
    *,
    exercise: Exercise,
    by,
    data: dict[str, Any],
    illustration=None,
    remove_illustration: bool = False,
    request=None,
) -> Exercise:
    changed = []
    for name in EXERCISE_FIELDS:
        if name in data and getattr(exercise, name) != data[name]:
            setattr(exercise, name, data[name])
            changed.append(name)
    if illustration is not None:
        exercise.illustration.save(illustration.name, illustration, save=False)
        changed.append("illustration")
    elif remove_illustration and exercise.illustration:
        exercise.illustration = ""
        changed.append("illustration")
    exercise.full_clean()
    with transaction.atomic():
        exercise.save()
        audit_record(actor=by, action="update", request=request, target=exercise, detail={"fields": changed})
    return exercise


def exercise_set_active(*, exercise: Exercise, by, active: bool, request=None) -> Exercise:
    """Retire an exercise from the library (or bring it back). Programs that
    already use it keep it: retired exercises are never deleted."""
    exercise.is_active = active
    with transaction.atomic():
        exercise.save(update_fields=["is_active", "updated_at"])
        audit_record(
            actor=by, action="update", request=request, target=exercise, detail={"is_active": active}
        )
    return exercise


def indication_add(
    *,
    exercise: Exercise,
    by,
    measure_code: str,
    finding_kind: str,
    reason: str,
    priority: int = 10,
    request=None,
) -> ExerciseIndication:
    row = ExerciseIndication(
        exercise=exercise,
        measure_code=measure_code,
        finding_kind=finding_kind,
        reason=reason,
        priority=priority,
    )
    row.full_clean()
    with transaction.atomic():
        row.save()
        audit_record(actor=by, action="create", request=request, target=row)
    return row


def indication_remove(*, indication: ExerciseIndication, by, request=None) -> None:
    with transaction.atomic():
        audit_record(actor=by, action="delete", request=request, target=indication)
        indication.delete()


def pain_rule_update(*, by, green_max: int, amber_max: int, request=None) -> PainMonitoringRule:
    rule = PainMonitoringRule.load()
    rule.green_max, rule.amber_max = green_max, amber_max
    if not 0 <= green_max < amber_max <= 9:
        raise ValidationError("Bands must satisfy 0 ≤ green limit < amber limit ≤ 9.")
    with transaction.atomic():
        rule.save(update_fields=["green_max", "amber_max", "updated_at"])
        audit_record(
            actor=by,
            action="update",
            request=request,
            target=rule,
            detail={"green_max": green_max, "amber_max": amber_max},
        )
    return rule


# --- Programs ------------------------------------------------------------------


def _renumber(version: ProgramVersion, ordered: list[ProgramItem]) -> None:
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position", "updated_at"])


def program_draft(*, client, by, request=None) -> ProgramVersion:
    """The client's open draft; a new one starts as a copy of the latest issued version."""
    draft = ProgramVersion.objects.for_client(client).drafts().first()
    if draft is not None:
        return draft
    base = ProgramVersion.objects.for_client(client).latest_issued()
    with transaction.atomic():
        draft = ProgramVersion(client=client, created_by=by, based_on=base)
        draft.full_clean()
        draft.save()
        if base is not None:
            for item in ProgramItem.objects.filter(version=base).order_by("position", "id"):
                copy = ProgramItem(
                    version=draft,
                    exercise_id=item.exercise_id,
                    position=item.position,
                    source_code=item.source_code,
                    **{name: getattr(item, name) for name in ITEM_FIELDS},
                )
                copy.save()
        audit_record(
            actor=by,
            action="create",
            request=request,
            client=client,
            target=draft,
            detail={"based_on": base.number if base else None},
        )
    return draft


def _require_draft(version: ProgramVersion) -> None:
    if version.is_signed:
        raise RecordLocked("This program version is issued and cannot change. Start a new version.")


def program_item_add(
    *,
    draft: ProgramVersion,
    exercise: Exercise,
    by,
    reason: str = "",
    source_code: str = "",
    side: str = "",
    request=None,
) -> ProgramItem:
    """Add a library exercise with its default dosage to the end of a draft."""
    _require_draft(draft)
    if ProgramItem.objects.filter(version=draft, exercise=exercise).exists():
        raise ValidationError(f"{exercise.name} is already in this program.")
    last = ProgramItem.objects.filter(version=draft).order_by("-position").values_list("position", flat=True)
    item = ProgramItem(
        version=draft,
        exercise=exercise,
        position=(last.first() or 0) + 1,
        sets=exercise.sets,
        reps=exercise.reps,
        hold_seconds=exercise.hold_seconds,
        tempo=exercise.tempo,
        frequency=exercise.frequency,
        side=side,
        reason=reason[:200],
        source_code=source_code,
    )
    item.full_clean()
    with transaction.atomic():
        try:
            item.save()
        except IntegrityError:
            raise ValidationError(f"{exercise.name} is already in this program.") from None
        audit_record(
            actor=by,
            action="update",
            request=request,
            client=draft.client_id,
            target=draft,
            detail={"added": exercise.name},
        )
    return item


def program_items_add_suggested(*, draft: ProgramVersion, suggestions, by, limit: int, request=None) -> list:
    """Add suggestions (best first) until the draft holds ``limit`` exercises; each
    item keeps its suggestion's reason, finding code and side. All or nothing."""
    _require_draft(draft)
    added = []
    with transaction.atomic():
        present = set(ProgramItem.objects.filter(version=draft).values_list("exercise_id", flat=True))
        for suggestion in suggestions:
            if len(present) >= limit:
                break
            if suggestion.exercise.pk in present:
                continue
            added.append(
                program_item_add(
                    draft=draft,
                    exercise=suggestion.exercise,
                    by=by,
                    reason=suggestion.reason,
                    source_code=suggestion.code,
                    side=suggestion.side,
                    request=request,
                )
            )
            present.add(suggestion.exercise.pk)
    return added


def program_item_update(*, item: ProgramItem, by, data: dict[str, Any], request=None) -> ProgramItem:
    _require_draft(item.version)
    changed = [n for n in ITEM_FIELDS if n in data and getattr(item, n) != data[n]]
    for name in changed:
        setattr(item, name, data[name])
    item.full_clean()
    if changed:
        with transaction.atomic():
            item.save(update_fields=[*changed, "updated_at"])
            audit_record(
                actor=by,
                action="update",
                request=request,
                client=item.version.client_id,
                target=item.version,
                detail={"item": item.exercise.name, "fields": changed},
            )
    return item


def program_item_remove(*, item: ProgramItem, by, request=None) -> None:
    version = item.version
    _require_draft(version)
    with transaction.atomic():
        name = item.exercise.name
        item.delete()
        _renumber(version, list(ProgramItem.objects.filter(version=version).order_by("position", "id")))
        audit_record(
            actor=by,
            action="update",
            request=request,
            client=version.client_id,
            target=version,
            detail={"removed": name},
        )


def program_item_move(*, item: ProgramItem, by, offset: int, request=None) -> None:
    """Move an item up (offset -1) or down (+1) in its draft."""
    version = item.version
    _require_draft(version)
    with transaction.atomic():
        items = list(ProgramItem.objects.filter(version=version).order_by("position", "id"))
        index = next(i for i, row in enumerate(items) if row.pk == item.pk)
        target = max(0, min(len(items) - 1, index + offset))
        items.insert(target, items.pop(index))
        _renumber(version, items)


def program_issue(
    *,
    version: ProgramVersion,
    by,
    start_date: date | None = None,
    review_date: date | None = None,
    visit=None,
    request=None,
    now=None,
) -> ProgramVersion:
    """Issue a draft: give it the next number and sign it. From here on the
    version and its items are locked; a later change starts a new draft."""
    _require_draft(version)
    if not by.is_therapist:
        raise ValidationError("Only a therapist can issue a program.")
    start_date = start_date or timezone.localdate()
    review_date = review_date or start_date + timedelta(weeks=DEFAULT_REVIEW_WEEKS)
    if review_date < start_date:
        raise ValidationError({"review_date": "The review date must be on or after the start date."})
    if visit is not None and visit.client_id != version.client_id:
        raise ValidationError({"visit": "That visit belongs to another client."})
    with transaction.atomic():
        locked = ProgramVersion.objects.select_for_update().get(pk=version.pk)
        _require_draft(locked)
        if not ProgramItem.objects.filter(version=version).exists():
            raise ValidationError("Add at least one exercise before issuing the program.")
        last = ProgramVersion.objects.for_client(version.client_id).issued().order_by("-number").first()
        version.number = (last.number if last else 0) + 1
        version.start_date = start_date
        version.review_date = review_date
        if visit is not None:
            version.issued_at_visit = visit
        version.signed_at = now or timezone.now()
        version.signed_by = by
        version.signature_line = by.signature_line
        version.full_clean()
        version.save()
        audit_record(
            actor=by,
            action="issue",
            request=request,
            client=version.client_id,
            target=version,
            detail={"number": version.number},
        )
    return version


def program_draft_discard(*, draft: ProgramVersion, by, request=None) -> None:
    _require_draft(draft)
    with transaction.atomic():
        audit_record(actor=by, action="delete", request=request, client=draft.client_id, target=draft)
        ProgramItem.objects.filter(version=draft).delete()
        draft.delete()


# --- Adherence -----------------------------------------------------------------


def adherence_record(
    *, client, by, rows: list[dict[str, Any]], recorded_on: date | None = None, visit=None, request=None
) -> list[Adherence]:
    """Record (or correct, before the visit note is signed) what the client did per
    exercise. Each row: item, days_per_week, pain_response, comment."""
    recorded_on = recorded_on or (
        timezone.localtime(visit.service_at).date() if visit else timezone.localdate()
    )
    saved: list[Adherence] = []
    with transaction.atomic():
        for row in rows:
            item = row["item"]
            if item.version.client_id != client.pk or not item.version.is_signed:
                raise ValidationError("That exercise is not part of this client's issued program.")
            existing = Adherence.objects.filter(item=item, recorded_on=recorded_on).first()
            record = existing or Adherence(client=client, item=item, recorded_on=recorded_on)
            record.recorded_by = by
            record.days_per_week = row["days_per_week"]
            record.pain_response = row["pain_response"]
            record.comment = row.get("comment", "")
            if visit is not None:
                record.visit = visit
            record.full_clean()
            record.save()
            saved.append(record)
        audit_record(
            actor=by,
            action="create",
            request=request,
            client=client,
            target=saved[0] if saved else None,
            detail={"adherence_rows": len(saved), "recorded_on": recorded_on.isoformat()},
        )
    return saved
