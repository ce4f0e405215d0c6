"""Writes for visit notes: create, autosave, treatment log, sign, amend.

Every function is keyword-only, runs in a transaction when it writes more than
one row, calls ``full_clean()`` before saving and writes one audit row.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from assessments.services import assessment_sign
from audit.log import audit_record, audited_save
from clinic.authorship import acting_detail, may_act_as_author, signature_line_for
from clinic.dates import check_clinical_date
from clinic.models import Client, User
from core.errors import Conflict
from core.records import NotTheAuthor, RecordLocked
from core.services import model_changes
from notes import discharge
from notes.models import (
    Amendment,
    BodyRegion,
    NoteTemplate,
    PalpationFinding,
    SafetyOverride,
    Snippet,
    Technique,
    Treatment,
    VisitNote,
)
from notes.safety import Safety, safety_for_client
from notes.scaffolding import scaffolding_problem

LATE_ENTRY_AFTER = timedelta(hours=24)

# Fields a therapist edits on a draft (S, O, A, P and the visit header).
EDITABLE_FIELDS = (
    "service_at",
    "duration_minutes",
    "kind",
    "chief_complaint",
    "focus",
    "nprs_first_step",
    "nprs_rest",
    "nprs_worst_24h",
    "change_since_last",
    "hep_adherence",
    "hep_response",
    "screen_changed",
    "screen_change_details",
    "subjective",
    "objective",
    "analysis",
    "plan_next",
    "frequency",
    "goals",
    "referrals",
    "hep_change",
    "discharge_reason",
    "discharge_detail",
)
# Kept out of the signature's "fields" (note_content adds them in their own part,
# for discharge notes only), so notes signed before they existed keep their hash.
DISCHARGE_FIELDS = ("discharge_reason", "discharge_detail")
TEXT_FIELDS = (
    "chief_complaint",
    "focus",
    "subjective",
    "objective",
    "analysis",
    "plan_next",
    "frequency",
    "goals",
    "referrals",
)
# Fields checked for template scaffolding before signing, with the name the message uses.
SCAFFOLD_LABELS = {
    "chief_complaint": "The chief complaint",
    "subjective": "S",
    "objective": "O",
    "analysis": "A",
    "plan_next": "P",
    "goals": "Goals",
    "frequency": "Frequency",
    "referrals": "Referrals",
    "focus": "Today's focus",
}
# Copy-forward: "stable history" carried unchanged, and last plan -> today's focus.
CARRIED_STABLE = ("chief_complaint", "goals", "frequency", "referrals")


class NoteConflict(Conflict):
    """The draft was saved elsewhere (another tab or device) after this copy was loaded."""

    message = (
        "This note was saved in another tab or window after you opened it. Your changes here were "
        "NOT saved, so nothing was overwritten. Copy anything you need, then reload the note."
    )


class NotePermissionError(NotTheAuthor):
    """Only the note's own therapist writes or signs a draft, marks it entered in
    error or amends it."""

    message = "Only the therapist who wrote this draft can change or sign it."


AMEND_REFUSED = (
    "Only the therapist who wrote this note can add an addendum or correction to it, "
    "or mark it entered in error."
)


class InterlockRefused(ValidationError):
    """The safety interlock refused a write. The messages say which rule, beside
    the field it concerns; an override (reason, re-check, password) may allow it."""


@dataclass(frozen=True)
class OverrideRequest:
    """A therapist's override of the interlock, as the form gave it. The password is
    checked by the caller (it needs the request); ``reauthenticated`` says whether it was."""

    reason: str
    recheck_confirmed: bool
    reauthenticated: bool
    password_error: str = "Enter your password to override the safety rule."


def _override_errors(override: OverrideRequest) -> dict[str, str]:
    if not (override.reason or "").strip():
        return {"override_reason": "Write why you are treating despite the safety rule."}
    if not override.recheck_confirmed:
        return {
            "override_recheck": "Confirm that you re-checked the health screen with the client at this visit."
        }
    if not override.reauthenticated:
        return {"override_password": override.password_error}
    return {}


def _override_save(
    *,
    note: VisitNote,
    by: User,
    override: OverrideRequest,
    problems: list[str],
    consent: str,
    at: datetime | None = None,
    **row,
) -> SafetyOverride:
    record = SafetyOverride(
        note=note,
        kind=SafetyOverride.Kind.TREATMENT if row else SafetyOverride.Kind.CONSENT,
        problems=[*problems, *([consent] if consent else [])],
        covers_consent=bool(consent),
        reason=override.reason.strip(),
        recheck_confirmed=True,
        by=by,
        at=at or timezone.now(),
        **row,
    )
    audited_save(
        instance=record,
        by=by,
        action="safety_override",
        client=note.client_id,
        detail={"note": note.pk, "kind": record.kind, "problems": record.problems, **_acting(note, by)},
    )
    return record


# --- Helpers -------------------------------------------------------------------------


def _in_error(note: VisitNote) -> bool:
    annotated = getattr(note, "in_error", None)
    if annotated is not None:
        return bool(annotated)
    return note.amendments.filter(kind=Amendment.Kind.ENTERED_IN_ERROR).exists()


def _fresh_draft(note: VisitNote, by: User) -> VisitNote:
    """Reload the note for writing (row lock on PostgreSQL; SQLite's IMMEDIATE
    transactions already serialise writers) and check it may change. Only the
    note's row is locked, FOR NO KEY UPDATE: a colleague's new note or adherence
    for the same client (whose foreign-key checks share-lock the client row) never
    waits for it (see audit.log on lock order)."""
    current = (
        VisitNote.objects.select_for_update(of=("self",), no_key=True)
        .select_related("client", "therapist")
        .get(pk=note.pk)
    )
    if current.is_signed:
        raise RecordLocked()
    if _in_error(current):
        raise RecordLocked("This note is marked entered in error and cannot change.")
    if not may_act_as_author(author_id=current.therapist_id, by=by):
        raise NotePermissionError()
    return current


def _acting(note: VisitNote, by: User) -> dict:
    """Audit detail naming the supervisee when a named supervisor wrote on their note."""
    return acting_detail(author=note.therapist, by=by)


def _check_version(current: VisitNote, version: int | None) -> None:
    if version is None or int(version) != current.version:
        raise NoteConflict()


def _bump(current: VisitNote) -> None:
    current.version += 1


# --- Create -----------------------------------------------------------------------------


@transaction.atomic
def note_create(
    *,
    client: Client,
    by: User,
    service_at: datetime,
    duration_minutes: int = 60,
    template: str = "",
    copy_forward: bool = True,
) -> VisitNote:
    """Start a draft. Copy-forward takes the last signed visit's plan as today's
    focus, its stable history and its treatments, all marked for review; a
    template then fills whatever is still empty."""
    if not by.is_therapist:
        raise NotePermissionError()
    check_clinical_date(service_at, client=client, field="service_at")
    note = VisitNote(client=client, therapist=by, service_at=service_at, duration_minutes=duration_minutes)
    if template:
        note.kind = template
    carried: list[str] = []
    previous = None
    if copy_forward:
        previous = VisitNote.objects.previous_for(client, before=service_at).first()
    if previous is not None:
        note.carried_forward_from = previous
        if previous.plan_next:
            note.focus = previous.plan_next
            carried.append("focus")
        for name in CARRIED_STABLE:
            value = getattr(previous, name)
            if value:
                setattr(note, name, value)
                carried.append(name)
    if template:
        tpl = NoteTemplate.objects.filter(kind=template).first()
        if tpl is not None:
            for name, text in tpl.content.items():
                if name in TEXT_FIELDS and not getattr(note, name):
                    setattr(note, name, text)
    note.carried_fields = carried
    note.full_clean()
    note.save()
    copied = 0
    if previous is not None:
        copied = len(_copy_treatments(source=previous, target=note, therapist=by))
    audit_record(
        actor=by,
        action="create",
        client=client,
        target=note,
        detail={
            "template": template,
            "carried_forward_from": previous.pk if previous else None,
            "treatments_copied": copied,
        },
    )
    return note


def _copy_treatments(*, source: VisitNote, target: VisitNote, therapist: User) -> list[Treatment]:
    """Copy rows that fit in the target's visit length, marked carried forward."""
    rows: list[Treatment] = []
    total = target.treatments.aggregate(total=Sum("minutes"))["total"] or 0
    start = target.treatments.count()
    rows_to_copy = Treatment.objects.for_note(source).filter(technique__active=True, region__active=True)
    if not therapist.joint_mobilisation_in_scope:
        # A colleague's joint mobilisation is not carried to a therapist without that scope.
        rows_to_copy = rows_to_copy.filter(technique__has_grade=False)
    safety = safety_for_client(target.client)
    if safety.consent_problem:
        # Rows the safety interlock refuses today are not copied (nor any row while
        # consent is missing or out of date): they need a fresh decision and an override.
        return rows
    for row in rows_to_copy:
        if safety.treatment_problems(row.technique.code, row.region.code, row.pressure):
            continue
        if total + row.minutes > target.duration_minutes:
            break
        total += row.minutes
        copy = Treatment(
            note=target,
            technique=row.technique,
            region=row.region,
            side=row.side,
            minutes=row.minutes,
            pressure=row.pressure,
            grade=row.grade,
            response=row.response,
            note_text=row.note_text,
            carried_forward=True,
            order=start + len(rows),
        )
        copy.full_clean()
        copy.save()
        rows.append(copy)
    return rows


# --- Draft edits -----------------------------------------------------------------------------


def _apply(current: VisitNote, data: dict[str, Any], reviewed) -> list[str]:
    """Copy edited fields onto the draft; an edited or reviewed field loses its
    'carried forward' mark. Returns the names of the changed fields."""
    changed = model_changes(instance=current, fields=EDITABLE_FIELDS, data=data)
    if "service_at" in changed:
        check_clinical_date(current.service_at, client=current.client, field="service_at")
    carried = [f for f in current.carried_fields if f not in changed and f not in set(reviewed)]
    if carried != current.carried_fields:
        current.carried_fields = carried
        changed.append("carried_fields")
    if "duration_minutes" in changed:
        used = current.treatments.aggregate(total=Sum("minutes"))["total"] or 0
        if used > current.duration_minutes:
            raise ValidationError(
                {
                    "duration_minutes": f"The treatment log already has {used} minutes; "
                    "the visit cannot be shorter."
                }
            )
    return changed


@transaction.atomic
def note_update(
    *,
    note: VisitNote,
    by: User,
    data: dict[str, Any],
    version: int | None,
    reviewed: tuple[str, ...] | list[str] = (),
    autosave: bool = False,
) -> VisitNote:
    """Save a draft. ``version`` is the one the form was loaded at: a stale save
    raises NoteConflict and writes nothing (optimistic locking)."""
    current = _fresh_draft(note, by)
    _check_version(current, version)
    changed = _apply(current, data, reviewed)
    if not changed:
        return current
    _bump(current)
    audited_save(
        instance=current,
        by=by,
        action="update",
        client=current.client_id,
        detail={"fields": changed, "autosave": autosave, **_acting(current, by)},
    )
    return current


@transaction.atomic
def note_apply_template(
    *,
    note: VisitNote,
    by: User,
    kind: str,
    version: int | None,
    data: dict[str, Any] | None = None,
) -> VisitNote:
    """Fill the empty S/O/A/P fields of a draft from a template. ``data`` (the
    editor's current fields) is saved first, so typed text is never replaced."""
    current = _fresh_draft(note, by)
    _check_version(current, version)
    if data:
        _apply(current, data, ())
    template = NoteTemplate.objects.filter(kind=kind).first()
    if template is None:
        raise ValidationError("No such template.")
    filled = []
    for name, text in template.content.items():
        if name in TEXT_FIELDS and not getattr(current, name):
            setattr(current, name, text)
            filled.append(name)
    current.kind = kind
    _bump(current)
    audited_save(
        instance=current,
        by=by,
        action="update",
        client=current.client_id,
        detail={"template": kind, "fields": filled, **_acting(current, by)},
    )
    return current


def _check_minutes(note: VisitNote, minutes: int | None, *, exclude_pk=None) -> None:
    if minutes is None or minutes < 1:
        raise ValidationError({"minutes": "Minutes must be at least 1."})
    if minutes > note.duration_minutes:
        raise ValidationError({"minutes": f"More than the visit length ({note.duration_minutes} minutes)."})
    used = note.treatments.exclude(pk=exclude_pk).aggregate(total=Sum("minutes"))["total"] or 0
    if used + minutes > note.duration_minutes:
        raise ValidationError(
            {
                "minutes": f"The log would total {used + minutes} minutes, more than the "
                f"{note.duration_minutes}-minute visit."
            }
        )


@transaction.atomic
def treatment_add(
    *,
    note: VisitNote,
    by: User,
    data: dict[str, Any],
    override: OverrideRequest | None = None,
    now: datetime | None = None,
) -> Treatment:
    """Log one treatment row on a draft.

    The safety interlock (notes.safety) refuses a row on a region a red flag
    blocks, above the pressure cap, with a banned technique, or while consent is
    missing or out of date: ``InterlockRefused`` names the rule beside the field.
    With an ``override`` (a written reason, the screen re-checked at this visit,
    the password re-entered) the row is saved and the override recorded with it.
    ``now`` dates the override (demo data entered after the visit); it defaults to now."""
    current = _fresh_draft(note, by)
    technique: Technique = data["technique"]
    region: BodyRegion = data["region"]
    pressure = data.get("pressure", Treatment.Pressure.MODERATE)
    _check_minutes(current, data.get("minutes"))
    if technique.needs_joint_scope and not by.joint_mobilisation_in_scope:
        raise ValidationError(
            {
                "technique": f"{technique.name} is not in your scope of practice on your profile. "
                "An admin can add it on your user page if your licence allows it."
            }
        )
    safety = safety_for_client(current.client)
    by_field = safety.treatment_problems_by_field(technique.code, region.code, pressure)
    consent = safety.consent_problem
    if by_field or consent:
        if override is None:
            errors = {name: messages for name, messages in by_field.items()}
            if consent:
                errors["__all__"] = [f"{consent} Treatment needs consent, or an override with a reason."]
            raise InterlockRefused(errors)
        override_problems = _override_errors(override)
        if override_problems:
            raise ValidationError({**by_field, **override_problems})
    grade = data.get("grade", "") or ""
    if technique.has_grade and not grade:
        raise ValidationError({"grade": f"Give the grade (I-IV) for {technique.name.lower()}."})
    if not technique.has_grade:
        grade = ""
    row = Treatment(
        note=current,
        technique=technique,
        region=region,
        side=data.get("side", ""),
        minutes=data["minutes"],
        pressure=data.get("pressure", Treatment.Pressure.MODERATE),
        grade=grade,
        response=data.get("response", Treatment.Response.EASED),
        note_text=data.get("note_text", ""),
        order=current.treatments.count(),
    )
    audited_save(
        instance=row,
        by=by,
        action="create",
        client=current.client_id,
        detail={
            "note": current.pk,
            "technique": technique.code,
            "region": region.code,
            **_acting(current, by),
        },
    )
    if by_field or consent:
        assert override is not None  # refused above without one
        _override_save(
            note=current,
            by=by,
            override=override,
            problems=[m for messages in by_field.values() for m in messages],
            consent=consent,
            technique=technique,
            region=region,
            side=row.side,
            pressure=row.pressure,
            at=now,
        )
    return row


@transaction.atomic
def note_override_consent(*, note: VisitNote, by: User, override: OverrideRequest) -> SafetyOverride:
    """Treat without valid consent on file at this visit (for example consent taken
    on paper today), with the same reason, re-check and password as any override."""
    current = _fresh_draft(note, by)
    consent = safety_for_client(current.client).consent_problem
    if not consent:
        raise ValidationError({"override_reason": "Consent is in order: there is nothing to override."})
    errors = _override_errors(override)
    if errors:
        raise ValidationError(errors)
    return _override_save(note=current, by=by, override=override, problems=[], consent=consent)


def _draft_row_remove(*, model, row, label: str, by: User) -> None:
    """Remove one child row (treatment, palpation) of a draft the user may edit."""
    current = _fresh_draft(row.note, by)
    fresh = model.objects.get(pk=row.pk, note=current)
    fresh.note = current
    pk = fresh.pk
    fresh.delete()
    audit_record(
        actor=by,
        action="delete",
        client=current.client_id,
        target=current,
        detail={label: pk, **_acting(current, by)},
    )


@transaction.atomic
def treatment_remove(*, treatment: Treatment, by: User) -> None:
    _draft_row_remove(model=Treatment, row=treatment, label="treatment", by=by)


@transaction.atomic
def treatment_confirm(*, treatment: Treatment, by: User) -> Treatment:
    """The therapist reviewed a carried-forward row and keeps it as it is."""
    current = _fresh_draft(treatment.note, by)
    row = Treatment.objects.get(pk=treatment.pk, note=current)
    row.note = current
    row.carried_forward = False
    row.save(update_fields=["carried_forward", "updated_at"])
    audit_record(
        actor=by,
        action="update",
        client=current.client_id,
        target=row,
        detail={"reviewed": True, **_acting(current, by)},
    )
    return row


@transaction.atomic
def treatments_repeat_last(*, note: VisitNote, by: User) -> list[Treatment]:
    """Copy the previous signed visit's treatment rows into this draft in one go."""
    current = _fresh_draft(note, by)
    previous = VisitNote.objects.previous_for(
        current.client, before=current.service_at, exclude_pk=current.pk
    ).first()
    if previous is None:
        raise ValidationError("There is no earlier signed visit to repeat.")
    rows = _copy_treatments(source=previous, target=current, therapist=by)
    if not rows and previous.treatments.exists():
        raise ValidationError("The last visit's treatments do not fit in this visit's length.")
    audit_record(
        actor=by,
        action="create",
        client=current.client_id,
        target=current,
        detail={"repeated_from": previous.pk, "treatments": len(rows), **_acting(current, by)},
    )
    return rows


@transaction.atomic
def palpation_add(*, note: VisitNote, by: User, data: dict[str, Any]) -> PalpationFinding:
    current = _fresh_draft(note, by)
    row = PalpationFinding(
        note=current,
        region=data["region"],
        side=data.get("side", ""),
        tone=data.get("tone", PalpationFinding.Tone.NORMAL),
        tenderness=data.get("tenderness", 0),
        trigger_points=bool(data.get("trigger_points")),
        note_text=data.get("note_text", ""),
    )
    audited_save(
        instance=row,
        by=by,
        action="create",
        client=current.client_id,
        detail={"note": current.pk, **_acting(current, by)},
    )
    return row


@transaction.atomic
def palpation_remove(*, finding: PalpationFinding, by: User) -> None:
    _draft_row_remove(model=PalpationFinding, row=finding, label="palpation", by=by)


@transaction.atomic
def note_link_assessment(*, note: VisitNote, by: User, assessment) -> VisitNote:
    """Link the assessment done at this visit (same client, not linked elsewhere)."""
    current = _fresh_draft(note, by)
    if assessment is not None:
        if assessment.client_id != current.client_id:
            raise ValidationError({"assessment": "That assessment belongs to another client."})
        if not assessment.is_signed and assessment.therapist_id != current.therapist_id:
            raise ValidationError(
                {
                    "assessment": "That assessment is another therapist's draft: it can be linked "
                    "once they have signed it."
                }
            )
        other = VisitNote.objects.filter(assessment=assessment).exclude(pk=current.pk).first()
        if other is not None:
            raise ValidationError({"assessment": "That assessment is already linked to another visit."})
    current.assessment = assessment
    _bump(current)
    audited_save(
        instance=current,
        by=by,
        action="update",
        client=current.client_id,
        detail={"assessment": getattr(assessment, "pk", None), **_acting(current, by)},
    )
    return current


# --- Signing ---------------------------------------------------------------------------------


def signing_problems(note: VisitNote, *, has_palpation: bool | None = None) -> dict[str, str]:
    """What is missing before a note may be signed: S, O (or a linked assessment), A, P."""
    problems: dict[str, str] = {}
    if not (note.chief_complaint.strip() or note.subjective.strip()):
        problems["subjective"] = "S is empty: record the chief complaint or the client's report."
    if has_palpation is None:
        has_palpation = note.pk is not None and note.palpation.exists()
    if not (note.objective.strip() or has_palpation or getattr(note, "assessment_id", None)):
        problems["objective"] = "O is empty: record findings, palpation or link the visit's assessment."
    if not note.analysis.strip():
        problems["analysis"] = "A is empty: record your functional and tissue assessment."
    if not (note.plan_next.strip() or note.goals.strip()):
        problems["plan_next"] = "P is empty: record the plan for the next visit or the goals."
    for name, label in SCAFFOLD_LABELS.items():
        if name not in problems:
            problem = scaffolding_problem(label, getattr(note, name) or "")
            if problem:
                problems[name] = problem
    problems |= discharge_problems(note)
    return problems


def discharge_problems(note: VisitNote) -> dict[str, str]:
    """A discharge note needs its reason for discharge before signing ("other"
    needs the reason written out); other kinds of note need nothing here."""
    if not note.is_discharge:
        return {}
    if not note.discharge_reason:
        return {"discharge_reason": "Discharge: choose the reason for discharge before signing."}
    if note.discharge_reason == VisitNote.DischargeReason.OTHER and not (note.discharge_detail or "").strip():
        return {"discharge_detail": 'Discharge: write the reason for discharge (you chose "other").'}
    return {}


def safety_sign_problems(note: VisitNote, treatments, overrides, safety: Safety) -> dict[str, str]:
    """What the safety interlock needs before signing: the health-screen re-check
    answered, every row within the rules or overridden, consent valid or
    overridden, and a referral written while a red flag is active."""
    problems: dict[str, str] = {}
    if note.screen_changed == VisitNote.ScreenCheck.NOT_ASKED:
        problems["screen_changed"] = (
            'Health screen re-check: ask the client and answer "no change" or "something changed".'
        )
    elif note.screen_changed == VisitNote.ScreenCheck.CHANGED and not note.screen_change_details.strip():
        problems["screen_change_details"] = "Health screen re-check: say what changed."
    unresolved = [
        row
        for row in treatments
        if safety.treatment_problems(row.technique.code, row.region.code, row.pressure)
        and not any(o.covers(row) for o in overrides)
    ]
    if unresolved:
        names = "; ".join(
            f"{row.technique.name} on {row.region.name} at {row.pressure} of 5" for row in unresolved
        )
        problems["treatments"] = (
            f"Treatment outside the safety rules without an override: {names}. Remove the row or override it."
        )
    if safety.consent_problem and not any(o.covers_consent for o in overrides):
        problems["consent"] = f"{safety.consent_problem} Or record an override with a reason."
    blocks = safety.blocks
    if blocks and not note.referrals.strip():
        flags = "; ".join(dict.fromkeys(r.label for r in blocks))
        problems["referrals"] = (
            f"Red flag ({flags}): write the referral (to whom, why, how urgent) before signing."
        )
    return problems


def note_content(note: VisitNote, treatments, palpation, *, tz=UTC) -> dict[str, Any]:
    """The canonical content a signature covers (REC-2). Times are written in
    UTC, so a time typed in the clinic's zone and the same time read back from
    the database give the same hash."""
    return {
        "note": note.pk,
        "client": note.client_id,
        "therapist": note.therapist_id,
        "service_at": note.service_at.astimezone(tz).isoformat(),
        "fields": {
            name: getattr(note, name)
            for name in EDITABLE_FIELDS
            if name != "service_at" and name not in DISCHARGE_FIELDS
        },
        "assessment": getattr(note, "assessment_id", None),
        "treatments": [
            [t.technique_id, t.region_id, t.side, t.minutes, t.pressure, t.grade, t.response, t.note_text]
            for t in treatments
        ],
        "palpation": [
            [p.region_id, p.side, p.tone, p.tenderness, p.trigger_points, p.note_text] for p in palpation
        ],
        "signed_by": note.signed_by_id,
        "signed_at": note.signed_at.astimezone(UTC).isoformat() if note.signed_at else None,
    } | _discharge_content(note)


def _discharge_content(note: VisitNote) -> dict[str, Any]:
    # Only where there is something: a note without it hashes as before the
    # discharge summary existed.
    if not (note.discharge_reason or note.discharge_detail or note.discharge_outcome is not None):
        return {}
    return {
        "discharge": {
            "reason": note.discharge_reason,
            "detail": note.discharge_detail,
            "outcome": note.discharge_outcome,
        }
    }


def note_content_hash(note: VisitNote, treatments, palpation, *, tz=UTC) -> str:
    payload = json.dumps(note_content(note, treatments, palpation, tz=tz), sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def note_content_matches(note: VisitNote, treatments, palpation) -> bool:
    """Does a signed note's stored content still give the hash taken at signing?

    Notes signed before times were written in UTC took the visit time as the
    form gave it, in the clinic's zone: that form is accepted too."""
    if note_content_hash(note, treatments, palpation) == note.content_hash:
        return True
    local = timezone.get_default_timezone()
    return note_content_hash(note, treatments, palpation, tz=local) == note.content_hash


def note_verify(note: VisitNote) -> bool:
    """Recompute the signature hash from the stored rows; False means the record changed."""
    fresh = VisitNote.objects.get(pk=note.pk)
    if not fresh.is_signed:
        return False
    treatments = list(Treatment.objects.filter(note=fresh).order_by("order", "id"))
    palpation = list(PalpationFinding.objects.filter(note=fresh).order_by("id"))
    return note_content_matches(fresh, treatments, palpation)


SIGNATURE_MISMATCH_WARNING = (
    "This note's content does not match its signature: it was changed after it was signed, "
    "outside Kinetic Chart. Do not rely on it, and tell the clinic's administrator."
)


def note_signature_mismatch_record(*, note: VisitNote, by: User, where: str) -> None:
    """A security event: someone was shown a signed note whose stored content no
    longer matches the hash taken at signing."""
    audit_record(
        actor=by,
        action="signature_mismatch",
        client=note.client_id,
        target=note,
        detail={"security": True, "where": where, "hash": note.content_hash},
    )


def signed_notes_verify(batch: int = 500) -> list[str]:
    """Recompute the content hash of every signed note from its stored rows
    (three queries per batch); return one problem per note that differs."""
    problems: list[str] = []
    last_id = 0
    while True:
        notes = list(VisitNote.objects.signed().filter(id__gt=last_id).order_by("id")[:batch])
        if not notes:
            return problems
        ids = [n.pk for n in notes]
        treatments: dict[int, list[Treatment]] = {pk: [] for pk in ids}
        for row in Treatment.objects.filter(note_id__in=ids).order_by("note_id", "order", "id"):
            treatments[row.note_id].append(row)
        palpation: dict[int, list[PalpationFinding]] = {pk: [] for pk in ids}
        for finding in PalpationFinding.objects.filter(note_id__in=ids).order_by("note_id", "id"):
            palpation[finding.note_id].append(finding)
        for note in notes:
            if not note_content_matches(note, treatments[note.pk], palpation[note.pk]):
                problems.append(
                    f"signed note {note.pk} (client {note.client_id}, signed "
                    f"{timezone.localtime(note.signed_at):%Y-%m-%d}): content does not match its signature"
                )
        last_id = ids[-1]


@transaction.atomic
def note_sign(
    *,
    note: VisitNote,
    by: User,
    version: int | None = None,
    data: dict[str, Any] | None = None,
    reviewed: tuple[str, ...] | list[str] = (),
    now: datetime | None = None,
) -> VisitNote:
    """Sign and lock a draft, and the assessment linked to it.

    ``data`` (the editor's current fields) is saved first in the same
    transaction, so nothing typed since the last autosave is lost. Records the
    signer, their credentials line and the time; a note signed more than 24
    hours after the service is labelled a late entry automatically.
    """
    current = _fresh_draft(note, by)
    if version is not None:
        _check_version(current, version)
    changed = _apply(current, data, reviewed) if data else []
    now = now or timezone.now()
    if current.service_at > now + timedelta(minutes=5):
        raise ValidationError({"service_at": "A visit in the future cannot be signed yet."})
    check_clinical_date(current.service_at, client=current.client, field="service_at")
    palpation = list(PalpationFinding.objects.filter(note=current).order_by("id"))
    treatments = list(
        Treatment.objects.filter(note=current).select_related("technique", "region").order_by("order", "id")
    )
    overrides = list(SafetyOverride.objects.filter(note=current))
    problems = signing_problems(current, has_palpation=bool(palpation))
    problems |= safety_sign_problems(current, treatments, overrides, safety_for_client(current.client))
    if problems:
        raise ValidationError(problems)
    linked = current.assessment if getattr(current, "assessment_id", None) else None
    if linked is not None:
        assessment_sign(assessment=linked, by=by)
    if current.is_discharge:
        # What prints for this note from now on: the outcome table as it is at signing.
        current.discharge_detail = (current.discharge_detail or "").strip() or None
        current.discharge_outcome = discharge.snapshot(discharge.outcome_rows(current))
    else:
        current.discharge_reason = current.discharge_detail = current.discharge_outcome = None
    _bump(current)
    current.signed_at = now
    current.signed_by = by
    current.signature_line = signature_line_for(author=current.therapist, by=by)
    current.late_entry = now - current.service_at > LATE_ENTRY_AFTER
    current.content_hash = note_content_hash(current, treatments, palpation)
    audited_save(
        instance=current,
        by=by,
        action="sign",
        client=current.client_id,
        detail={
            "late_entry": current.late_entry,
            "hash": current.content_hash,
            "fields": changed,
            **_acting(current, by),
        },
    )
    return current


# --- Amendments ---------------------------------------------------------------------------


@transaction.atomic
def amendment_add(
    *,
    note: VisitNote,
    by: User,
    kind: str,
    reason: str,
    text: str = "",
    now: datetime | None = None,
    on_client_request: bool = False,
) -> Amendment:
    """Add an addendum, correction, late entry or entered-in-error marking.

    Each is its own signed, insert-only record; the note itself never changes.
    Only the note's author amends it or marks it entered in error, except for an
    amendment accepted on the client's request (``on_client_request``). A draft
    can only be marked entered in error; drafts are otherwise simply edited.
    """
    if not by.is_therapist:
        raise NotePermissionError()
    current = VisitNote.objects.select_related("client", "therapist").get(pk=note.pk)
    # A client's amendment request is the clinic's to decide (45 CFR 164.526), so
    # any care-team therapist deciding one writes the accepted amendment.
    if not on_client_request and not may_act_as_author(author_id=current.therapist_id, by=by):
        raise NotePermissionError(AMEND_REFUSED)
    reason = (reason or "").strip()
    text = (text or "").strip()
    errors: dict[str, str] = {}
    if kind not in Amendment.Kind.values:
        errors["kind"] = "Choose what kind of amendment this is."
    if not reason:
        errors["reason"] = "Give the reason for this amendment."
    if kind != Amendment.Kind.ENTERED_IN_ERROR and not text:
        errors["text"] = "Write the added or corrected information."
    if errors:
        raise ValidationError(errors)
    if _in_error(current) and kind == Amendment.Kind.ENTERED_IN_ERROR:
        raise ValidationError({"kind": "This note is already marked entered in error."})
    if not current.is_signed and kind != Amendment.Kind.ENTERED_IN_ERROR:
        raise ValidationError({"kind": "This note is still a draft: edit it directly instead."})
    amendment = Amendment(
        note=current,
        kind=kind,
        reason=reason,
        text=text,
        signed_at=now or timezone.now(),
        signed_by=by,
        signature_line=by.signature_line
        if on_client_request
        else signature_line_for(author=current.therapist, by=by),
    )
    audited_save(
        instance=amendment,
        by=by,
        action="addendum",
        client=current.client_id,
        detail={
            "note": current.pk,
            "kind": kind,
            "on_client_request": on_client_request,
            **({} if on_client_request else _acting(current, by)),
        },
    )
    return amendment


# --- Snippets ------------------------------------------------------------------------------


@transaction.atomic
def snippet_create(*, by: User, title: str, text: str, clinic_wide: bool = False) -> Snippet:
    """A personal snippet; clinic-wide only for clinic admins who also treat."""
    if not by.is_therapist:
        raise NotePermissionError()
    if clinic_wide and not by.is_clinic_admin:
        raise ValidationError({"clinic_wide": "Only a clinic admin can add clinic-wide snippets."})
    snippet = Snippet(owner=None if clinic_wide else by, title=title.strip(), text=text.strip())
    return audited_save(instance=snippet, by=by, action="create")


@transaction.atomic
def snippet_delete(*, snippet: Snippet, by: User) -> None:
    """Snippets are not clinical records: their owner (or an admin, for clinic-wide ones) removes them."""
    if snippet.owner_id != by.pk and not (snippet.owner_id is None and by.is_clinic_admin):
        raise NotePermissionError()
    record = copy.copy(snippet)  # delete() clears the primary key the audit row names
    snippet.delete()
    audit_record(actor=by, action="delete", target=record)
