"""Writes for the programs app. Every function is keyword-only, validates with
full_clean() before saving, runs multi-row writes in one transaction and
writes an audit row."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.log import audit_record, audited_save
from clinic.authorship import acting_detail, check_author, may_act_as_author, signature_line_for
from clinic.dates import check_clinical_date
from core.errors import Conflict
from core.records import NotTheAuthor, RecordLocked
from core.services import model_changes, model_update
from notes.models import Amendment, VisitNote
from notes.safety import safety_for_client
from programs.models import (
    Adherence,
    Exercise,
    ExerciseIndication,
    PainMonitoringRule,
    ProgramItem,
    ProgramVersion,
    ReferralOption,
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
    "kind",
    "cautions",
    "safety_tags",
    "low_capacity",
    "pronated_feet_only",
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
OVERRIDE_FIELDS = ["override_reason", "override_conflicts"]


# --- Safety rules ----------------------------------------------------------------


class _ClientSafety:
    """The client's active safety rules, read from the health screen only when an
    exercise with safety tags is checked (untagged exercises cost no queries)."""

    def __init__(self, client):
        self.client = client
        self._safety = None

    def modality_conflicts(self, tags) -> list[str]:
        if self._safety is None:
            self._safety = safety_for_client(self.client)
        return self._safety.modality_conflicts(tags)


def client_safety(client) -> _ClientSafety:
    """The client's active safety rules (the interlock of the health screen)."""
    return _ClientSafety(client)


def exercise_conflicts(*, safety, exercise: Exercise) -> list[str]:
    """Why the client's active safety rules advise against this exercise, in plain
    words (empty when nothing does)."""
    if not exercise.safety_tags:
        return []
    return list(safety.modality_conflicts(exercise.safety_tags))


def _uncovered(conflicts: list[str], overridden: list[str]) -> list[str]:
    """Conflicts an item's stored override does not already answer."""
    return [c for c in conflicts if c not in set(overridden or [])]


def _override_refusal(exercise: Exercise, conflicts: list[str]) -> ValidationError:
    return ValidationError(
        {
            "override_reason": (
                f"{exercise.name} was not added: {' '.join(conflicts)} "
                "To give it anyway, write your reason for the override."
            )
        }
    )


# --- Library -------------------------------------------------------------------


def exercise_create(*, by, data: dict[str, Any], illustration=None) -> Exercise:
    exercise = Exercise(created_by=by, **{k: v for k, v in data.items() if k in EXERCISE_FIELDS})
    if illustration is not None:
        exercise.illustration.save(illustration.name, illustration, save=False)
    exercise.full_clean()
    with transaction.atomic():
        exercise.save()
        audit_record(actor=by, action="create", target=exercise)
    return exercise


def exercise_update(
    *,
    exercise: Exercise,
    by,
    data: dict[str, Any],
    illustration=None,
    remove_illustration: bool = False,
) -> Exercise:
    changed = model_changes(instance=exercise, fields=EXERCISE_FIELDS, data=data)
    if illustration is not None:
        exercise.illustration.save(illustration.name, illustration, save=False)
        changed.append("illustration")
    elif remove_illustration and exercise.illustration:
        exercise.illustration = ""
        changed.append("illustration")
    exercise.full_clean()
    with transaction.atomic():
        exercise.save()
        audit_record(actor=by, action="update", target=exercise, detail={"fields": changed})
    return exercise


def exercise_set_active(*, exercise: Exercise, by, active: bool) -> Exercise:
    """Retire an exercise from the library (or bring it back). Programs that
    already use it keep it: retired exercises are never deleted."""
    exercise.is_active = active
    with transaction.atomic():
        exercise.save(update_fields=["is_active", "updated_at"])
        audit_record(actor=by, action="update", target=exercise, detail={"is_active": active})
    return exercise


def indication_add(
    *,
    exercise: Exercise,
    by,
    measure_code: str,
    finding_kind: str,
    reason: str,
    priority: int = 10,
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
        audit_record(actor=by, action="create", target=row)
    return row


def indication_remove(*, indication: ExerciseIndication, by) -> None:
    with transaction.atomic():
        record = copy.copy(indication)  # delete() clears the primary key the audit row names
        indication.delete()
        audit_record(actor=by, action="delete", target=record)


def pain_rule_update(*, by, green_max: int, amber_max: int) -> PainMonitoringRule:
    rule = PainMonitoringRule.load()
    rule.green_max, rule.amber_max = green_max, amber_max
    if not 0 <= green_max < amber_max <= 9:
        raise ValidationError("Bands must satisfy 0 ≤ green limit < amber limit ≤ 9.")
    with transaction.atomic():
        rule.save(update_fields=["green_max", "amber_max", "updated_at"])
        audit_record(
            actor=by,
            action="update",
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


class ProgramConflict(Conflict):
    """The draft changed elsewhere (another tab or device) after this copy was loaded."""

    message = (
        "This draft program was changed in another tab or window after you opened it. Your change "
        "was NOT saved, so nothing was overwritten. The program below is the saved version; what "
        "you typed is still in its form."
    )


def not_author_message(draft: ProgramVersion) -> str:
    who = draft.created_by.display_name if draft.created_by_id else "another therapist"
    return (
        f"This draft program was started by {who}: only they can change, issue or discard it. "
        "It can be revised after it is issued."
    )


def program_draft(*, client, by) -> ProgramVersion:
    """The client's open draft; a new one starts as a copy of the latest issued
    version. A draft is its author's: another therapist's open draft is refused."""
    return _program_draft(client=client, by=by)[0]


def _program_draft(*, client, by) -> tuple[ProgramVersion, bool]:
    """The client's open draft, and whether it was started now."""
    draft = ProgramVersion.objects.for_client(client).drafts().select_related("created_by").first()
    if draft is not None:
        check_author(author_id=draft.created_by_id, by=by, message=not_author_message(draft))
        return draft, False
    if not by.is_therapist:
        raise NotTheAuthor("Only a therapist writes a home program.")
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
                    **{name: getattr(item, name) for name in [*ITEM_FIELDS, *OVERRIDE_FIELDS]},
                )
                copy.save()
        audit_record(
            actor=by,
            action="create",
            client=client,
            target=draft,
            detail={"based_on": base.number if base else None},
        )
    return draft, True


def _require_draft(version: ProgramVersion) -> None:
    if version.is_signed:
        raise RecordLocked("This program version is issued and cannot change. Start a new version.")


def _draft_for_write(version: ProgramVersion, by, revision: int | None = None) -> ProgramVersion:
    """Reload the draft for writing (row lock on PostgreSQL), and check that it is
    still a draft, that ``by`` started it and, when ``revision`` is given, that
    nobody changed it since that revision was loaded. Call inside a transaction."""
    current = ProgramVersion.objects.select_for_update(no_key=True).get(pk=version.pk)
    _require_draft(current)
    if not may_act_as_author(author_id=current.created_by_id, by=by):
        raise NotTheAuthor(
            not_author_message(ProgramVersion.objects.select_related("created_by").get(pk=current.pk))
        )
    if revision is not None and int(revision) != current.revision:
        raise ProgramConflict()
    return current


def _touch(current: ProgramVersion, version: ProgramVersion | None = None) -> None:
    """Every change to a draft bumps its revision, so a stale form is refused."""
    current.revision += 1
    # The revision guards the editing screen; it is not clinical content, so the
    # change history keeps the item changes and not each bump.
    current.skip_history_when_saving = True
    current.save(update_fields=["revision", "updated_at"])
    del current.skip_history_when_saving
    if version is not None:
        version.revision = current.revision


def program_item_add(
    *,
    draft: ProgramVersion,
    exercise: Exercise,
    by,
    reason: str = "",
    source_code: str = "",
    side: str = "",
    override_reason: str = "",
    safety=None,
    locked: ProgramVersion | None = None,
) -> ProgramItem:
    """Add a library exercise with its default dosage to the end of a draft.

    An exercise the client's active safety rules advise against is refused
    unless ``override_reason`` gives a written reason (blank or whitespace is no
    reason); the reason and the rules it overrode are kept on the item and the
    override is audited as its own action. ``locked`` is the draft already
    locked by a caller adding several items in one transaction (its row lock
    comes before the first audit row, as the audit lock order requires)."""
    _require_draft(draft)
    with transaction.atomic():
        current = locked if locked is not None else _draft_for_write(draft, by)
        if ProgramItem.objects.filter(version=draft, exercise=exercise).exists():
            raise ValidationError(f"{exercise.name} is already in this program.")
        if safety is None and exercise.safety_tags:
            safety = client_safety(draft.client)
        conflicts = exercise_conflicts(safety=safety, exercise=exercise)
        override_reason = (override_reason or "").strip()
        if conflicts and not override_reason:
            raise _override_refusal(exercise, conflicts)
        last = (
            ProgramItem.objects.filter(version=draft).order_by("-position").values_list("position", flat=True)
        )
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
            override_reason=override_reason if conflicts else "",
            override_conflicts=conflicts,
        )
        item.full_clean()
        try:
            item.save()
        except IntegrityError:  # the outer transaction rolls back with the error
            raise ValidationError(f"{exercise.name} is already in this program.") from None
        _touch(current, draft)
        audit_record(
            actor=by,
            action="update",
            client=draft.client_id,
            target=draft,
            detail={"added": exercise.name},
        )
        if conflicts:
            _audit_override(item=item, by=by)
    return item


def _audit_override(*, item: ProgramItem, by) -> None:
    audit_record(
        actor=by,
        action="safety_override",
        client=item.version.client_id,
        target=item.version,
        detail={
            "exercise": item.exercise.name,
            "reason": item.override_reason,
            "overridden": item.override_conflicts,
        },
    )


def program_exercise_add(
    *,
    client,
    exercise: Exercise,
    by,
    reason: str = "",
    source_code: str = "",
    side: str = "",
    override_reason: str = "",
) -> ProgramItem:
    """Add an exercise to the client's draft, starting the draft if there is none.
    All or nothing: a refused exercise leaves no new draft behind."""
    with transaction.atomic():
        draft, started = _program_draft(client=client, by=by)
        # A draft started in this transaction is not visible to anyone else yet: it
        # needs no row lock (and one after its audit row would break the lock order).
        return program_item_add(
            locked=draft if started else None,
            draft=draft,
            exercise=exercise,
            by=by,
            reason=reason,
            source_code=source_code,
            side=side,
            override_reason=override_reason,
            safety=client_safety(client),
        )


def program_item_override(
    *, item: ProgramItem, by, override_reason: str, revision: int | None = None
) -> ProgramItem:
    """Keep an exercise in a draft although the client's safety rules now advise
    against it (rules added since it was chosen), with a written reason. Only the
    draft's author does so."""
    _require_draft(item.version)
    with transaction.atomic():
        current = _draft_for_write(item.version, by, revision)
        conflicts = exercise_conflicts(safety=client_safety(item.version.client), exercise=item.exercise)
        override_reason = (override_reason or "").strip()
        if not conflicts:
            raise ValidationError(
                "The client's safety rules do not advise against this exercise: no override is needed."
            )
        if not override_reason:
            why = " ".join(conflicts)
            raise ValidationError(
                {"override_reason": f"Write your reason for keeping {item.exercise.name}: {why}"}
            )
        item.override_reason = override_reason
        item.override_conflicts = conflicts
        item.full_clean()
        item.save(update_fields=[*OVERRIDE_FIELDS, "updated_at"])
        _touch(current, item.version)
        _audit_override(item=item, by=by)
    return item


def program_items_add_suggested(*, draft: ProgramVersion, suggestions, by, limit: int) -> list:
    """Add suggestions (best first) until the draft holds ``limit`` exercises; each
    item keeps its suggestion's reason, finding code and side. Suggestions the
    client's safety rules advise against are skipped (they need a written
    override, one at a time). All or nothing."""
    _require_draft(draft)
    added = []
    safety = client_safety(draft.client)
    with transaction.atomic():
        current = _draft_for_write(draft, by)
        present = set(ProgramItem.objects.filter(version=draft).values_list("exercise_id", flat=True))
        for suggestion in suggestions:
            if len(present) >= limit:
                break
            if suggestion.exercise.pk in present:
                continue
            if exercise_conflicts(safety=safety, exercise=suggestion.exercise):
                continue
            added.append(
                program_item_add(
                    draft=draft,
                    exercise=suggestion.exercise,
                    by=by,
                    reason=suggestion.reason,
                    source_code=suggestion.code,
                    side=suggestion.side,
                    safety=safety,
                    locked=current,
                )
            )
            present.add(suggestion.exercise.pk)
    return added


def program_item_update(
    *, item: ProgramItem, by, data: dict[str, Any], revision: int | None = None
) -> ProgramItem:
    """Change an item's dosage. ``revision`` is the draft's revision the form was
    loaded at: a stale save raises ProgramConflict and writes nothing."""
    _require_draft(item.version)
    with transaction.atomic():
        current = _draft_for_write(item.version, by, revision)
        item, changed = model_update(instance=item, fields=ITEM_FIELDS, data=data)
        if changed:
            _touch(current, item.version)
            audit_record(
                actor=by,
                action="update",
                client=item.version.client_id,
                target=item.version,
                detail={"item": item.exercise.name, "fields": changed},
            )
    return item


def program_item_remove(*, item: ProgramItem, by, revision: int | None = None) -> None:
    version = item.version
    _require_draft(version)
    with transaction.atomic():
        current = _draft_for_write(version, by, revision)
        name = item.exercise.name
        item.delete()
        _renumber(version, list(ProgramItem.objects.filter(version=version).order_by("position", "id")))
        _touch(current, version)
        audit_record(
            actor=by,
            action="update",
            client=version.client_id,
            target=version,
            detail={"removed": name},
        )


def program_item_move(*, item: ProgramItem, by, offset: int, revision: int | None = None) -> None:
    """Move an item up (offset -1) or down (+1) in its draft. A move leaves an audit
    row naming the exercise and its new place; an item already first (or last)
    stays where it is and nothing is recorded."""
    version = item.version
    _require_draft(version)
    with transaction.atomic():
        current = _draft_for_write(version, by, revision)
        items = list(
            ProgramItem.objects.filter(version=version).select_related("exercise").order_by("position", "id")
        )
        index = next(i for i, row in enumerate(items) if row.pk == item.pk)
        target = max(0, min(len(items) - 1, index + offset))
        items.insert(target, items.pop(index))
        _renumber(version, items)
        _touch(current, version)
        if target != index:
            audit_record(
                actor=by,
                action="update",
                client=version.client_id,
                target=version,
                detail={"moved": items[target].exercise.name, "position": f"{target + 1} of {len(items)}"},
            )


def program_issue(
    *,
    version: ProgramVersion,
    by,
    start_date: date | None = None,
    review_date: date | None = None,
    visit=None,
    revision: int | None = None,
    referrals=(),
    now=None,
) -> ProgramVersion:
    """Issue a draft: give it the next number and sign it. From here on the
    version and its items are locked; a later change starts a new draft. Only the
    therapist who started the draft issues it; ``revision`` (the one the page
    showed) refuses to issue content changed since in another tab."""
    _require_draft(version)
    if not by.is_therapist:
        raise ValidationError("Only a therapist can issue a program.")
    start_date = start_date or timezone.localdate()
    review_date = review_date or start_date + timedelta(weeks=DEFAULT_REVIEW_WEEKS)
    check_clinical_date(start_date, client=version.client, field="start_date")
    if review_date < start_date:
        raise ValidationError({"review_date": "The review date must be on or after the start date."})
    if visit is not None and visit.client_id != version.client_id:
        raise ValidationError({"visit": "That visit belongs to another client."})
    recommended = referral_snapshot(referrals)
    with transaction.atomic():
        locked = _draft_for_write(version, by, revision)
        items = list(ProgramItem.objects.filter(version=version).select_related("exercise"))
        if not items:
            raise ValidationError("Add at least one exercise before issuing the program.")
        _check_overrides(version, items)
        last = ProgramVersion.objects.for_client(version.client_id).issued().order_by("-number").first()
        version.number = (last.number if last else 0) + 1
        version.start_date = start_date
        version.review_date = review_date
        version.revision = locked.revision + 1
        if visit is not None:
            version.issued_at_visit = visit
        version.signed_at = now or timezone.now()
        version.signed_by = by
        version.referrals = recommended
        author = by if locked.created_by_id == by.pk else locked.created_by
        version.signature_line = signature_line_for(author=author, by=by)
        audited_save(
            instance=version,
            by=by,
            action="issue",
            client=version.client_id,
            detail={
                "number": version.number,
                "refer_or_discuss": [r["name"] for r in version.referrals],
                **acting_detail(author=author, by=by),
            },
        )
    return version


def referral_snapshot(options) -> list[dict[str, str]]:
    """The "refer / discuss with" recommendations of a version, as they read now.
    Only active catalogue entries; each once, in catalogue order."""
    chosen = {getattr(o, "pk", o) for o in options or ()}
    if not chosen:
        return []
    rows = ReferralOption.objects.active().filter(pk__in=chosen)
    if len(rows) != len(chosen):
        raise ValidationError({"referrals": "Choose recommendations from the list."})
    return [{"name": r.name, "refer_to": r.refer_to, "reason": r.reason} for r in rows]


def _check_overrides(version: ProgramVersion, items: list[ProgramItem]) -> None:
    """Every item the client's safety rules advise against carries an override
    that answers each of those rules (rules may have changed since it was added)."""
    if not any(item.exercise.safety_tags for item in items):
        return
    safety = client_safety(version.client)
    problems = []
    for item in items:
        conflicts = exercise_conflicts(safety=safety, exercise=item.exercise)
        missing = _uncovered(conflicts, item.override_conflicts)
        if missing:
            problems.append(f"{item.exercise.name}: {' '.join(missing)}")
    if problems:
        raise ValidationError(
            "Not issued. The client's safety rules advise against: "
            + " ".join(problems)
            + " Remove the exercise or record your reason for the override."
        )


def program_draft_discard(*, draft: ProgramVersion, by, revision: int | None = None) -> None:
    _require_draft(draft)
    record = copy.copy(draft)  # delete() clears the primary key the audit row names
    with transaction.atomic():
        _draft_for_write(draft, by, revision)
        ProgramItem.objects.filter(version=draft).delete()
        draft.delete()
        audit_record(actor=by, action="delete", client=record.client_id, target=record)


# --- Adherence -----------------------------------------------------------------


ADHERENCE_NOT_AUTHOR = "Only the therapist who wrote this visit note can record adherence on it."


def _visit_for_adherence(visit, by):
    """Lock the visit note and check that its adherence may change: a draft, not
    entered in error, written by ``by``."""

    current = VisitNote.objects.select_for_update(no_key=True).get(pk=visit.pk)
    if current.is_signed:
        raise RecordLocked("This note is signed; adherence for it can no longer change.")
    if Amendment.objects.filter(note=current, kind=Amendment.Kind.ENTERED_IN_ERROR).exists():
        raise RecordLocked("This note is marked entered in error and cannot change.")
    check_author(author_id=current.therapist_id, by=by, message=ADHERENCE_NOT_AUTHOR)
    return current


def adherence_record(
    *, client, by, rows: list[dict[str, Any]], recorded_on: date | None = None, visit=None
) -> list[Adherence]:
    """Record (or correct, before the visit note is signed) what the client did per
    exercise. Each row: item, days_per_week, pain_response, comment.

    With a ``visit``, the rows belong to that note alone: saving them never moves
    another note's rows, and only the note's author writes them while it is a
    draft. Without one (the program page), a row is one per exercise a day, and
    only the therapist who recorded it corrects it."""
    if not by.is_therapist:
        raise NotTheAuthor("Only a therapist records adherence.")
    saved: list[Adherence] = []
    # The bands the client answered in, kept with each row (read only: a refused
    # recording writes nothing, not even the default rule row).
    rule = PainMonitoringRule.objects.filter(pk=1).first() or PainMonitoringRule()
    with transaction.atomic():
        if visit is not None:
            visit = _visit_for_adherence(visit, by)
            if visit.client_id != client.pk:
                raise ValidationError("That visit belongs to another client.")
        recorded_on = recorded_on or (
            timezone.localtime(visit.service_at).date() if visit else timezone.localdate()
        )
        # One recording per exercise at a time, so two therapists recording at once find
        # each other's row instead of both inserting it (a unique-key error). Locked in id
        # order, so two recordings never wait on each other crosswise.
        list(
            ProgramItem.objects.select_for_update(no_key=True)
            .filter(pk__in=sorted(row["item"].pk for row in rows))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for row in rows:
            item = row["item"]
            if item.version.client_id != client.pk or not item.version.is_signed:
                raise ValidationError("That exercise is not part of this client's issued program.")
            if visit is not None:
                existing = Adherence.objects.filter(item=item, visit=visit).first()
            else:
                existing = Adherence.objects.filter(
                    item=item, recorded_on=recorded_on, visit__isnull=True
                ).first()
                if existing is not None and existing.recorded_by_id != by.pk:
                    raise NotTheAuthor(
                        "Another therapist recorded this exercise's adherence today: "
                        "only they can correct it."
                    )
            record = existing or Adherence(client=client, item=item, recorded_on=recorded_on, visit=visit)
            record.recorded_by = by
            record.days_per_week = row["days_per_week"]
            record.pain_response = row["pain_response"]
            record.green_max, record.amber_max = rule.green_max, rule.amber_max
            record.comment = row.get("comment", "")
            record.full_clean()
            record.save()
            saved.append(record)
        overall = None
        if visit is not None:
            overall = _note_overall_adherence(visit)
        audit_record(
            actor=by,
            action="create",
            client=client,
            target=saved[0] if saved else None,
            detail={
                "adherence_rows": len(saved),
                "recorded_on": recorded_on.isoformat(),
                "visit": visit.pk if visit is not None else None,
                **({"hep_adherence": overall} if overall is not None else {}),
                # A named supervisor recording on a supervisee's note: the row says so.
                **(
                    acting_detail(author=visit.therapist, by=by)
                    if visit is not None and visit.therapist_id != by.pk
                    else {}
                ),
            },
        )
    return saved


def overall_adherence(days_per_week: list[int]) -> str:
    """The visit note's one-line home-program adherence, derived from the days done
    per week of each exercise: every exercise every day, most days (4 or more on
    average), some days, or not done."""

    if not days_per_week:
        return VisitNote.Adherence.NOT_ASKED
    if all(days >= 7 for days in days_per_week):
        return VisitNote.Adherence.DAILY
    average = sum(days_per_week) / len(days_per_week)
    if average >= 4:
        return VisitNote.Adherence.MOST
    if average > 0:
        return VisitNote.Adherence.SOME
    return VisitNote.Adherence.NOT_DONE


def _note_overall_adherence(visit) -> str:
    """Store on the draft note the overall adherence its per-exercise rows give (the
    note page no longer asks for it separately), so the note and its PDF say it. The
    note's version is not bumped: the editor does not hold this field."""

    days = list(Adherence.objects.filter(visit=visit).values_list("days_per_week", flat=True))
    overall = overall_adherence(days)
    if overall != visit.hep_adherence:
        VisitNote.objects.filter(pk=visit.pk).update(hep_adherence=overall)
        visit.hep_adherence = overall
    return overall
