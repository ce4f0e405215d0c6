"""Writes for questionnaires and intake forms before a visit. Each runs in one transaction and
writes one audit row. What a client sends waits in a pending state; only a therapist's
acceptance (an assessment recorded and signed by them) or confirmation (a health screen recorded
by them) makes it part of the clinical record, through the same services a therapist uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessments.services import AssessmentData, assessment_create, assessment_sign
from audit.log import audit_record, audited_save
from clinic.models import Client, Consent
from clinic.screening import CONSENT_TEXT_VERSION, CURRENT_QUESTION_SET, RED, flags_from_answers
from clinic.services import health_screen_record
from core.services import model_update
from portal.services import CLIENT_ACTOR
from previsit import questions
from previsit.models import (
    OPEN_STATUSES,
    IntakeDraft,
    IntakeSubmission,
    Measure,
    QuestionnaireRequest,
    QuestionnaireSchedule,
    intake_state,
)

Status = QuestionnaireRequest.Status


class NoLongerOpen(Exception):
    """The questionnaire was already sent, accepted or discarded: a replayed or late submission."""

    message = "These answers were already sent, so nothing was changed. Thank you."


class AlreadyDecided(Exception):
    message = "This was already accepted or discarded by someone else, so nothing was changed."


def client_detail(link, extra: dict | None = None) -> dict:
    detail = {"username": CLIENT_ACTOR, **(extra or {})}
    if link is not None:
        detail["link"] = link.pk
    return detail


def _locked(model, pk):
    return model.objects.select_for_update(no_key=True).get(pk=pk)


# --- questionnaires -----------------------------------------------------------------------------


@transaction.atomic
def questionnaire_request_create(
    *, client: Client, measure: str, by, due: date | None = None
) -> QuestionnaireRequest:
    """Ask the client to answer a questionnaire on their link. ``by`` is None for a schedule rule."""
    if measure not in Measure.values:
        raise ValidationError({"measure": "Choose one of the questionnaires listed."})
    if QuestionnaireRequest.objects.for_client(client).open().filter(measure=measure).exists():
        raise ValidationError(
            {"measure": "This questionnaire is already waiting for the client or for your review."}
        )
    if due is not None and due < timezone.localdate():
        raise ValidationError({"due": "The date it is due by cannot be in the past."})
    qrequest = QuestionnaireRequest(client=client, measure=measure, requested_by=by, due=due)
    return audited_save(
        instance=qrequest,
        by=by,
        action="request",
        client=client,
        detail={"questionnaire": qrequest.get_measure_display()} | ({} if by else {"by": "a schedule rule"}),
    )


def questionnaire_autosave(*, qrequest: QuestionnaireRequest, data, link=None) -> questions.Parsed:
    """Keep what the client has typed so far. Answers no question allows are refused (reported
    beside their question) and the rest kept; a request no longer open refuses everything."""
    parsed = questions.parse(qrequest.measure, data, complete=False)
    with transaction.atomic():
        current = _locked(QuestionnaireRequest, qrequest.pk)
        if not current.is_open_for_client:
            raise NoLongerOpen()
        if current.partial == parsed.values:
            # Nothing new to keep (an answer refused, or the same answers again): nothing written.
            return parsed
        current.partial = parsed.values
        current.status = Status.IN_PROGRESS
        current.save(update_fields=["partial", "status", "updated_at"])
        audit_record(
            actor=None,
            action="update",
            client=current.client_id,
            target=current,
            detail=client_detail(link, {"answers kept": len(parsed.values), "autosave": True}),
        )
    qrequest.partial, qrequest.status = current.partial, current.status
    return parsed


def questionnaire_submit(*, qrequest: QuestionnaireRequest, data, link=None) -> questions.Parsed:
    """Send the answers once. Incomplete or out-of-range answers raise ValidationError with a
    message by question (what was typed is kept as a partial save); a second send is refused."""
    parsed = questions.parse(qrequest.measure, data, complete=True)
    with transaction.atomic():
        current = _locked(QuestionnaireRequest, qrequest.pk)
        if not current.is_open_for_client:
            raise NoLongerOpen()
        current.partial = parsed.values
        if parsed.errors:
            current.status = Status.IN_PROGRESS
            current.save(update_fields=["partial", "status", "updated_at"])
        else:
            current.submitted_answers = questions.stored(parsed)
            current.score_text = questions.score_summary(current.submitted_answers)
            current.submitted_at = timezone.now()
            current.status = Status.SUBMITTED
            current.full_clean()
            current.save(
                update_fields=[
                    "partial",
                    "submitted_answers",
                    "score_text",
                    "submitted_at",
                    "status",
                    "updated_at",
                ]
            )
            audit_record(
                actor=None,
                action="submit",
                client=current.client_id,
                target=current,
                detail=client_detail(link, {"questionnaire": current.get_measure_display()}),
            )
    if parsed.errors:
        raise ValidationError(parsed.errors)
    for name in ("partial", "submitted_answers", "score_text", "submitted_at", "status"):
        setattr(qrequest, name, getattr(current, name))
    return parsed


def questionnaire_accept(*, qrequest: QuestionnaireRequest, by) -> QuestionnaireRequest:
    """Record the client's answers as an assessment by ``by`` and sign it, as if the therapist had
    entered them: the product's own scoring, signed and locked.

    Two transactions, because a transaction takes no row lock after its audit row (the audit
    chain's lock must be its last; see ``audit.log.lock_order_guard``), and signing locks the
    assessment the first one wrote. The first records the draft and ties it to the request; the
    second signs it and marks the request accepted. Should the second fail, accepting again
    signs the same draft instead of writing another."""
    with transaction.atomic():
        current = _locked(QuestionnaireRequest, qrequest.pk)
        if current.status != Status.SUBMITTED:
            raise AlreadyDecided()
        if current.assessment_id is None:
            responses, measurements = questions.inputs(current.submitted_answers)
            current.assessment = assessment_create(
                client=qrequest.client,
                by=by,
                data=AssessmentData(
                    assessed_on=timezone.localdate(current.submitted_at),
                    responses=responses,
                    measurements=measurements,
                ),
            )
            current.save(update_fields=["assessment", "updated_at"])
    with transaction.atomic():
        current = _locked(QuestionnaireRequest, qrequest.pk)
        if current.status != Status.SUBMITTED:
            raise AlreadyDecided()
        assessment_sign(assessment=current.assessment, by=by)
        model_update(
            instance=current,
            fields=("status", "accepted_by", "accepted_at"),
            data={"status": Status.ACCEPTED, "accepted_by": by, "accepted_at": timezone.now()},
        )
        audit_record(
            actor=by,
            action="accept",
            client=current.client_id,
            target=current,
            detail={"questionnaire": current.get_measure_display(), "score": current.score_text},
        )
    return current


@transaction.atomic
def questionnaire_discard(*, qrequest: QuestionnaireRequest, by, reason: str) -> QuestionnaireRequest:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why these answers are discarded."})
    current = _locked(QuestionnaireRequest, qrequest.pk)
    if current.status in (Status.ACCEPTED, Status.DISCARDED):
        raise AlreadyDecided()
    return _discarded(current, by=by, reason=reason, detail={"questionnaire": current.get_measure_display()})


def _discarded(current, *, by, reason: str, detail: dict):
    """Mark a questionnaire or an intake form (locked by the caller) discarded with the
    reason, and record it: ``detail`` names what was discarded, then the reason."""
    model_update(
        instance=current,
        fields=("status", "discarded_by", "discarded_at", "discard_reason"),
        data={
            "status": "discarded",
            "discarded_by": by,
            "discarded_at": timezone.now(),
            "discard_reason": reason,
        },
    )
    audit_record(
        actor=by,
        action="discard",
        client=current.client_id,
        target=current,
        detail={**detail, "reason": reason},
    )
    return current


@transaction.atomic
def questionnaire_schedule_set(
    *, client: Client, measure: str, every_weeks: int, active: bool, by
) -> QuestionnaireSchedule:
    schedule = QuestionnaireSchedule.objects.filter(client=client, measure=measure).first()
    if schedule is None:
        schedule = QuestionnaireSchedule(client=client, measure=measure, set_by=by)
    schedule.every_weeks, schedule.active, schedule.set_by = every_weeks, active, by
    schedule.full_clean()
    schedule.save()
    audit_record(
        actor=by,
        action="update" if schedule.created_at != schedule.updated_at else "create",
        client=client,
        target=schedule,
        detail={
            "questionnaire": schedule.get_measure_display(),
            "every weeks": every_weeks,
            "active": active,
        },
    )
    return schedule


def due_schedules(*, now: datetime | None = None, clients=None) -> list[QuestionnaireSchedule]:
    """Active rules whose questionnaire is not waiting already and was last asked for at least
    ``every_weeks`` weeks ago (or never). Two queries, whatever the number of rules."""
    now = now or timezone.now()
    active = QuestionnaireSchedule.objects.filter(active=True, client__status=Client.Status.ACTIVE)
    if clients is not None:
        active = active.filter(client__in=clients)
    rules = list(active.select_related("client"))
    if not rules:
        return []
    latest: dict[tuple[int, str], datetime] = {}
    waiting: set[tuple[int, str]] = set()
    for client_id, measure, at, status in (
        QuestionnaireRequest.objects.filter(client_id__in={r.client_id for r in rules})
        .order_by("requested_at")
        .values_list("client_id", "measure", "requested_at", "status")
    ):
        latest[(client_id, measure)] = at
        if status in OPEN_STATUSES:
            waiting.add((client_id, measure))
    due = []
    for rule in rules:
        if (rule.client_id, rule.measure) in waiting:
            continue
        last_asked = latest.get((rule.client_id, rule.measure))
        if last_asked is None or now - last_asked >= timedelta(weeks=rule.every_weeks):
            due.append(rule)
    return due


def schedule_run(*, now: datetime | None = None, clients=None) -> int:
    """Turn every due rule into a request (no ``requested_by``: the schedule asked)."""
    made = 0
    for rule in due_schedules(now=now, clients=clients):
        try:
            questionnaire_request_create(client=rule.client, measure=rule.measure, by=None)
        except ValidationError:  # asked for meanwhile by a therapist
            continue
        made += 1
    return made


# --- intake forms -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Answer:
    question: str
    answer: bool
    details: str
    since: date | None


def stored_answers(intake: IntakeSubmission) -> list[_Answer]:
    rows = []
    for code, value in intake.answers.items():
        since = date.fromisoformat(value["since"]) if value.get("since") else None
        rows.append(_Answer(code, bool(value.get("answer")), value.get("details", ""), since))
    return rows


def red_flags(intake: IntakeSubmission) -> list:
    return [f for f in flags_from_answers(stored_answers(intake), intake.question_set) if f.severity == RED]


def _check_intake(client: Client, answers: dict[str, tuple], fields: dict[str, Any]) -> None:
    """The checks the health screen makes that a client can answer at once (the rest are made
    again when the therapist confirms)."""
    errors = {}
    pregnant = bool(answers.get("pregnancy", (False,))[0])
    if pregnant and not fields.get("pregnancy_stage"):
        errors["pregnancy_stage"] = "Give the trimester, or say within 6 weeks of giving birth."
    if fields.get("pregnancy_stage") and not pregnant:
        errors["pregnancy_stage"] = "Answer the pregnancy question yes, or leave this empty."
    role = fields.get("consented_by_role") or Consent.Role.CLIENT
    guardian = role in (Consent.Role.PARENT, Consent.Role.GUARDIAN)
    if fields.get("consent_given") and guardian and not (fields.get("consented_by_name") or "").strip():
        errors["consented_by_name"] = "Give the name of the parent or guardian who consents."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def intake_submit(
    *,
    client: Client,
    answers: dict[str, tuple],
    fields: dict[str, Any],
    entered_by=None,
    link=None,
) -> IntakeSubmission:
    """Keep an intake form as pending: from the client's link, or typed in from paper by a
    front-desk admin (``entered_by``). A therapist's confirmation records it."""
    # The client's row is the lock ``intake_autosave`` takes too: a save of the form being
    # typed never lands after the form was sent.
    Client.objects.select_for_update(no_key=True).filter(pk=client.pk).first()
    _check_intake(client, answers, fields)
    intake = IntakeSubmission(
        client=client,
        source=IntakeSubmission.Source.PAPER if entered_by is not None else IntakeSubmission.Source.LINK,
        entered_by=entered_by,
        question_set=CURRENT_QUESTION_SET,
        answers={
            code: {"answer": bool(a), "details": (d or "").strip()[:500], "since": s.isoformat() if s else ""}
            for code, (a, d, s) in answers.items()
        },
        medications=(fields.get("medications") or "").strip(),
        pregnancy_stage=fields.get("pregnancy_stage") or "",
        gp_name=(fields.get("gp_name") or "").strip(),
        gp_contact=(fields.get("gp_contact") or "").strip(),
        consent_given=bool(fields.get("consent_given")),
        consent_version=CONSENT_TEXT_VERSION if fields.get("consent_given") else "",
        consented_by_role=(fields.get("consented_by_role") or Consent.Role.CLIENT)
        if fields.get("consent_given")
        else "",
        consented_by_name=(fields.get("consented_by_name") or "").strip(),
    )
    intake.full_clean()
    intake.save()
    # What the client typed as they went is now in the form they sent.
    IntakeDraft.objects.filter(client=client).delete()
    detail = {"yes answers": sum(1 for a, _, _ in answers.values() if a), "consent": intake.consent_given}
    if entered_by is not None:
        audit_record(
            actor=entered_by,
            action="create",
            client=client,
            target=intake,
            detail={**detail, "entered from": "the paper form"},
        )
    else:
        audit_record(
            actor=None,
            action="submit",
            client=client,
            target=intake,
            detail=client_detail(link, detail),
        )
    return intake


def intake_autosave(*, client: Client, values: dict[str, str], link=None) -> IntakeDraft | None:
    """Keep what the client has typed into the intake form so far (``IntakeForm.parse_partial``
    read it), as a questionnaire is kept (``questionnaire_autosave``). Once a form was sent or a
    health screen is on file there is nothing to fill in, and everything is refused. Nothing new
    to keep writes nothing."""
    with transaction.atomic():
        # The client's row is the lock (``intake_submit`` takes it too): saves of the same form
        # and its sending wait for each other.
        Client.objects.select_for_update(no_key=True).filter(pk=client.pk).first()
        if intake_state(client) != "open":
            raise NoLongerOpen()
        draft = IntakeDraft.objects.filter(client=client).first()
        if (draft.partial if draft is not None else {}) == values:
            # Nothing new to keep (an answer refused, or the same answers again): nothing written.
            return draft
        if draft is None:
            draft = IntakeDraft.objects.create(client=client)
        draft.partial = dict(values)
        draft.full_clean()
        draft.save(update_fields=["partial", "updated_at"])
        audit_record(
            actor=None,
            action="update",
            client=client,
            target=draft,
            detail=client_detail(link, {"answers kept": len(values), "autosave": True}),
        )
    return draft


@transaction.atomic
def intake_confirm(*, intake: IntakeSubmission, by) -> IntakeSubmission:
    """The therapist reviewed the form with the client: record the health screen (and consent)."""
    current = _locked(IntakeSubmission, intake.pk)
    if current.status != IntakeSubmission.Status.PENDING:
        raise AlreadyDecided()
    if current.question_set != CURRENT_QUESTION_SET:
        raise ValidationError(
            "These answers were given to an earlier set of questions. Go through the current "
            "health screen with the client instead, then discard this form."
        )
    source = (
        f"Entered from paper by {current.entered_by.display_name}"
        if current.entered_by_id
        else "Filled in by the client on their link"
    )
    screen = health_screen_record(
        client=intake.client,
        by=by,
        answers={a.question: (a.answer, a.details, a.since) for a in stored_answers(current)},
        medications=current.medications,
        notes=f"{source} before the visit; reviewed with the client and confirmed.",
        consent_given=current.consent_given,
        consented_by_role=current.consented_by_role or Consent.Role.CLIENT,
        consented_by_name=current.consented_by_name,
        pregnancy_stage=current.pregnancy_stage,
        gp_name=current.gp_name,
        gp_contact=current.gp_contact,
        taken_at=current.submitted_at,
    )
    model_update(
        instance=current,
        fields=("status", "confirmed_by", "confirmed_at", "screen"),
        data={
            "status": IntakeSubmission.Status.CONFIRMED,
            "confirmed_by": by,
            "confirmed_at": timezone.now(),
            "screen": screen,
        },
    )
    audit_record(actor=by, action="confirm", client=current.client_id, target=current)
    return current


@transaction.atomic
def intake_discard(*, intake: IntakeSubmission, by, reason: str) -> IntakeSubmission:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this form is discarded."})
    current = _locked(IntakeSubmission, intake.pk)
    if current.status != IntakeSubmission.Status.PENDING:
        raise AlreadyDecided()
    return _discarded(current, by=by, reason=reason, detail={})
