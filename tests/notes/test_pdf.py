"""The note PDF: a pure renderer, read back as text with pypdf."""

from __future__ import annotations

import io

from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEvent
from notes import pages, services
from notes.access import get_note_for_user
from notes.pdf import render_note_pdf
from tests.notes.conftest import COMPLETE


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _long_note(make_note, add_row, treating):
    long_text = "\n".join(f"Line {i}: the calf was reassessed after each block of work." for i in range(70))
    note = make_note(**{**COMPLETE, "subjective": long_text, "objective": long_text})
    for _ in range(6):
        add_row(note, minutes=5)
    note = services.note_sign(note=note, by=treating)
    services.amendment_add(
        note=note, by=treating, kind="addendum", reason="Client phoned", text="Settled in 24 h."
    )
    return note


def test_the_pdf_download_has_the_client_on_every_page_and_is_audited(
    make_note, add_row, treating, as_treating
):
    note = _long_note(make_note, add_row, treating)
    response = as_treating.get(reverse("note_pdf", args=[note.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="visit-note-Raman-Priya-')
    assert response["Cache-Control"] == "no-store"
    pages = _pages(response.content)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert "Priya Raman" in text and "DOB 1985-05-17" in text
        assert f"Page {number} of {len(pages)}" in text
    assert AuditEvent.objects.filter(action="print", object_id=str(note.pk)).exists()


def test_the_pdf_holds_soap_treatments_signature_and_addenda_in_order(make_note, add_row, treating):
    note = _long_note(make_note, add_row, treating)
    data = pages.note_pdf_data(pages.note_page(get_note_for_user(treating, note.pk)))
    text = "\n".join(_pages(render_note_pdf(data)))
    for heading in ("S · Subjective", "O · Objective", "A · Assessment", "P · Plan", "Treatment log"):
        assert heading in text
    unwrapped = " ".join(text.split())
    assert "Sports / deep-tissue massage" in unwrapped and "Gastrocnemius (medial)" in unwrapped
    assert "Electronically signed by Treating Therapist, RMT" in text
    assert text.index("Electronically signed") < text.index("Addendum by Treating Therapist, RMT")
    assert "Settled in 24 h." in text


def test_user_markup_is_printed_as_text_not_interpreted(make_note, treating):
    payload = '<img src="http://127.0.0.1:9/x"/> <font size=40>big</font> & <b>bold</b>'
    note = make_note(**{**COMPLETE, "analysis": payload})
    services.note_sign(note=note, by=treating)
    data = pages.note_pdf_data(pages.note_page(get_note_for_user(treating, note.pk)))
    text = "\n".join(_pages(render_note_pdf(data)))
    assert '<img src="http://127.0.0.1:9/x"/>' in text and "<b>bold</b>" in text


def test_a_draft_and_an_entered_in_error_note_say_so_on_paper(make_note, treating):
    note = make_note(**COMPLETE)
    data = pages.note_pdf_data(pages.note_page(get_note_for_user(treating, note.pk)))
    assert "DRAFT: not signed" in "\n".join(_pages(render_note_pdf(data)))
    services.amendment_add(note=note, by=treating, kind="entered_in_error", reason="Wrong chart")
    data = pages.note_pdf_data(pages.note_page(get_note_for_user(treating, note.pk)))
    text = "\n".join(_pages(render_note_pdf(data)))
    assert "ENTERED IN ERROR: Wrong chart" in text


def test_the_renderer_runs_no_queries(make_note, treating, django_assert_num_queries):
    note = make_note(**COMPLETE)
    data = pages.note_pdf_data(pages.note_page(get_note_for_user(treating, note.pk)))
    with django_assert_num_queries(0):
        assert render_note_pdf(data).startswith(b"%PDF")


def test_the_pdf_summarises_the_linked_assessment_and_labels_late_entries(make_note, treating, client_record):
    from django.utils import timezone

    from assessments.services import AssessmentData, assessment_create

    assessment = assessment_create(
        client=client_record, by=treating, data=AssessmentData(assessed_on=timezone.localdate())
    )
    note = make_note(hours_ago=30, **COMPLETE)
    services.note_link_assessment(note=note, by=treating, assessment=assessment)
    services.note_sign(note=note, by=treating)
    services.amendment_add(
        note=note, by=treating, kind="late_entry", reason="Written up late", text="Taping."
    )
    data = pages.note_pdf_data(pages.note_page(get_note_for_user(treating, note.pk)))
    text = " ".join("\n".join(_pages(render_note_pdf(data))).split())
    assert f"Assessment of {assessment.assessed_on:%Y-%m-%d} by Treating Therapist" in text
    assert "signed" in text and "Late entry (signed more than 24 h after the visit)" in text
    service_day = f"{timezone.localtime(note.service_at):%Y-%m-%d}"
    assert f"Late entry for date of service {service_day} by Treating Therapist, RMT" in text
