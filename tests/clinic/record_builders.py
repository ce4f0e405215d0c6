"""One row for each table the demo clinic leaves empty, for the record-version walk."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from clinic.models import Client, ClientDocument, Disclosure, EmergencyAccess


def fill_missing(*, treating) -> None:
    from notes.amendment_requests import amendment_request_record
    from notes.models import VisitNote

    client = Client.objects.order_by("pk").first()
    now = timezone.now()
    if not EmergencyAccess.objects.exists():
        EmergencyAccess.objects.create(
            user=treating,
            client=client,
            reason="Covering",
            started_at=now,
            expires_at=now + timedelta(hours=1),
        )
    if not Disclosure.objects.exists():
        Disclosure.objects.create(
            client=client,
            disclosed_on=now.date(),
            recipient_name="Insurer",
            description="Visit notes",
            purpose="Claim",
            recorded_by=treating,
        )
    if not ClientDocument.objects.exists():
        ClientDocument.objects.create(
            client=client,
            kind=ClientDocument.Kind.REFERRAL,
            title="Letter",
            stored_name="x.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            attached_by=treating,
            attached_at=now,
        )
    note = VisitNote.objects.signed().order_by("pk").first()
    if note is not None and not note.amendment_requests.exists():
        amendment_request_record(note=note, by=note.therapist, request_text="Fix the date.")
    # Before the visit: a schedule rule and an intake form sent by the client.
    from previsit import services as previsit_services
    from previsit.models import IntakeDraft, IntakeSubmission, Measure, QuestionnaireSchedule
    from tests.previsit.conftest import intake_answers

    if not QuestionnaireSchedule.objects.exists():
        QuestionnaireSchedule.objects.create(
            client=client, measure=Measure.LEFS, every_weeks=4, set_by=treating
        )
    if not IntakeSubmission.objects.exists():
        previsit_services.intake_submit(
            client=client,
            answers=intake_answers({}),
            fields={"consent_given": True, "consented_by_role": "client", "medications": "None"},
        )
    if not IntakeDraft.objects.exists():
        # An intake form half filled in (the service keeps one only while the form is open).
        IntakeDraft.objects.create(client=client, partial={"medications": "Ibuprofen when needed"})
