"""Page data of the client's own view, gathered in a fixed number of queries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from portal.models import ClientLink, EntryKind, LogEntry
from programs.drawings import drawing_svg
from programs.handout import HandoutExercise
from programs.models import PainMonitoringRule, ProgramItem, ProgramVersion
from programs.pages import handout_data
from programs.selectors import items_of

WEEK_DAYS = 7


@dataclass
class ExerciseCard:
    """One exercise as the client's phone shows it: the handout's words, the
    picture, and what was ticked today."""

    item: ProgramItem
    text: HandoutExercise
    dosage: str
    drawing: str
    has_picture: bool
    sets: list[dict] = field(default_factory=list)
    session_done: bool = False
    session_entry_id: str = ""


def _new_id() -> str:
    return str(uuid.uuid4())


def current_program(link: ClientLink) -> tuple[ProgramVersion | None, list[ProgramItem]]:
    version = (
        ProgramVersion.objects.for_client(link.client_id)
        .issued()
        .select_related("client", "signed_by")
        .order_by("-number")
        .first()
    )
    return version, items_of(version)


def program_page(link: ClientLink) -> dict:
    """Today's exercises of the issued program with ticks, the pain check after the
    session and the next-morning check for yesterday's session."""
    today = timezone.localdate()
    version, items = current_program(link)
    rule = PainMonitoringRule.load()
    if version is None:
        return {"version": None, "today": today}
    texts = handout_data([version]).programs[0].exercises
    entries = list(LogEntry.objects.for_client(link.client_id).between(today - timedelta(days=1), today))
    done_sets = {(e.item_id, e.set_number) for e in entries if e.kind == EntryKind.SET and e.done_on == today}
    done_sessions = {e.item_id for e in entries if e.kind == EntryKind.SESSION and e.done_on == today}
    cards = []
    for item, text in zip(items, texts, strict=True):
        exercise = item.exercise
        card = ExerciseCard(
            item=item,
            text=text,
            dosage=item.dosage_text,
            drawing=(
                drawing_svg(exercise.drawing, 240) if exercise.drawing and not exercise.illustration else ""
            ),
            has_picture=bool(exercise.illustration),
            session_done=item.pk in done_sessions,
            session_entry_id=_new_id(),
        )
        if not exercise.is_advice:
            card.sets = [
                {"number": n, "done": (item.pk, n) in done_sets, "entry_id": _new_id()}
                for n in range(1, item.sets + 1)
            ]
        cards.append(card)
    pain_today = [e for e in entries if e.kind == EntryKind.PAIN and e.done_on == today]
    yesterday = today - timedelta(days=1)
    pain_yesterday = [e for e in entries if e.kind == EntryKind.PAIN and e.done_on == yesterday]
    morning_done = any(e.kind == EntryKind.MORNING and e.done_on == today for e in entries)
    return {
        "version": version,
        "today": today,
        "cards": cards,
        "pain_today": pain_today[-1] if pain_today else None,
        "pain_entry_id": _new_id(),
        "morning_due": bool(pain_yesterday) and not morning_done,
        "morning_entry_id": _new_id(),
        "pain_scale": list(range(0, 11)),
        "green_max": rule.green_max,
        "amber_max": rule.amber_max,
    }


def week_page(link: ClientLink) -> dict:
    """The last seven days: per exercise, the sets or sessions ticked each day, and the
    pain of each day (2 queries plus the program's)."""
    today = timezone.localdate()
    days = [today - timedelta(days=n) for n in range(WEEK_DAYS - 1, -1, -1)]
    version, items = current_program(link)
    entries = list(LogEntry.objects.for_client(link.client_id).between(days[0], today))
    ticks: dict[tuple[int, date], int] = {}
    pain: dict[date, LogEntry] = {}
    for e in entries:
        if e.kind in (EntryKind.SET, EntryKind.SESSION):
            ticks[(e.item_id, e.done_on)] = ticks.get((e.item_id, e.done_on), 0) + 1
        elif e.kind == EntryKind.PAIN:
            pain[e.done_on] = e
    rows = [{"item": item, "cells": [ticks.get((item.pk, day), 0) for day in days]} for item in items]
    return {
        "version": version,
        "days": days,
        "rows": rows,
        "pain": [pain.get(day) for day in days],
    }
