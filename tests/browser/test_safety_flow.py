"""A client with a suspected clot: calf treatment is refused and the rule shown;
the therapist overrides with a reason, the re-check and their password, signs
with a referral, and the override is printed on the note PDF."""

from __future__ import annotations

import io

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import DEMO_PASSWORD, OUTPUT


def test_a_refused_calf_treatment_is_overridden_and_printed(page, login):
    page.on("dialog", lambda dialog: dialog.accept())
    login("therapist")
    page.goto("/clients/?q=mensah")
    page.click("a:has-text('Mensah, George')")
    expect(page.locator("#flags-banner")).to_contain_text("blood clot")
    page.click("#new-note")
    page.uncheck("input[name=copy_forward]")
    page.click("input[type=submit][value='Start note'], button:has-text('Start note')")
    expect(page.locator("#note-status")).to_have_text("Draft")
    expect(page.locator("#safety-rules")).to_contain_text("Suspected blood clot (DVT): do not treat")

    page.fill("#id_chief_complaint", "Heel pain on long shifts; left calf still swollen.")
    page.select_option("#id_screen_changed", value="no")
    page.fill("#id_subjective", "Since last visit: calf swelling after a long-haul flight.")
    page.fill("#id_objective", "Left calf 3 cm larger than right, warm to touch.")
    page.fill("#id_analysis", "Findings need medical review before any leg work.")
    page.fill("#id_plan_next", "Review after the GP's assessment.")
    page.fill("#id_referrals", "GP today: one-sided calf swelling and warmth; client agreed to go.")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved", timeout=10_000)

    page.select_option("#id_t-technique", label="Sports / deep-tissue massage")
    page.select_option("#id_t-region", label="Soleus")
    page.fill("#id_t-minutes", "10")
    page.click("#treatment-form label[for=id_t-pressure_1]")  # 2 · light
    page.click("#add-treatment")
    expect(page.locator("#treatments")).to_contain_text("Not on this region: Suspected blood clot (DVT)")
    expect(page.locator("#safety-override")).to_be_visible()
    expect(page.locator("#treatment-table")).to_have_count(0)
    # The refusal replaces the treatment log only; the note and what was typed stay.
    expect(page.locator("#note-header")).to_be_visible()
    complaint = page.locator("#id_chief_complaint")
    expect(complaint).to_have_value("Heel pain on long shifts; left calf still swollen.")
    page.screenshot(path=str(OUTPUT / "safety_calf_refused.png"), full_page=True)

    # A reason of spaces is refused beside the field; nothing is saved.
    page.fill("#id_t-override_reason", "   ")
    page.check("#id_t-override_recheck")
    page.fill("#id_t-override_password", DEMO_PASSWORD)
    page.click("#override-treatment")
    expect(page.locator("#override-reason-error")).to_contain_text("Write why")
    expect(page.locator("#treatment-table")).to_have_count(0)
    expect(page.locator("#note-header")).to_be_visible()

    page.fill("#id_t-override_reason", "Ultrasound negative this morning; GP letter seen, light work agreed.")
    page.check("#id_t-override_recheck")
    page.fill("#id_t-override_password", DEMO_PASSWORD)
    page.click("#override-treatment")
    expect(page.locator("#treatment-table tbody tr")).to_have_count(1)
    page.reload()
    expect(page.locator("#overrides")).to_contain_text("Ultrasound negative this morning")

    page.click("#sign-note")
    expect(page.locator("#note-status")).to_have_text("Signed")
    expect(page.locator("#overrides")).to_contain_text("Sports / deep-tissue massage on Soleus")
    page.screenshot(path=str(OUTPUT / "safety_override_signed.png"), full_page=True)

    with page.expect_download() as download_info:
        page.click("#note-pdf")
    pdf_path = OUTPUT / "safety_override.pdf"
    download_info.value.save_as(str(pdf_path))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_path.read_bytes())).pages)
    text = " ".join(text.split())
    assert "Safety overrides" in text
    assert "Ultrasound negative this morning; GP letter seen, light work agreed." in text
    assert "Suspected blood clot (DVT)" in text
