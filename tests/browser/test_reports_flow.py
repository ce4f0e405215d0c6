"""A therapist writes, signs and downloads a progress report for the client and
a letter to the client's GP."""

from __future__ import annotations

import io

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import OUTPUT


def _write_and_sign(page, *, audience: str, address: str = "") -> bytes:
    page.goto("/clients/?q=brooks")
    page.click("a:has-text('Brooks, Ethan')")
    page.click("#new-report")
    page.check(f"input[name=audience][value={audience}]")
    if address:
        page.fill("#id_recipient_name", "Dr Aisha Patel")
        page.fill("#id_recipient_address", address)
    page.click("#report-new-form input[type=submit], #report-new-form button[type=submit]")
    expect(page.locator("#report-status")).to_have_text("Draft: not signed")
    page.fill("#id_next_steps", "Keep to the home program; review in four weeks.")
    if address:
        page.select_option("#id_urgency", "same_day")
        page.fill("#id_question", "Could you see him today about the calf swelling?")
    page.click("#report-text-form button[type=submit]")
    expect(page.locator("#id_next_steps")).to_have_value("Keep to the home program; review in four weeks.")
    if address:
        # A letter is not signed until the therapist confirms the client agreed to it.
        page.click("#sign-report")
        expect(page.locator("#error_consent_to_share")).to_contain_text("client agreed")
        expect(page.locator("#report-status")).to_have_text("Draft: not signed")
        page.check("#id_consent_to_share")
    page.click("#sign-report")
    expect(page.locator("#report-status")).to_contain_text("Signed")
    with page.expect_download() as download_info:
        page.click("#report-pdf")
    download = download_info.value
    path = OUTPUT / download.suggested_filename
    download.save_as(str(path))
    return path.read_bytes()


def test_therapist_signs_and_prints_a_client_report_and_a_gp_letter(page, login):
    login("therapist")
    report = PdfReader(io.BytesIO(_write_and_sign(page, audience="client")))
    text = " ".join(p.extract_text() for p in report.pages)
    assert "Progress report" in text and "Ethan Brooks" in text
    assert "Keep to the home program" in text and "DRAFT" not in text.upper().replace("DRAFTED", "")
    letter = PdfReader(
        io.BytesIO(_write_and_sign(page, audience="referrer", address="2 Station Road\nNS1 2CD"))
    )
    text = " ".join(p.extract_text() for p in letter.pages)
    assert len(letter.pages) <= 2
    assert "Dear Dr Aisha Patel" in text and "2 Station Road" in text
    assert "Urgency: same day" in text and "seek medical care now" in text
    assert "Could you see him today about the calf swelling?" in text
    for number, page_text in enumerate((p.extract_text() for p in letter.pages), start=1):
        assert "Ethan Brooks" in page_text and f"Page {number} of {len(letter.pages)}" in page_text
