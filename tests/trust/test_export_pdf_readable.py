"""The complete-record PDF reads like the chart (issue 14, item 3): a cover, each
visit as its note printout lays it out, assessments as tables, issued home
programs, disclosures and the audit in plain words; never a field name, a code,
an id, a history row or a microsecond timestamp."""

from __future__ import annotations

import io
import re
import time

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone
from pypdf import PdfReader

from assessments import catalogue
from assessments.models import Measurement
from clinic.models import Client
from notes.models import VisitNote
from programs.models import ProgramItem

INTERNAL_WORDS = (
    "chief_complaint",
    "history_type",
    "history type",
    "knee_to_wall",
    "Historical",
    "service_at",
    "date_of_birth",
    "clinic.client",
    "notes.visitnote",
    "(#",
    "{",
    "}",
)
MICROSECONDS = re.compile(r"\d{2}:\d{2}:\d{2}\.\d+")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
HISTORY_MARKER = re.compile(r"(?:^|\s)[+~-](?:\s|$)")


@pytest.fixture
def demo(records_officer, as_records_officer):
    call_command("seed_demo", stdout=io.StringIO())
    session = as_records_officer.session
    session["kc_reauth_at"] = time.time()
    session.save()
    return Client.objects.annotate(visits=Count("visit_notes")).order_by("-visits", "pk").first()


def _pages(http, client) -> list[str]:
    response = http.get(f"/clients/{client.pk}/export.pdf")
    assert response.status_code == 200
    return [p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_every_page_names_the_client_and_counts_the_pages(as_records_officer, demo):
    pages = _pages(as_records_officer, demo)
    born = f"{demo.date_of_birth:%d %B %Y}"
    for number, text in enumerate(pages, start=1):
        flat = _flat(text)
        assert f"{demo.full_name} · DOB {born}" in flat
        assert f"Page {number} of {len(pages)}" in flat


def test_the_record_reads_like_the_chart(as_records_officer, demo):
    text = _flat(" ".join(_pages(as_records_officer, demo)))
    # The cover: letterhead title, demographics, flags, consent, care team, who exported it.
    for words in ("Complete client record", "Date of birth", "Flags", "Consent:", "Care team", "Exported "):
        assert words in text
    visits = list(VisitNote.objects.filter(client=demo).order_by("service_at"))
    assert visits
    for number, note in enumerate(visits, start=1):
        day = timezone.localtime(note.service_at)
        assert f"Visit {number} of {len(visits)} · {day:%d %B %Y}" in text
        assert _flat(note.chief_complaint) in text
    assert "Treatment log" in text and "Electronically signed by" in text
    recorded = set(
        Measurement.objects.filter(assessment__client=demo, status="recorded").values_list("code", flat=True)
    )
    assert recorded
    for code in recorded:
        assert _flat(catalogue.get(code).label) in text
    assert "Against the norm" in text and "outside the norm" in text
    exercises = set(
        ProgramItem.objects.filter(version__client=demo, version__signed_at__isnull=False).values_list(
            "exercise__name", flat=True
        )
    )
    assert exercises
    for name in exercises:
        assert _flat(name) in text
    assert "Adherence reported by the client" in text
    assert "Amendment requests from the client" in text and "Disclosures" in text
    assert "Audit: who opened or changed this record" in text


def test_no_internal_words_codes_or_timestamps(as_records_officer, demo):
    text = " ".join(_pages(as_records_officer, demo))
    for word in INTERNAL_WORDS:
        assert word not in text, word
    assert not MICROSECONDS.search(text)
    assert not ISO_TIME.search(text)
    assert not HISTORY_MARKER.search(text.replace("\n", " ")), "a history-table marker"
