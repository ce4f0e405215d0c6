"""A therapist writes a visit note from the follow-up template, logs three
treatments, signs it, adds an addendum and downloads the PDF."""

from __future__ import annotations

import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import OUTPUT


def _open_client(page, surname: str, full: str):
    page.goto(f"/clients/?q={surname}")
    page.click(f"a:has-text('{full}')")
    expect(page.locator("#visits")).to_be_visible()


def _log(page, technique: str, region: str, minutes: str, pressure: str):
    before = page.locator("#treatment-table tbody tr").count()
    page.select_option("#id_t-technique", label=technique)
    page.select_option("#id_t-region", label=region)
    page.fill("#id_t-minutes", minutes)
    page.click(f"#treatment-form label[for=id_t-pressure_{int(pressure) - 1}]")
    page.click("#add-treatment")
    expect(page.locator("#treatment-table tbody tr")).to_have_count(before + 1)


def test_therapist_writes_signs_amends_and_prints_a_note(page, login):
    page.on("dialog", lambda dialog: dialog.accept())
    login("therapist")
    _open_client(page, "brooks", "Brooks, Ethan")
    expect(page.locator("#visit-timeline")).to_contain_text("Signed")
    page.click("#new-note")

    page.select_option("select[name=template]", value="follow_up")
    page.uncheck("input[name=copy_forward]")
    page.click("input[type=submit][value='Start note'], button:has-text('Start note')")
    expect(page.locator("#note-status")).to_have_text("Draft")
    expect(page.locator("#id_subjective")).to_have_value("Since last visit: ")

    page.fill("#id_chief_complaint", "Left heel pain on first steps, easing.")
    page.fill("#id_nprs_first_step", "3")
    page.fill("#id_nprs_rest", "1")
    page.fill("#id_nprs_worst_24h", "4")
    expect(page.locator("#screen-recheck-link")).to_be_hidden()
    page.select_option("#id_screen_changed", value="yes")
    expect(page.locator("#screen-recheck-link a")).to_have_attribute(
        "href", re.compile(r"/clients/\d+/intake/")
    )
    page.select_option("#id_screen_changed", value="no")
    expect(page.locator("#screen-recheck-link")).to_be_hidden()
    page.click("#id_subjective")
    page.keyboard.press("End")
    page.click("#snippet-card .kc-snippet:has-text('No change in health')")
    page.fill("#id_objective", "Re-test: WBLT 9 cm left, 11 cm right. Calf tone reduced.")
    page.fill("#id_analysis", "Response to treatment: first-step pain improving; calf less restricted.")
    page.fill("#id_plan_next", "Continue current plan; progress heel raises.")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved", timeout=10_000)
    expect(page.locator("#id_subjective")).to_have_value(
        "Since last visit: Client reports no change in health or medications since the last visit."
    )

    _log(page, "Sports / deep-tissue massage", "Gastrocnemius (medial)", "15", "3")
    _log(page, "Myofascial release", "Plantar fascia", "10", "2")
    _log(page, "Trigger-point therapy", "Soleus", "8", "4")
    expect(page.locator("#treatment-minutes")).to_have_text("33 of 60 min logged")
    page.screenshot(path=str(OUTPUT / "notes_editor_before_signing.png"), full_page=True)

    page.click("#sign-note")
    expect(page.locator("#note-status")).to_have_text("Signed")
    expect(page.locator("#note-header")).to_contain_text("Signed by Sam Okafor, RMT, BSc Sports Therapy")
    expect(page.locator("#note-form")).to_have_count(0)
    expect(page.locator("#treatment-table tbody tr")).to_have_count(3)

    page.click("#add-amendment")
    page.check("input[name=kind][value=addendum]")
    page.fill("textarea[name=reason]", "Client phoned the next morning.")
    page.fill("textarea[name=text]", "Mild calf soreness overnight, settled by morning.")
    page.click("input[type=submit][value='Sign and add'], button:has-text('Sign and add')")
    expect(page.locator("#amendments")).to_contain_text("Mild calf soreness overnight")
    expect(page.locator("#amendments")).to_contain_text("Addendum by Sam Okafor")
    expect(page.locator("#note-content")).to_contain_text("first-step pain improving")
    page.screenshot(path=str(OUTPUT / "notes_signed_with_addendum.png"), full_page=True)

    with page.expect_download() as download_info:
        page.click("#note-pdf")
    download = download_info.value
    assert download.suggested_filename.startswith("visit-note-Brooks-Ethan-")
    pdf_path = OUTPUT / "notes_flow.pdf"
    download.save_as(str(pdf_path))
    reader = PdfReader(io.BytesIO(pdf_path.read_bytes()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert all("Ethan Brooks" in p.extract_text() for p in reader.pages)
    assert "Electronically signed by Sam Okafor" in text
    assert "Mild calf soreness overnight" in text
    assert "Soleus" in text

    _open_client(page, "brooks", "Brooks, Ethan")
    expect(page.locator("#visit-timeline tbody tr").first).to_contain_text("Trigger-point therapy")
    expect(page.locator("#pain-chart svg")).to_be_visible()


def test_a_stale_tab_gets_a_conflict_message_instead_of_overwriting(page, login):
    login("therapist2")
    page.goto("/")
    page.click("#unsigned-notes a:has-text('Open')")
    expect(page.locator("#note-status")).to_have_text("Draft")
    other = page.context.new_page()
    other.goto(page.url)
    other.fill("#id_objective", "Typed in the second tab")
    expect(other.locator("#autosave-status")).to_contain_text("Draft saved", timeout=10_000)
    page.fill("#id_objective", "Typed in the first tab")
    expect(page.locator("#autosave-conflict")).to_contain_text("another tab", timeout=10_000)
    other.reload()
    expect(other.locator("#id_objective")).to_have_value("Typed in the second tab")
    other.close()
