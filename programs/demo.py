"""Demo data for the programs app, called by seed_demo after assessments and notes.

Most demo clients get a program issued at their first visit (built from their
flagged findings, falling back to the core plantar-heel-pain set), and half of
them a revised version two visits later (the low-capacity heel raise progressed
to the high-load one, intrinsic foot work added). Adherence is recorded at the
later visits. Idempotent: a client that already has a program is skipped.

The demo visit notes are already signed when this runs, and a signed note's
adherence rows are locked, so demo adherence is recorded on the visit's date
without a link to the note.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from audit.log import run_alone
from notes.models import VisitNote
from programs import services
from programs.models import Exercise, PainResponse, ProgramItem, ProgramVersion
from programs.selectors import builder_signals, latest_findings, suggestions_for

CORE = [
    ("Plantar-fascia stretch", "Eases the sharp pain of your first steps in the morning."),
    ("Calf stretch, back knee straight", "A looser calf takes strain off your heel."),
    ("Heel raise, low-capacity start", "A gentle way to start loading a painful heel."),
]
MAX_FIRST = 4
# (days per week, pain response) per later visit: adherence that improves.
ADHERENCE = [
    [(3, PainResponse.AMBER), (4, PainResponse.GREEN), (2, PainResponse.AMBER), (5, PainResponse.GREEN)],
    [(5, PainResponse.GREEN), (6, PainResponse.GREEN), (4, PainResponse.AMBER), (6, PainResponse.GREEN)],
    [(6, PainResponse.GREEN), (7, PainResponse.GREEN), (5, PainResponse.GREEN), (6, PainResponse.GREEN)],
]


def _visits(client):
    return list(VisitNote.objects.filter(client=client, signed_at__isnull=False).order_by("service_at"))


def _first_version_plan(client, library):
    plan = []
    signals = builder_signals(client)
    safety = services.client_safety(client)
    for suggestion in suggestions_for(latest_findings(client), signals=signals):
        if services.exercise_conflicts(safety=safety, exercise=suggestion.exercise):
            continue
        plan.append((suggestion.exercise, suggestion.reason, suggestion.code, suggestion.side))
        if len(plan) == MAX_FIRST:
            break
    if len(plan) < 3:
        chosen = {p[0].pk for p in plan}
        for name, reason in CORE:
            exercise = library.get(name)
            if exercise and exercise.pk not in chosen and len(plan) < 3:
                plan.append((exercise, reason, "", ""))
    return plan


def _issue(client, therapist, plan_items, *, when, visit, draft=None):
    draft = draft or services.program_draft(client=client, by=therapist)
    safety = services.client_safety(client)
    for exercise, reason, code, side in plan_items:
        if services.exercise_conflicts(safety=safety, exercise=exercise):
            continue  # the demo therapist follows the client's safety rules
        services.program_item_add(
            draft=draft, exercise=exercise, by=therapist, reason=reason, source_code=code, side=side or ""
        )
    start = timezone.localtime(when).date()
    return services.program_issue(
        version=draft,
        by=therapist,
        start_date=start,
        review_date=start + timedelta(weeks=4),
        visit=visit,
        now=when,
    )


def _adherence(client, therapist, version, visit, pattern):
    items = list(ProgramItem.objects.filter(version=version).select_related("exercise", "version"))
    rows = [
        {"item": item, "days_per_week": days, "pain_response": pain}
        for item, (days, pain) in zip(items, pattern * 2, strict=False)
    ]
    services.adherence_record(
        client=client, by=therapist, rows=rows, recorded_on=timezone.localtime(visit.service_at).date()
    )


def seed(*, clients, therapists) -> None:
    library = {e.name: e for e in Exercise.objects.active()}
    for position, client in enumerate(clients):
        if position % 5 == 4:
            continue  # a few clients have no program yet, so the builder starts empty
        if ProgramVersion.objects.for_client(client).exists():
            continue
        therapist = client.primary_therapist
        visits = _visits(client)
        first_visit = visits[0] if visits else None
        when = (
            first_visit.service_at + timedelta(minutes=50)
            if first_visit
            else timezone.now() - timedelta(days=21)
        )
        # Seeding runs alone and composes many services in one transaction.
        with transaction.atomic(), run_alone():
            v1 = _issue(client, therapist, _first_version_plan(client, library), when=when, visit=first_visit)
            later = visits[1:]
            current = v1
            for index, visit in enumerate(later):
                _adherence(client, therapist, current, visit, ADHERENCE[min(index, len(ADHERENCE) - 1)])
                if index == 1 and position % 2 == 0:
                    current = _revise(client, therapist, current, visit, library)


def _revise(client, therapist, version, visit, library):
    """Version 2: progress the heel raise and add intrinsic foot work."""
    draft = services.program_draft(client=client, by=therapist)
    items = {i.exercise.name: i for i in ProgramItem.objects.filter(version=draft).select_related("exercise")}
    low = items.get("Heel raise, low-capacity start")
    add = []
    if low is not None:
        services.program_item_remove(item=low, by=therapist)
    if "High-load heel raise with towel" not in items:
        add.append(
            (
                library["High-load heel raise with towel"],
                "Your heel now tolerates load: build strength.",
                "",
                "",
            )
        )
    if "Short foot (arch doming)" not in items and builder_signals(client).pronated:
        add.append(
            (
                library["Short foot (arch doming)"],
                "Trains the small foot muscles that support your arch.",
                "",
                "",
            )
        )
    stretch = items.get("Calf stretch, back knee straight")
    if stretch is not None:
        services.program_item_update(
            item=stretch,
            by=therapist,
            data={
                "reps": 3,
                "hold_seconds": 30,
                "frequency": "Twice a day",
                "therapist_note": "Longer holds now.",
            },
        )
    when = visit.service_at + timedelta(minutes=50)
    return _issue(client, therapist, add, when=when, visit=visit, draft=draft)
