"""The follow-up note's new controls work from the keyboard alone: "Reviewed" on a
carried field keeps the focus in the review card, and a treatment row is entered
with Tab, Space and the arrow keys and added with Enter, the focus returning to
the start of the row form for the next one."""

from __future__ import annotations

from playwright.sync_api import expect


def _tab_to(page, selector: str, *, limit: int = 40) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _focused(page, selector: str) -> bool:
    return page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector)


def test_reviewing_and_adding_a_row_without_the_mouse(page, login):
    login("therapist2")
    page.goto("/clients/?q=connor")
    page.click("a:has-text('Connor, Liam')")
    page.click("#new-note")
    page.click("input[type=submit][value='Start note'], button:has-text('Start note')")
    expect(page.locator("#note-status")).to_have_text("Draft")

    # Reviewed, from the keyboard: the focus stays in the card for the next one.
    reviewed = page.locator("#carried-card button[name=reviewed]")
    count = reviewed.count()
    assert count >= 2
    reviewed.first.focus()
    page.keyboard.press("Enter")
    expect(reviewed).to_have_count(count - 1)
    page.wait_for_function("() => document.activeElement && document.activeElement.name === 'reviewed'")
    page.keyboard.press("Enter")
    expect(reviewed).to_have_count(count - 2)

    # A treatment row: technique chip, region chip, side, minutes, pressure, response, Enter.
    page.locator("#id_t-technique").focus()
    _tab_to(page, ".kc-chip[data-kc-chip-for='id_t-technique']")
    page.keyboard.press("Enter")
    expect(page.locator("#id_t-technique")).not_to_have_value("")
    _tab_to(page, ".kc-chip[data-kc-chip-for='id_t-region']")
    page.keyboard.press("Space")
    expect(page.locator("#id_t-region")).not_to_have_value("")
    _tab_to(page, "input[name=t-side]")
    sides = ["L", "R", "B", ""]
    side = sides[(sides.index(page.locator("input[name=t-side]:checked").get_attribute("value")) + 1) % 4]
    page.keyboard.press("ArrowRight")  # the next side
    expect(page.locator(f"input[name=t-side][value='{side}']")).to_be_checked()
    _tab_to(page, "#id_t-minutes")
    page.keyboard.press("Control+A")
    page.keyboard.type("6")
    _tab_to(page, "input[name=t-pressure]")
    page.keyboard.press("ArrowLeft")  # 3 -> 2
    expect(page.locator("#id_t-pressure_1")).to_be_checked()
    _tab_to(page, "input[name=t-response]")
    page.keyboard.press("ArrowRight")  # eased -> tolerated
    expect(page.locator("#id_t-response_1")).to_be_checked()
    rows = page.locator("#treatment-table tbody tr")
    before = rows.count()
    page.keyboard.press("Enter")
    expect(rows).to_have_count(before + 1)
    expect(rows.last).to_contain_text("Tolerated, no change")
    expect(rows.last).to_contain_text({"L": "Left", "R": "Right", "B": "Both", "": "Midline"}[side])
    page.wait_for_function(
        "s => document.activeElement && document.activeElement.matches(s)",
        arg="#treatment-form .kc-chip, #id_t-technique",
    )


def test_a_save_that_fires_while_sign_has_the_focus_saves_and_never_signs(page, login):
    """htmx sends a form's requests to the address of its last focused submit button.
    Tabbing from a typed field to "Sign and lock" within the autosave delay must still
    save the draft at the autosave address, never sign it unconfirmed."""
    login("therapist2")
    page.goto("/clients/?q=tanaka")
    page.click("a:has-text('Tanaka, Mei')")
    page.click("#new-note")
    page.click("input[type=submit][value='Start note'], button:has-text('Start note')")
    expect(page.locator("#note-status")).to_have_text("Draft")
    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    page.fill("#id_subjective", "Typed just before tabbing to Sign.")
    page.locator("#sign-note").focus()
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved")
    assert any(url.endswith("/autosave/") for url in sent)
    assert not any(url.endswith("/sign/") for url in sent)
    page.reload()
    expect(page.locator("#note-status")).to_have_text("Draft")
    expect(page.locator("#id_subjective")).to_have_value("Typed just before tabbing to Sign.")
