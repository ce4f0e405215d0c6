"""The report and the letter read back from their PDFs: the client's name and
date of birth and "Page x of y" on every page, the right scores with their
published meaningful change, no internal codes, and any text prints."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from reports import services
from reports.pdf import render_report_pdf

pytestmark = pytest.mark.django_db

CODES = (
    "lefs",
    "faam_adl",
    "nprs_first_step",
    "knee_to_wall",
    "sports_massage",
    "gastroc_medial",
    "referrer",
)


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _check_every_page(pages: list[str], client) -> None:
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert client.full_name in text, number
        assert f"DOB {client.date_of_birth:%Y-%m-%d}" in text, number
        assert f"Page {number} of {total}" in text, number


def _no_codes(text: str) -> None:
    for code in CODES:
        assert not re.search(rf"\b{code}\b", text), code


def test_the_signed_client_report_reads_back(make_report, treating, history, as_treating):
    signed = services.report_sign(report=make_report(), by=treating)
    pages = _pages(as_treating.get(f"/reports/{signed.pk}/pdf/").content)
    _check_every_page(pages, history)
    text = " ".join(pages)
    assert "Pain with your first steps in the morning" in text
    assert "from 7 to 3 out of 10" in text
    assert "Farrar 2001" in text
    # LEFS 40 -> 60 (2 and 3 on each of 20 items); a rise of 9 is meaningful (Binkley 1999).
    assert "Everyday activities score" in text and "from 40 to 60" in text and "Binkley 1999" in text
    assert "Knee-to-wall" in text
    assert "Draft" not in text
    _no_codes(text)


def test_the_signed_letter_reads_back(letter, treating, history, as_treating):
    signed = services.report_sign(report=letter, by=treating, consent_to_share=True)
    pages = _pages(as_treating.get(f"/reports/{signed.pk}/pdf/").content)
    assert len(pages) <= 2
    _check_every_page(pages, history)
    text = " ".join(pages)
    assert "Dear Dr Aisha Patel" in text and "2 Station Road" in text
    assert "baseline 7/10 → latest 3/10: clinically important improvement reached" in text
    assert "MCID Farrar 2001" in text
    assert re.search(r"LEFS \(Lower Extremity\s+Functional\s+Scale\)\s+40\s+60", text)
    assert "Published MCID 9 (Binkley 1999)" in text
    assert "Sports / deep-tissue massage" in text
    assert "Myofascial release" in text
    assert "not a diagnosis" in text
    _no_codes(text)


def test_a_letter_after_a_discharge_gives_its_reason_once(make_report, treating, history, as_treating):
    from tests.reports.conftest import _visit

    _visit(
        history,
        treating,
        days_ago=1,
        first_step=1,
        kind="discharge",
        discharge_reason="goals_met",
        discharge_detail="Keeps up the calf stretches.",
    )
    letter = make_report(
        audience="referrer", recipient_name="Dr Aisha Patel", recipient_address="2 Station Road"
    )
    assert letter.reason.startswith("Discharged from massage care on ")
    assert ": goals met. Keeps up the calf stretches." in letter.reason
    signed = services.report_sign(report=letter, by=treating, consent_to_share=True)
    pages = _pages(as_treating.get(f"/reports/{signed.pk}/pdf/").content)
    _check_every_page(pages, history)
    text = re.sub(r"\s+", " ", " ".join(pages))
    assert "Discharge letter" in text
    assert text.count("goals met") == 1
    _no_codes(text)


def test_a_draft_is_marked_on_every_page(make_report, as_treating):
    draft = make_report()
    pages = _pages(as_treating.get(f"/reports/{draft.pk}/pdf/").content)
    for text in pages:
        assert "DRAFT - NOT SIGNED" in text.upper()


def test_the_period_pdf_is_a_draft_built_from_the_query(as_treating, history):
    response = as_treating.get(f"/clients/{history.pk}/report.pdf?audience=referrer")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = _pages(response.content)
    _check_every_page(pages, history)
    assert all("DRAFT - NOT SIGNED" in t.upper() for t in pages)


@pytest.mark.parametrize(
    "query",
    [
        "period_start=2026-13-40",
        "period_start=yesterday&period_end=today",
        "audience=nobody",
        "period_start=2030-01-01&period_end=2020-01-01",
        "period_start=2000-01-01&period_end=2000-02-01",
        "period_end=2999-01-01",
    ],
)
def test_bad_period_parameters_get_a_clear_page_not_a_500(as_treating, history, query):
    response = as_treating.get(f"/clients/{history.pk}/report.pdf?{query}")
    assert response.status_code == 400
    assert b'id="report-message"' in response.content


ODD = (
    "Averyveryveryverylongwordwithoutanyspace" * 60
    + " שלום עולם مرحبا 😀👍🏽 <b>bold</b> </para> &amp; <font size=40> \x00 \u202eevil\u202c "
    + "line\n" * 200
)


@pytest.mark.parametrize("audience", ["client", "referrer"])
def test_odd_text_prints(make_report, treating, audience):
    printable = ODD.replace("\x00", "")  # a NUL is refused at the field (below)
    report = make_report(audience=audience, recipient_name=printable[:200], recipient_address="Street\n" * 60)
    report = services.report_update(
        report=report,
        data={
            "summary": printable[:4000],
            "next_steps": printable[:4000],
            "findings_text": printable[:4000],
            "reason": printable[:2000],
        },
        by=treating,
    )
    signed = services.report_sign(report=report, by=treating, consent_to_share=True)
    pages = _pages(render_report_pdf(signed.content, signed=True, signed_at="2026-12-04 10:00"))
    _check_every_page(pages, signed.client)
    assert "bold" in " ".join(pages)
    # The renderer itself takes anything, control characters included.
    content = {**signed.content, "texts": {k: ODD for k in ("summary", "findings", "next_steps", "reason")}}
    _check_every_page(_pages(render_report_pdf(content, signed=False)), signed.client)


def test_a_nul_character_is_refused_with_a_message_not_stored(make_report, treating):
    from django.core.exceptions import ValidationError

    report = make_report()
    with pytest.raises(ValidationError) as caught:
        services.report_update(report=report, data={"summary": "a\x00b"}, by=treating)
    assert "summary" in caught.value.message_dict
