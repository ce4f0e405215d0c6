"""One object of every kind the object-scoped routes address, for one client,
built through each app's services. A builder that cannot run yet (an app still
in progress) yields no object, and the sweep reports those routes as skipped."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone


def _assessment(*, client, therapist):
    from assessments import services
    from assessments.services import AssessmentData, MeasurementInput

    data = AssessmentData(
        assessed_on=date(2026, 9, 1),
        findings={"foot": "Tender at the heel."},
        measurements=[
            MeasurementInput("knee_to_wall", "L", value=Decimal("7")),
            MeasurementInput("knee_to_wall", "R", value=Decimal("12")),
        ],
    )
    return services.assessment_create(client=client, by=therapist, data=data).pk


def _screen(*, client, therapist):
    """A health screen with consent: treatment and signing need it."""
    from clinic.models import Consent, HealthScreen
    from clinic.screening import QUESTIONS
    from clinic.services import health_screen_record

    screen = HealthScreen.objects.latest_for(client)
    if screen is None or not Consent.objects.filter(client=client, given=True).exists():
        screen = health_screen_record(
            client=client, by=therapist, answers={q.code: (False, "") for q in QUESTIONS}, consent_given=True
        )
    return {"pk": client.pk, "screen": screen.pk}


def _note_and_row(*, client, therapist):
    from notes import services
    from notes.models import BodyRegion, Technique

    note = services.note_create(
        client=client,
        by=therapist,
        service_at=timezone.now() - timedelta(hours=2),
        template="",
        copy_forward=False,
    )
    row = services.treatment_add(
        note=note,
        by=therapist,
        data={
            "technique": Technique.objects.order_by("id").first(),
            "region": BodyRegion.objects.order_by("id").first(),
            "side": "L",
            "minutes": 10,
            "pressure": 3,
            "response": "eased",
        },
    )
    return note.pk, {"pk": note.pk, "row": row.pk}


def _amendment_request(*, client, therapist):
    """A signed note of its own and a pending request from the client to amend it."""
    from notes import amendment_requests, services

    note = services.note_create(
        client=client,
        by=therapist,
        service_at=timezone.now() - timedelta(hours=5),
        template="",
        copy_forward=False,
    )
    note = services.note_update(
        note=note,
        by=therapist,
        data={
            "screen_changed": "no",
            "chief_complaint": "Heel pain.",
            "objective": "Calf tone up.",
            "analysis": "Load.",
            "goals": "Run.",
        },
        version=note.version,
    )
    note = services.note_sign(note=note, by=therapist)
    request = amendment_requests.amendment_request_record(
        note=note, by=therapist, request_text="My pain score was lower than written."
    )
    return note.pk, request.pk


def _snippet(*, therapist):
    from notes import services

    return services.snippet_create(by=therapist, title="Mine", text="Calf work as before.").pk


def _program(*, client, therapist):
    from programs import services
    from programs.models import Exercise

    draft = services.program_draft(client=client, by=therapist)
    exercise = Exercise.objects.order_by("id").first()
    services.program_item_add(draft=draft, exercise=exercise, by=therapist, reason="")
    version = services.program_issue(version=draft, by=therapist)
    draft2 = services.program_draft(client=client, by=therapist)
    item = draft2.items.order_by("id").first()
    return version.pk, item.pk if item else None


def _document(*, client, therapist):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from clinic.services import client_document_attach

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="PNG")
    upload = SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")
    return client_document_attach(client=client, by=therapist, upload=upload, kind="photo").pk


def _report(*, client, therapist):
    """A draft progress report of the signed visit the amendment request built."""
    from reports import services

    today = timezone.localdate()
    return services.report_create(
        client=client,
        audience="client",
        period_start=today - timedelta(days=2),
        period_end=today,
        includes={},
        by=therapist,
    ).pk


def _signed_report(*, client, therapist):
    """A signed letter to the client's GP over the same days: what prints from stored content."""
    from reports import services

    today = timezone.localdate()
    letter = services.report_create(
        client=client,
        audience="referrer",
        period_start=today - timedelta(days=2),
        period_end=today,
        includes={},
        recipient_name="Dr Okafor",
        recipient_address="Northside Medical Practice\n2 Station Road",
        by=therapist,
    )
    return services.report_sign(report=letter, by=therapist, consent_to_share=True).pk


def _questionnaire(*, client, therapist):
    """A LEFS the client answered on their link, waiting for review."""
    from previsit import services

    qrequest = services.questionnaire_request_create(client=client, measure="lefs", by=therapist)
    services.questionnaire_submit(qrequest=qrequest, data={f"item_{n}": "3" for n in range(1, 21)})
    return qrequest.pk


def _intake(*, client):
    """An intake form the client sent before the first visit, waiting for the therapist."""
    from clinic.screening import QUESTIONS
    from previsit import services

    answers = {q.code: (False, "", None) for q in QUESTIONS}
    return services.intake_submit(client=client, answers=answers, fields={"consent_given": True}).pk


def _client_link(*, client, therapist) -> int:
    from portal import services

    return services.link_issue(client=client, by=therapist)[0].pk


def build_all(*, client, therapist) -> dict:
    built: dict = {"errors": {}}

    def attempt(label, func):
        try:
            return func()
        except Exception as exc:  # an app still being built: report, do not hide
            built["errors"][label] = repr(exc)[:300]
            return None

    built["health_screen"] = attempt("health_screen", lambda: _screen(client=client, therapist=therapist))
    built["assessment"] = attempt("assessment", lambda: _assessment(client=client, therapist=therapist))
    note = attempt("note", lambda: _note_and_row(client=client, therapist=therapist))
    if note:
        built["note"], built["note_row"] = note
    request = attempt("amendment_request", lambda: _amendment_request(client=client, therapist=therapist))
    if request:
        built["signed_note"], built["amendment_request"] = request
    built["document"] = attempt("document", lambda: _document(client=client, therapist=therapist))
    built["snippet"] = attempt("snippet", lambda: _snippet(therapist=therapist))
    program = attempt("program", lambda: _program(client=client, therapist=therapist))
    if program:
        built["program_version"], built["program_item"] = program
    built["report"] = attempt("report", lambda: _report(client=client, therapist=therapist))
    built["signed_report"] = attempt(
        "signed_report", lambda: _signed_report(client=client, therapist=therapist)
    )
    built["questionnaire"] = attempt(
        "questionnaire", lambda: _questionnaire(client=client, therapist=therapist)
    )
    built["intake"] = attempt("intake", lambda: _intake(client=client))
    built["client_link"] = attempt("client_link", lambda: _client_link(client=client, therapist=therapist))
    return {k: v for k, v in built.items() if v is not None}
