"""A whole follow-up note is written and signed from the keyboard alone: once the
note page is open, every step (S/O/A/P, the carried fields, a treatment row, the
health-screen re-check, the password and Sign) is reached with Tab or Shift+Tab and
operated with typing, Enter, Space and the arrow keys. No mouse click after the start.
The client (Sofia Rossi, Alex Lindqvist's) is used by no other browser test."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD


def _focused(page, selector: str) -> bool:
    return page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector)


def _move_to(page, selector: str, *, back: bool = False, limit: int = 150) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches ``selector``."""
    key = "Shift+Tab" if back else "Tab"
    for _ in range(limit):
        if _focused(page, selector):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{key} never reached {selector}")


def _replace(page, selector: str, text: str, *, back: bool = False) -> None:
    """Reach a text field by keyboard and replace what it holds with ``text``."""
    _move_to(page, selector, back=back)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_a_follow_up_note_is_written_and_signed_by_keyboard_alone(page, login):
    page.on("dialog", lambda dialog: dialog.accept())  # the browser's own "Sign this note?" question
    login("therapist2")
    page.goto("/clients/?q=rossi")
    page.click("a:has-text('Rossi, Sofia')")
    page.click("#new-note")
    expect(page.locator("input[name=service_at]")).to_be_visible()

    # Start the note from the keyboard; from here on nothing but the keyboard.
    page.locator("body").focus()
    _move_to(page, "input[type=submit][value='Start note']")
    page.keyboard.press("Enter")
    expect(page.locator("#note-status")).to_have_text("Draft")
    page.keyboard.press("Tab")  # into the page from the top

    # S / O / A / P.
    _replace(page, "#id_chief_complaint", "Right plantar heel pain, better on first steps.")
    _replace(page, "#id_subjective", "Teaching full timetable again; first steps sore for 2 minutes only.")
    _move_to(page, "#id_screen_changed")
    # The health-screen re-check, answered with the arrow keys: "No change since last visit".
    for _ in range(3):
        if page.locator("#id_screen_changed").input_value() == "no":
            break
        page.keyboard.press("ArrowDown")
    expect(page.locator("#id_screen_changed")).to_have_value("no")
    _replace(page, "#id_objective", "Plantar fascia less tender at the medial tubercle; calf tone eased.")
    _replace(page, "#id_analysis", "Load tolerance of the plantar fascia improving; calf still guarding.")
    _replace(page, "#id_plan_next", "Progress heel raises to single leg; review in two weeks.")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved", timeout=10_000)

    # The carried fields: each "Reviewed" with Enter, the focus staying in the card.
    reviewed = page.locator("#carried-card button[name=reviewed]")
    assert reviewed.count() >= 1, "a follow-up carries fields from the last visit"
    _move_to(page, "#carried-card button[name=reviewed]")
    while reviewed.count():
        count = reviewed.count()
        page.keyboard.press("Enter")
        expect(reviewed).to_have_count(count - 1)
        if count > 1:
            page.wait_for_function(
                "() => document.activeElement && document.activeElement.name === 'reviewed'"
            )
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'sign-note'")

    # Carried treatment rows: Keep each one that still holds.
    keep = page.locator("#treatment-table button[aria-label^='Keep']")
    while keep.count():
        count = keep.count()
        _move_to(page, "#treatment-table button[aria-label^='Keep']")
        page.keyboard.press("Enter")
        expect(keep).to_have_count(count - 1)

    # A treatment row: technique and region chips, side, minutes, pressure, response, Enter.
    rows = page.locator("#treatment-table tbody tr")
    before = rows.count()
    _move_to(page, ".kc-chip[data-kc-chip-for='id_t-technique']")
    page.keyboard.press("Enter")
    expect(page.locator("#id_t-technique")).not_to_have_value("")
    _move_to(page, ".kc-chip[data-kc-chip-for='id_t-region']")
    page.keyboard.press("Space")
    expect(page.locator("#id_t-region")).not_to_have_value("")
    _move_to(page, "#id_t-minutes")
    page.keyboard.press("Control+A")
    page.keyboard.type("8")
    _move_to(page, "input[name=t-response]")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(rows).to_have_count(before + 1)

    # Back up to the password and Sign.
    if page.locator("#id_sign_password").count():
        _move_to(page, "#id_sign_password", back=True, limit=250)
        page.keyboard.type(DEMO_PASSWORD)
    _move_to(page, "#sign-note", limit=250)
    page.keyboard.press("Enter")
    expect(page.locator("#note-status")).to_contain_text("Signed", timeout=15_000)
    expect(page.locator("body")).to_contain_text("Load tolerance of the plantar fascia improving")


def test_the_keyboard_stays_on_a_reviewed_button_when_a_save_in_flight_replaces_the_card(page, login):
    """An autosave sent before the therapist reached the card answers with the card as it
    was: its swap replaces the focused "Reviewed" button. The keyboard must stay on that
    button, so Enter still reviews the field instead of landing nowhere."""
    login("therapist2")
    page.goto("/clients/?q=rossi")
    page.click("a:has-text('Rossi, Sofia')")
    page.click("#new-note")
    page.click("input[type=submit][value='Start note']")
    expect(page.locator("#note-status")).to_have_text("Draft")
    reviewed = page.locator("#carried-card button[name=reviewed]")
    count = reviewed.count()
    assert count >= 2, "a follow-up carries fields from the last visit"

    held = []
    page.route("**/autosave/", lambda route: held.append(route))
    page.fill("#id_subjective", "First steps sore for a minute only.")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the typing sent an autosave"

    # While that save is in flight, the keyboard reaches the first "Reviewed" button.
    page.locator("#id_subjective").focus()
    _move_to(page, "#carried-card button[name=reviewed]")
    first = page.evaluate("() => document.activeElement.value")
    held.pop().continue_()
    page.unroute("**/autosave/")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved", timeout=10_000)
    on_same = _focused(page, f"#carried-card button[name=reviewed][value='{first}']")
    assert on_same, "the focus stays on the same field's button"

    with page.expect_response(lambda response: response.url.endswith("/autosave/")) as saved:
        page.keyboard.press("Enter")
    assert saved.value.ok
    expect(reviewed).to_have_count(count - 1)
    expect(page.locator(f"#carried-card button[value='{first}']")).to_have_count(0)
    page.reload()
    expect(page.locator(f"#carried-card button[value='{first}']")).to_have_count(0)
