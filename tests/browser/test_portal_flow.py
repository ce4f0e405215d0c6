"""The client's own view on a phone (390 × 844): the therapist issues a link, the client
opens it (as from the QR code), gives their date of birth, ticks two exercises, reports
amber pain, loses the connection, ticks one more, comes back online; the therapist sees
the three ticks on the chart."""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}


def issue_link(page, login, client_name: str = "Raman, Priya") -> tuple[str, str, str]:
    """As the therapist: issue a link from the chart. Returns (link, birth date, chart URL)."""
    login("therapist")
    page.goto("/clients/?q=" + client_name.split(",")[0].lower())
    page.click(f"a:has-text('{client_name}')")
    chart = page.url
    born = re.search(r"Born (\d{4}-\d{2}-\d{2})", page.inner_text("main")).group(1)
    page.click("#client-link-section button:has-text('Issue a link')")
    url = page.input_value("#client-link-url")
    assert "/c/" in url
    return url, born, chart


def open_on_phone(browser, live_app, url: str, born: str):
    context = browser.new_context(base_url=live_app, viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    phone = context.new_page()
    phone.goto(url)
    assert "/confirm/" in phone.url
    phone.fill("input[name=date_of_birth]", born)
    phone.click("button:has-text('Continue')")
    phone.wait_for_url(url)
    return context, phone


def _tick_next(phone, section: int) -> None:
    card = phone.locator("section[id^=item-]").nth(section)
    card.locator("button:has-text('Set'):not([disabled])").first.click()


def test_client_follows_the_program_offline_and_the_therapist_sees_it(browser, live_app, page, login):
    url, born, chart = issue_link(page, login)
    context, phone = open_on_phone(browser, live_app, url, born)
    errors: list[str] = []
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        phone.click("a:has-text('Open my program')")
        phone.wait_for_selector("#kc-portal")
        _tick_next(phone, 0)
        _tick_next(phone, 1)
        expect(phone.locator("#kc-sync")).to_contain_text("All your entries")
        phone.click("#pain-check label[for=pain-4]")
        phone.click("#pain-check button:has-text('Send')")
        expect(phone.locator("#pain-result")).to_contain_text("Amber")
        expect(phone.locator("#kc-sync")).to_contain_text("All your entries")

        context.set_offline(True)
        _tick_next(phone, 0)
        phone.wait_for_function(
            "document.getElementById('kc-sync').textContent.includes('kept on this phone')"
        )
        assert phone.locator("section[id^=item-] button[aria-pressed=true]").count() == 3

        context.set_offline(False)
        expect(phone.locator("#kc-sync")).to_contain_text("All your entries")
        # Reopened, the page shows the three ticks as saved (none twice).
        phone.reload()
        assert phone.locator("section[id^=item-] button[aria-pressed=true]").count() == 3
        assert not errors, errors
    finally:
        context.close()

    page.goto(chart)
    today = timezone.localdate().isoformat()
    rows = page.locator("#client-log tr.kc-log-entry", has_text=today)
    ticks = [text for text in rows.all_inner_texts() if re.search(r": set \d", text)]
    assert len(ticks) == 3, ticks
    assert rows.filter(has_text="4/10 amber").count() == 1
