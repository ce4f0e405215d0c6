"""Builders for visit-note tests. State is built through notes.services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notes import services
from notes.models import BodyRegion, Technique

COMPLETE = {
    "screen_changed": "no",
    "chief_complaint": "Left heel pain on first steps.",
    "nprs_first_step": 6,
    "nprs_rest": 2,
    "nprs_worst_24h": 7,
    "objective": "Calf tone increased; WBLT 6 cm left.",
    "analysis": "Load-related plantar heel pain picture; calf restriction.",
    "plan_next": "Re-test WBLT; progress calf work.",
    "goals": "First-step pain 2/10 within 6 weeks.",
    "frequency": "Weekly",
}


@pytest.fixture
def make_client(make_client, treating):
    """Clients here come screened, with consent on file, as a clinic's would before a
    first treatment; ``screened=False`` leaves them without (the interlock's tests)."""
    from clinic.screening import QUESTIONS
    from clinic.services import health_screen_record

    def build(therapist, *, screened: bool = True, **fields):
        client = make_client(therapist, **fields)
        if screened:
            health_screen_record(
                client=client,
                by=treating,
                answers={q.code: (False, "") for q in QUESTIONS},
                consent_given=True,
            )
        return client

    return build


@pytest.fixture
def catalogue(db):
    return {
        "technique": {t.code: t for t in Technique.objects.all()},
        "region": {r.code: r for r in BodyRegion.objects.all()},
    }


@pytest.fixture
def make_note(treating, client_record):
    """``make_note(hours_ago=2, by=treating, client=client_record, **fields)`` -> a draft."""

    def build(*, hours_ago: float = 2, by=None, client=None, copy_forward=False, template="", **fields):
        by = by or treating
        note = services.note_create(
            client=client or client_record,
            by=by,
            service_at=timezone.now() - timedelta(hours=hours_ago),
            template=template,
            copy_forward=copy_forward,
        )
        if fields:
            note = services.note_update(note=note, by=by, data=fields, version=note.version)
        return note

    return build


@pytest.fixture
def add_row(catalogue, treating):
    def build(note, *, by=None, technique="sports_massage", region="gastroc_medial", minutes=10, **extra):
        data = {
            "technique": catalogue["technique"][technique],
            "region": catalogue["region"][region],
            "side": "L",
            "minutes": minutes,
            "pressure": 3,
            "response": "eased",
            **extra,
        }
        return services.treatment_add(note=note, by=by or treating, data=data)

    return build


@pytest.fixture
def signed_note(make_note, add_row, treating):
    """``signed_note(hours_ago=2, rows=2, **fields)`` -> a signed note with treatment rows."""

    def build(*, rows: int = 2, hours_ago: float = 2, **fields):
        note = make_note(hours_ago=hours_ago, **{**COMPLETE, **fields})
        for _ in range(rows):
            add_row(note)
        return services.note_sign(note=note, by=treating)

    return build
