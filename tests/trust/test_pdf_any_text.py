"""Every printout renders whatever was stored: property tests over each PDF
renderer with long, unbroken and unicode text in every free-text field.

Each example renders a real PDF and reads its text back: the marker words of
every field that prints in full must be there. Letterhead and footer text is
cut to fit, so those fields only have to render."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.pdf import Letterhead, paragraphs
from notes.pages import AssessmentSummary, NotePdfData, PdfAmendment, PdfTreatment
from notes.pdf import render_note_pdf
from notes.selectors import RequestSummary
from programs.handout import HandoutData, HandoutExercise, HandoutProgram, render_handout
from tests.trust.pdf_text import Text, assert_printed, texts
from trust.export import render_pdf as render_export_pdf
from trust.views.disclosures import render_accounting_pdf

# Each example lays out a few pages of text; the counts keep every test to a few seconds.
EXAMPLES = 12
pdf_settings = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _letterhead(t: Text) -> Letterhead:
    return Letterhead(name=t.text, address=t.text, phone=t.text[:40], email=t.text, website=t.text)


def _note(fields: list[Text], other: Text, *, in_error: bool = False) -> NotePdfData:
    f = iter(fields)
    sections = [
        ("S · Subjective", [("Chief complaint", next(f).text), ("Notes", next(f).text)]),
        ("O · Objective", [("Notes", next(f).text)]),
        ("A · Assessment", [("", next(f).text)]),
        ("P · Plan", [("Next visit", next(f).text), ("Measurable goals", next(f).text)]),
    ]
    long_cell = next(f).text
    return NotePdfData(
        letterhead=_letterhead(other),
        client_name=other.text,
        client_dob=date(1980, 1, 2),
        service_at=datetime(2026, 11, 2, 9, 30),
        duration_minutes=45,
        therapist=other.text,
        kind="Follow-up",
        status="Signed",
        in_error=in_error,
        error_reason=next(f).text,
        sections=sections,
        treatments=[
            PdfTreatment("Sports massage", other.text, "Left", 10, 3, "eased", long_cell),
            PdfTreatment(other.text, "Calf", "Left", 5, 2, "eased", "short"),
        ],
        palpation=[("Calf", "Left", "raised", "moderate", "yes", long_cell)],
        assessment=AssessmentSummary(
            pk=1, assessed_on=date(2026, 11, 2), therapist=other.text, signed=True, measured=4,
            findings=[next(f).text],
        ),
        signed=True,
        signature_line=other.text,
        signed_at=datetime(2026, 11, 2, 11, 0),
        late_entry=False,
        content_hash="ab" * 32,
        amendments=[
            PdfAmendment("Addendum", other.text, datetime(2026, 11, 3, 9, 0), next(f).text, next(f).text)
        ],
        flags=[next(f).text],
        requests=[
            RequestSummary(
                pk=1, headline="Amendment requested 2026-11-04", received_on=date(2026, 11, 4),
                due_on=date(2027, 1, 3), decision="denied", decision_label="Denied",
                request_text=next(f).text, other_records=next(f).text, recorded_by="Desk",
                reason="", extension=next(f).text, amendment_pk=None, amendment_label="",
                disagreement_line="Client's statement of disagreement", disagreement=next(f).text,
                rebuttal_line="Clinic's rebuttal", rebuttal=next(f).text, overdue=False,
            )
        ],
    )  # fmt: skip


NOTE_FIELDS = 17


@pdf_settings
@given(fields=st.lists(texts(max_parts=6), min_size=NOTE_FIELDS, max_size=NOTE_FIELDS), other=texts())
def test_the_note_pdf_prints_any_text_in_every_field(fields, other):
    data = _note(fields, other)
    pdf = render_note_pdf(data)
    # The error reason prints only on a note entered in error.
    assert_printed(pdf, *(t for i, t in enumerate(fields) if i != 7))
    assert_printed(render_note_pdf(dataclasses.replace(data, in_error=True)), fields[7])


def _exercise(number: int, t: Text, other: Text) -> HandoutExercise:
    return HandoutExercise(
        name=f"Exercise {number}",
        steps=[t.text, "Breathe out as you lift.", t.text],
        sets=3,
        reps=12,
        hold_seconds=5,
        tempo=other.text[:80],
        frequency=other.text[:80],
        side="L",
        load_note=t.text,
        therapist_note=t.text,
        why=t.text,
        cues=[t.text],
        mistakes=[t.text],
        dosage_note=t.text,
        citation="Rathleff 2015",
        dosage_confirmed=False,
        drawing_key="calf_raise",
        video_url="https://example.org/video",
    )


def _program(fields: list[Text], other: Text) -> HandoutProgram:
    return HandoutProgram(
        client_name=other.text,
        client_dob=date(1950, 3, 4),
        therapist=other.text,
        issued_on=date(2026, 11, 2),
        start_date=date(2026, 11, 2),
        review_date=date(2026, 12, 1),
        version_number=2,
        exercises=[_exercise(i, t, other) for i, t in enumerate(fields, start=1)],
    )


@pdf_settings
@given(fields=st.lists(texts(max_parts=6), min_size=1, max_size=3), other=texts())
def test_the_handout_prints_any_text_in_every_field(fields, other):
    pdf = render_handout(HandoutData(letterhead=_letterhead(other), programs=[_program(fields, other)]))
    assert_printed(pdf, *fields)


@pdf_settings
@given(
    programs=st.lists(st.lists(texts(max_parts=4), min_size=1, max_size=2), min_size=2, max_size=3),
    other=texts(),
)
def test_the_days_batch_of_handouts_prints_any_text(programs, other):
    data = HandoutData(letterhead=_letterhead(other), programs=[_program(p, other) for p in programs])
    assert_printed(render_handout(data), *(t for p in programs for t in p))


@pdf_settings
@given(fields=st.lists(texts(), min_size=4, max_size=4), other=texts())
def test_the_disclosure_accounting_prints_any_text(fields, other):
    recipient, address, description, purpose = fields
    disclosures = [
        SimpleNamespace(
            disclosed_on=date(2026, 10, 1),
            recipient_name=recipient.text,
            recipient_address=address.text,
            description=description.text,
            purpose=purpose.text,
        ),
        SimpleNamespace(
            disclosed_on=date(2026, 10, 2),
            recipient_name="Acme Insurance",
            recipient_address="",
            description="Visit notes",
            purpose="Insurance claim",
        ),
    ]
    pdf = render_accounting_pdf(
        client=SimpleNamespace(full_name=other.text, date_of_birth=date(1980, 1, 2)),
        disclosures=disclosures,
        since=date(2020, 10, 1),
        today=date(2026, 11, 2),
        letterhead=_letterhead(other),
    )
    assert_printed(pdf, *fields)


def _record(model: str, pk: int, fields: dict) -> dict:
    return {"model": model, "id": pk, "fields": fields}


@pdf_settings
@given(fields=st.lists(texts(), min_size=9, max_size=9), other=texts())
def test_the_complete_record_pdf_prints_any_text(fields, other):
    """The printout as the download gives it: the cover, each app's part, documents,
    disclosures and the audit in words."""
    f = [t.text for t in fields]
    data = {
        "client": _record("clinic.client", 7, {}),
        "records": {},
        "documents": [],
        "audit_events": [
            {"at": "2026-11-02T09:00:00", "username": other.text[:150], "action": "view",
             "object_type": "clinic.client", "object_id": "7", "outcome": "allowed"}
        ],
    }  # fmt: skip
    parts = {
        "client_name": other.text,
        "date_of_birth": date(1980, 1, 2),
        "demographics": [("Address", f[0]), ("Goals", f[1])],
        "flags": [f"Red: {f[2]}"],
        "screened_on": datetime(2026, 11, 2, 9, 0),
        "consent": f[3],
        "care_team": [other.text],
        "primary_therapist": other.text,
        "exported_at": datetime(2026, 11, 2, 9, 0),
        "exported_by": other.text,
        "disclosures": [(date(2026, 11, 1), f[4], f[5], f[6], other.text)],
        "actor_names": {},
        # An app's part, as the apps register them: free text laid out with core.pdf.
        "parts": [
            lambda styles, width: [*paragraphs(f[7], styles["body"]), *paragraphs(f[8], styles["body"])]
        ],
    }
    assert_printed(render_export_pdf(data, letterhead=_letterhead(other), parts=parts), *fields)
