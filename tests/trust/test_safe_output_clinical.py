"""The payload corpus through the clinical apps' free-text fields (visit notes
and their addenda, treatment rows, assessment findings, home-program reasons,
clients' amendment requests), built through their services: inert in the HTML
pages, literal text in the visit-note PDF and the home-program handout (IO-1, IO-4)."""

from __future__ import annotations

import io
import re
import socket
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from tests.trust.payloads import PAYLOADS
from tests.trust.test_safe_output import _assert_inert_html

pytestmark = pytest.mark.django_db

NOTE_TEXT_FIELDS = ("chief_complaint", "focus", "subjective", "objective", "analysis", "plan_next", "goals")
COMPLETE = {
    "screen_changed": "no",
    "nprs_first_step": 6,
    "nprs_rest": 2,
    "nprs_worst_24h": 7,
    "frequency": "Weekly",
}


@pytest.fixture(autouse=True)
def _consent_on_file(screened):
    """Treatment and signing need a health screen with consent on file."""
    screened()


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("rendering tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    assert not reader.attachments
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("n", range(len(PAYLOADS)))
def test_note_text_and_addenda_payloads_are_inert_in_the_page_and_literal_in_the_pdf(
    n, client_record, treating, as_treating
):
    from notes import services
    from notes.models import BodyRegion, Technique

    payload = PAYLOADS[n]
    note = services.note_create(
        client=client_record,
        by=treating,
        service_at=timezone.now() - timedelta(hours=2),
        template="",
        copy_forward=False,
    )
    data = {**COMPLETE, **{name: payload for name in NOTE_TEXT_FIELDS}}
    note = services.note_update(note=note, by=treating, data=data, version=note.version)
    services.treatment_add(
        note=note,
        by=treating,
        data={
            "technique": Technique.objects.order_by("id").first(),
            "region": BodyRegion.objects.order_by("id").first(),
            "side": "L",
            "minutes": 10,
            "pressure": 3,
            "response": "eased",
            "note": payload[:200],
        },
    )
    draft_page = as_treating.get(f"/notes/{note.pk}/")
    assert draft_page.status_code == 200
    _assert_inert_html(draft_page.content.decode(), payload, "draft note", shown=True)

    note = services.note_sign(note=note, by=treating)
    services.amendment_add(note=note, by=treating, kind="addendum", reason=payload, text=payload)
    signed_page = as_treating.get(f"/notes/{note.pk}/")
    _assert_inert_html(signed_page.content.decode(), payload, "signed note", shown=True)

    pdf = as_treating.get(f"/notes/{note.pk}/pdf/")
    assert pdf.status_code == 200
    text = _pdf_text(_body(pdf))
    assert re.sub(r"\s+", " ", payload) in text, payload


@pytest.mark.parametrize("n", range(len(PAYLOADS)))
def test_assessment_findings_payloads_are_inert_in_the_page(n, client_record, treating, as_treating):
    from assessments import services
    from assessments.services import AssessmentData, MeasurementInput

    payload = PAYLOADS[n]
    assessment = services.assessment_create(
        client=client_record,
        by=treating,
        data=AssessmentData(
            assessed_on=date(2026, 9, 1),
            findings={"foot": payload, "hip": payload},
            measurements=[MeasurementInput("knee_to_wall", "L", value=Decimal("7"))],
        ),
    )
    for path in (f"/assessments/{assessment.pk}/", f"/clients/{client_record.pk}/"):
        response = as_treating.get(path)
        assert response.status_code == 200, path
        _assert_inert_html(response.content.decode(), payload, path, shown=path.startswith("/assessments/"))


@pytest.mark.parametrize("n", range(len(PAYLOADS)))
def test_a_program_reason_payload_is_literal_text_in_the_handout(n, client_record, treating, as_treating):
    from programs import services
    from programs.models import Exercise

    payload = PAYLOADS[n]
    draft = services.program_draft(client=client_record, by=treating)
    services.program_item_add(
        draft=draft, exercise=Exercise.objects.order_by("id").first(), by=treating, reason=payload
    )
    version = services.program_issue(version=draft, by=treating)
    page = as_treating.get(f"/programs/versions/{version.pk}/")
    assert page.status_code == 200
    _assert_inert_html(page.content.decode(), payload, "program version", shown=False)
    pdf = as_treating.get(f"/programs/versions/{version.pk}/handout.pdf")
    assert pdf.status_code == 200
    text = _pdf_text(_body(pdf))
    assert re.sub(r"\s+", " ", payload) in text, payload


@pytest.mark.parametrize("n", range(len(PAYLOADS)))
def test_amendment_request_payloads_are_inert_in_the_pages_and_literal_in_the_pdf(
    n, client_record, treating, as_treating
):
    from notes import amendment_requests, services

    payload = PAYLOADS[n]
    note = services.note_create(
        client=client_record,
        by=treating,
        service_at=timezone.now() - timedelta(hours=2),
        template="",
        copy_forward=False,
    )
    data = {**COMPLETE, "chief_complaint": "Heel", "objective": "Calf", "analysis": "Load", "goals": "Run"}
    note = services.note_sign(
        note=services.note_update(note=note, by=treating, data=data, version=note.version), by=treating
    )
    request = amendment_requests.amendment_request_record(
        note=note, by=treating, request_text=payload, other_records=payload
    )
    amendment_requests.amendment_request_extend(
        amendment_request=request, by=treating, reason=payload, notice=payload
    )
    amendment_requests.amendment_request_decide(
        amendment_request=request, by=treating, decision="denied", reason=payload
    )
    amendment_requests.amendment_request_add_disagreement(
        amendment_request=request, by=treating, text=payload
    )
    amendment_requests.amendment_request_add_rebuttal(amendment_request=request, by=treating, text=payload)
    for path, shown in (
        (f"/notes/{note.pk}/", True),
        (f"/amendment-requests/{request.pk}/", True),
        (f"/clients/{client_record.pk}/amendment-requests/", False),
    ):
        response = as_treating.get(path)
        assert response.status_code == 200, path
        _assert_inert_html(response.content.decode(), payload, path, shown=shown)
    pdf = as_treating.get(f"/notes/{note.pk}/pdf/")
    assert pdf.status_code == 200
    text = _pdf_text(_body(pdf))
    assert text.count(re.sub(r"\s+", " ", payload)) >= 4, payload  # request, reason, disagreement, rebuttal
