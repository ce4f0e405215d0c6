"""The client's own view on a phone (390 × 844): the therapist issues a link and prints the
handout with its QR code, the client opens the address that QR code holds, gives their date
of birth, ticks two exercises, reports amber pain, loses the connection, ticks one more,
comes back online; the therapist sees the three ticks on the chart."""

from __future__ import annotations

import io
import re

from django.utils import timezone
from PIL import Image, ImageChops
from playwright.sync_api import expect
from pypdf import PdfReader

from programs.handout import _qr_png_uncached

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


def qr_link(page, url: str) -> str:
    """As the therapist, on the page that shows the new link: print the handout with the link
    as a QR code, find the QR code on its first page, and return the address it holds. (The
    code is matched module for module against the code of the address shown beside it: the
    encoding is fixed, so another address would draw another code.)"""
    form = page.locator("form[action*='handout']")
    response = page.request.post(
        form.get_attribute("action"),
        form={
            "csrfmiddlewaretoken": form.locator("input[name=csrfmiddlewaretoken]").input_value(),
            "token": form.locator("input[name=token]").input_value(),
        },
    )
    assert response.ok and response.body().startswith(b"%PDF-")
    expected = Image.open(io.BytesIO(_qr_png_uncached(url))).convert("L")
    printed = [image.image.convert("L") for image in PdfReader(io.BytesIO(response.body())).pages[0].images]
    matches = [
        image
        for image in printed
        if image.size == expected.size and ImageChops.difference(image, expected).getbbox() is None
    ]
    assert len(matches) == 1, f"no QR code of {url} on the handout ({len(printed)} images)"
    return url


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


def _wait_for_service_worker(phone) -> None:
    for _ in range(75):
        if phone.evaluate("() => Boolean(navigator.serviceWorker && navigator.serviceWorker.controller)"):
            return
        phone.wait_for_timeout(200)
    raise AssertionError("the service worker never took over the page")


def test_client_follows_the_program_offline_and_the_therapist_sees_it(browser, live_app, page, login):
    url, born, chart = issue_link(page, login)
    context, phone = open_on_phone(browser, live_app, qr_link(page, url), born)
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
        expect(phone.locator("#kc-sync")).to_contain_text("kept on this phone")
        assert phone.locator("section[id^=item-] button[aria-pressed=true]").count() == 3

        # Opened again without a connection, the page comes from the phone's cache, and the
        # entry waiting to be sent is still counted.
        _wait_for_service_worker(phone)
        phone.reload()
        expect(phone.locator("#kc-sync")).to_contain_text("kept on this phone")

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
