"""Demo data for the reports app, called by seed_demo after programs: for the
first demo client with a history, one signed progress report for the client and
one signed letter to their GP (with an urgency, a question for the GP and the
client's consent to share recorded at signing), written through the services. Idempotent: a
client that already has a report is skipped."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from audit.log import run_alone
from notes.models import VisitNote
from reports import services
from reports.models import ProgressReport

GP_NAME = "Dr Aisha Patel"
GP_ADDRESS = "Northside Medical Practice\n2 Station Road\nNorthside\nNS1 2CD"
GP_QUESTION = (
    "Would you review the heel pain, which is easing more slowly than expected, "
    "and advise whether imaging or a podiatry assessment is needed?"
)
GP_REASON = "Left heel pain on first steps, easing more slowly than expected: I ask for your review."
DISCHARGE_QUESTION = "No action is needed; please let me know if the symptoms return."
INCLUDE_ALL = {"pain": True, "scores": True, "chain": True, "program": True, "treatment": True}


def _demo_client(clients, therapist):
    """The first client the demo therapist has seen at least three times."""
    for client in clients:
        notes = VisitNote.objects.filter(
            client=client, therapist=therapist, signed_at__isnull=False
        ).order_by("service_at")
        if notes.count() >= 3:
            return client, notes.first(), notes.last()
    return None, None, None


def _discharged_client(clients):
    """The first demo client whose latest signed visit closed an episode of care."""
    for client in clients:
        signed = VisitNote.objects.filter(client=client, signed_at__isnull=False)
        last = signed.order_by("-service_at").first()
        if last is not None and last.kind == VisitNote.Kind.DISCHARGE:
            first = VisitNote.objects.filter(client=client).order_by("service_at").first()
            return client, first, last
    return None, None, None


def _discharge_letter(clients) -> None:
    """A signed discharge letter to the GP of the client discharged in the demo."""
    client, first, last = _discharged_client(clients)
    if client is None or ProgressReport.objects.filter(client=client).exists():
        return
    letter = services.report_create(
        client=client,
        audience=ProgressReport.Audience.REFERRER,
        period_start=timezone.localdate(first.service_at),
        period_end=timezone.localdate(last.service_at),
        includes=INCLUDE_ALL,
        recipient_name=GP_NAME,
        recipient_address=GP_ADDRESS,
        by=last.therapist,
    )
    letter = services.report_update(
        report=letter,
        data={"urgency": ProgressReport.Urgency.ROUTINE, "question": DISCHARGE_QUESTION},
        by=last.therapist,
    )
    services.report_sign(report=letter, by=last.therapist, consent_to_share=True)


def seed(*, clients, therapists) -> None:
    with run_alone(), transaction.atomic():
        _report_and_letter(clients, therapists)
        _discharge_letter(clients)


def _report_and_letter(clients, therapists) -> None:
    """A signed progress report for the client and a signed letter to their GP."""
    client, first, last = _demo_client(clients, therapists[0])
    if client is None or ProgressReport.objects.filter(client=client).exists():
        return
    author = last.therapist
    start, end = timezone.localdate(first.service_at), timezone.localdate()
    report = services.report_create(
        client=client,
        audience=ProgressReport.Audience.CLIENT,
        period_start=start,
        period_end=end,
        includes=INCLUDE_ALL,
        by=author,
    )
    services.report_sign(report=report, by=author)
    letter = services.report_create(
        client=client,
        audience=ProgressReport.Audience.REFERRER,
        period_start=start,
        period_end=end,
        includes=INCLUDE_ALL,
        recipient_name=GP_NAME,
        recipient_address=GP_ADDRESS,
        by=author,
    )
    letter = services.report_update(
        report=letter,
        data={
            "urgency": ProgressReport.Urgency.WITHIN_WEEK,
            "question": GP_QUESTION,
            "reason": letter.reason or GP_REASON,
        },
        by=author,
    )
    services.report_sign(report=letter, by=author, consent_to_share=True)
