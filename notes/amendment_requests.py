"""Writes for clients' amendment requests (45 CFR 164.526).

A request is recorded by the clinic on the client's behalf against one signed
visit note, acted on within 60 days (once extendable by 30 with a written
notice), and accepted, partly accepted or denied. Accepting writes a signed
Amendment beneath the note; the note itself never changes. After a denial
(whole or in part) the client may file a statement of disagreement, and the
clinic may answer it with a rebuttal; both stay with the request.

Every function is keyword-only, reloads the request under a row lock, checks
the step is allowed, calls ``full_clean()`` and writes one audit row.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.log import audited_save
from clinic.models import User
from core.records import RecordLocked
from notes.models import Amendment, AmendmentRequest, VisitNote
from notes.services import NotePermissionError, amendment_add

# The kinds an accepted request may be carried out as.
ACCEPT_KINDS = (Amendment.Kind.CORRECTION, Amendment.Kind.ADDENDUM)
DECIDED = "This request has already been decided; its decision cannot change."


def _today() -> date:
    return timezone.localdate()


def _check_therapist(by: User) -> None:
    if not by.is_therapist:
        raise NotePermissionError()


def _fresh(request_obj: AmendmentRequest) -> AmendmentRequest:
    return (
        AmendmentRequest.objects.select_for_update(of=("self",), no_key=True)
        .select_related("note", "client")
        .get(pk=request_obj.pk)
    )


def _save_step(current: AmendmentRequest, *, by: User, detail: dict) -> AmendmentRequest:
    """Validate and save one step of a request, and audit it as an update."""
    return audited_save(instance=current, by=by, action="update", client=current.client_id, detail=detail)


def _check_date(value: date | None, field: str, *, not_before: date | None = None, what: str) -> None:
    if value is None:
        raise ValidationError({field: f"Give the date the {what} was received."})
    if value > _today():
        raise ValidationError({field: "This date is in the future."})
    if not_before is not None and value < not_before:
        raise ValidationError({field: f"This is before {not_before:%Y-%m-%d}; check the date."})


@transaction.atomic
def amendment_request_record(
    *,
    note: VisitNote,
    by: User,
    request_text: str,
    received_on: date | None = None,
    other_records: str = "",
) -> AmendmentRequest:
    """Record a client's request to amend a signed note. Due 60 days after receipt."""
    _check_therapist(by)
    current = VisitNote.objects.select_related("client").get(pk=note.pk)
    if not current.is_signed:
        raise ValidationError({"__all__": "Only a signed note can be amended. A draft is simply edited."})
    received_on = received_on or _today()
    _check_date(
        received_on,
        "received_on",
        not_before=timezone.localtime(current.service_at).date(),
        what="request",
    )
    request_text = (request_text or "").strip()
    if not request_text:
        raise ValidationError({"request_text": "Write what the client asks to be amended, and why."})
    obj = AmendmentRequest(
        client=current.client,
        note=current,
        received_on=received_on,
        request_text=request_text,
        other_records=(other_records or "").strip(),
        recorded_by=by,
        due_on=received_on + timedelta(days=AmendmentRequest.DUE_AFTER_DAYS),
    )
    return audited_save(
        instance=obj,
        by=by,
        action="create",
        client=current.client_id,
        detail={"note": current.pk, "received_on": received_on.isoformat(), "due_on": obj.due_on.isoformat()},
    )


def extension_notice_text(*, reason: str, due_on: date) -> str:
    return (
        f"We need more time to act on your request to amend your record: {reason} "
        f"We will complete our review by {due_on:%Y-%m-%d}."
    )


@transaction.atomic
def amendment_request_extend(
    *,
    amendment_request: AmendmentRequest,
    by: User,
    reason: str,
    notice: str = "",
) -> AmendmentRequest:
    """Extend the deadline by 30 days, once, before it passes, with a written notice
    to the client giving the reason and the new date."""
    _check_therapist(by)
    current = _fresh(amendment_request)
    if current.is_decided:
        raise RecordLocked(DECIDED)
    if current.is_extended:
        raise ValidationError({"reason": "The deadline has already been extended once; it cannot be again."})
    if _today() > current.due_on:
        raise ValidationError(
            {"reason": "The deadline has passed: an extension must be given before it. Decide now."}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for the delay; the client is told it in writing."})
    current.due_on = current.due_on + timedelta(days=AmendmentRequest.EXTENSION_DAYS)
    current.extended_on = _today()
    current.extended_by = by
    current.extension_reason = reason
    current.extension_notice = (notice or "").strip() or extension_notice_text(
        reason=reason, due_on=current.due_on
    )
    return _save_step(current, by=by, detail={"extended": True, "due_on": current.due_on.isoformat()})


@transaction.atomic
def amendment_request_decide(
    *,
    amendment_request: AmendmentRequest,
    by: User,
    decision: str,
    reason: str = "",
    amended_text: str = "",
    kind: str = Amendment.Kind.CORRECTION,
    now: datetime | None = None,
) -> AmendmentRequest:
    """Accept, partly accept or deny a pending request.

    Accepting (wholly or in part) writes a signed Amendment beneath the note
    whose text is the amended content; a partial acceptance or a denial needs
    the reason, which the client is given in writing."""
    _check_therapist(by)
    current = _fresh(amendment_request)
    if current.is_decided:
        raise RecordLocked(DECIDED)
    reason = (reason or "").strip()
    amended_text = (amended_text or "").strip()
    errors: dict[str, str] = {}
    if decision not in (
        AmendmentRequest.Decision.ACCEPTED,
        AmendmentRequest.Decision.PARTIAL,
        AmendmentRequest.Decision.DENIED,
    ):
        errors["decision"] = "Choose accept, partly accept or deny."
    accepting = decision in (AmendmentRequest.Decision.ACCEPTED, AmendmentRequest.Decision.PARTIAL)
    if decision in (AmendmentRequest.Decision.DENIED, AmendmentRequest.Decision.PARTIAL) and not reason:
        errors["reason"] = (
            "Give the reason for the denial; the client receives it in writing."
            if decision == AmendmentRequest.Decision.DENIED
            else "Say which part is refused and why; the client receives it in writing."
        )
    if accepting and not amended_text:
        errors["amended_text"] = "Write the amended content that will be added beneath the note."
    if accepting and kind not in ACCEPT_KINDS:
        errors["kind"] = "Choose correction or addendum."
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    if accepting:
        current.amendment = amendment_add(
            note=current.note,
            by=by,
            kind=kind,
            reason=(
                f"Amendment at the client's request received {current.received_on:%Y-%m-%d} "
                f"({'accepted in part' if decision == AmendmentRequest.Decision.PARTIAL else 'accepted'})."
            ),
            text=amended_text,
            now=now,
            on_client_request=True,
        )
    current.decision = decision
    current.decided_by = by
    current.decided_at = now
    current.decision_reason = reason
    return _save_step(current, by=by, detail={"decision": decision, "amendment": current.amendment_id})


@transaction.atomic
def amendment_request_add_disagreement(
    *,
    amendment_request: AmendmentRequest,
    by: User,
    text: str,
    received_on: date | None = None,
) -> AmendmentRequest:
    """Record the client's statement of disagreement with a denial (whole or in part)."""
    _check_therapist(by)
    current = _fresh(amendment_request)
    if current.decision not in (AmendmentRequest.Decision.DENIED, AmendmentRequest.Decision.PARTIAL):
        raise ValidationError(
            {"text": "A statement of disagreement answers a denial; this request was not denied."}
        )
    if current.has_disagreement:
        raise RecordLocked("The client's statement of disagreement is already recorded.")
    received_on = received_on or _today()
    _check_date(
        received_on,
        "received_on",
        not_before=timezone.localtime(current.decided_at).date(),
        what="statement",
    )
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the client's statement of disagreement."})
    current.disagreement_text = text
    current.disagreement_received_on = received_on
    current.disagreement_recorded_by = by
    return _save_step(current, by=by, detail={"disagreement": True, "received_on": received_on.isoformat()})


@transaction.atomic
def amendment_request_add_rebuttal(
    *,
    amendment_request: AmendmentRequest,
    by: User,
    text: str,
    now: datetime | None = None,
) -> AmendmentRequest:
    """The clinic's rebuttal to the client's statement of disagreement (a copy goes to the client)."""
    _check_therapist(by)
    current = _fresh(amendment_request)
    if not current.has_disagreement:
        raise ValidationError(
            {"text": "A rebuttal answers the client's statement of disagreement; there is none."}
        )
    if current.has_rebuttal:
        raise RecordLocked("The clinic's rebuttal is already recorded.")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the rebuttal."})
    current.rebuttal_text = text
    current.rebuttal_at = now or timezone.now()
    current.rebuttal_by = by
    return _save_step(current, by=by, detail={"rebuttal": True})
