"""Nothing typed in a draft assessment is lost: text typed a moment before leaving the
editor is saved first, a dropped connection keeps the text and saves it when the
connection is back, and a second tab's stale save is refused with both versions kept.
Each test records its own client, so no other test's demo data is touched."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import _violations, axe_source  # noqa: F401 - a fixture

FINDINGS = "#id_findings_foot"


def _findings(page):
    """The foot region's findings box, its region opened first (regions fold to a summary line).
    The box is waited for first: right after a click that opens the form, the old page may
    still be showing, and a closed region would then never be opened."""
    page.locator(FINDINGS).wait_for(state="attached")
    region = page.locator(f"details:has({FINDINGS})")
    if region.count() and not region.evaluate("d => d.open"):
        region.locator("summary").first.click()
    return page.locator(FINDINGS)


def _draft_assessment(page, login) -> str:
    """A new client of Sam Okafor's with a saved draft assessment; returns its edit address."""
    surname = f"Keep{uuid.uuid4().hex[:6]}"
    login("admin")
    page.goto("/clients/new/")
    page.fill("input[name=first_name]", "Jamie")
    page.fill("input[name=last_name]", surname)
    page.fill("input[name=date_of_birth]", "1990-05-06")
    page.select_option("select[name=sex]", "F")
    page.select_option("select[name=involved_side]", "L")
    page.select_option("select[name=primary_therapist]", label="Sam Okafor")
    page.click("input[type=submit][value='Save client'], button:has-text('Save client')")
    expect(page.locator("#client-header h1")).to_contain_text(surname)
    client_url = page.url
    page.click("button:has-text('Sign out')")
    login("therapist")
    page.goto(client_url)
    page.click("#new-assessment")
    _findings(page).fill("First look at the heel.")
    page.click("#save-assessment")
    expect(page).to_have_url(re.compile(r"/assessments/\d+/$"))
    page.click("a:has-text('Edit')")
    expect(page.locator("#autosave-status")).to_contain_text("saves automatically")
    return page.url


EXITS = {
    "menu link": lambda page: page.click("nav a.nav-link:has-text('Clients')"),
    "back to the client": lambda page: page.click("main a.small:has-text('←'), a.small:has-text('←')"),
    "cancel": lambda page: page.click(".kc-savebar a:has-text('Cancel')"),
}


@pytest.mark.parametrize("way_out", list(EXITS))
def test_text_typed_just_before_leaving_the_assessment_is_saved(page, login, way_out):
    page.on("dialog", lambda dialog: dialog.dismiss())  # a question would fail the save-first promise
    edit_url = _draft_assessment(page, login)
    text = f"Typed right before leaving by the {way_out}."
    _findings(page).fill(text)  # no wait: the autosave delay has not passed
    with page.expect_navigation():
        EXITS[way_out](page)
    page.goto(edit_url)
    expect(page.locator(FINDINGS)).to_have_value(text)
    expect(page.locator("[data-kc-restore]")).to_have_count(0)


def test_the_assessment_says_when_it_is_saved(page, login, axe_source):  # noqa: F811
    _draft_assessment(page, login)
    _findings(page).fill("Tender at the medial calcaneal tubercle.")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved", timeout=10_000)
    assert _violations(page, axe_source) == []
    page.locator("[name=assessed_on]").fill("2099-01-01")
    _findings(page).press("End")
    page.keyboard.type(" Worse on first steps.")
    expect(page.locator("#autosave-status")).to_contain_text("Not saved yet", timeout=10_000)
    expect(page.locator("#autosave-status")).to_contain_text("Date")
    assert _violations(page, axe_source) == []


def test_a_dropped_connection_keeps_the_assessment_and_saves_it_when_back(page, login):
    edit_url = _draft_assessment(page, login)
    page.context.set_offline(True)
    text = "Written while the connection was down."
    _findings(page).fill(text)
    expect(page.locator("#autosave-status")).to_contain_text("Not saved yet", timeout=10_000)
    page.context.set_offline(False)
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved", timeout=40_000)
    page.goto(edit_url)
    expect(page.locator(FINDINGS)).to_have_value(text)


def test_text_typed_offline_in_a_closed_tab_is_offered_back(page, login):
    edit_url = _draft_assessment(page, login)
    other_tab = page.context.new_page()
    other_tab.goto(edit_url)
    page.context.set_offline(True)
    text = "Kept on this device while the connection was down."
    _findings(other_tab).fill(text)
    expect(other_tab.locator("#autosave-status")).to_contain_text("Not saved yet", timeout=10_000)
    other_tab.close()  # the tab is gone before the connection came back
    page.context.set_offline(False)
    page.goto(edit_url)
    restore = page.locator("[data-kc-restore]")
    expect(restore).to_contain_text("was not saved")
    restore.locator("button:has-text('Put it back')").click()
    expect(page.locator(FINDINGS)).to_have_value(text)
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved", timeout=10_000)
    page.goto(edit_url)
    expect(page.locator(FINDINGS)).to_have_value(text)
    expect(page.locator("[data-kc-restore]")).to_have_count(0)


def test_a_second_tab_with_a_stale_version_is_refused_and_keeps_its_text(page, login):
    edit_url = _draft_assessment(page, login)
    second = page.context.new_page()
    second.goto(edit_url)
    _findings(page).fill("Saved from the first tab.")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved", timeout=10_000)

    _findings(second).fill("Typed in the second tab.")
    status = second.locator("#autosave-status")
    expect(status).to_contain_text("Not saved: conflict", timeout=10_000)
    expect(status.locator("a:has-text('Open the saved version')")).to_be_visible()
    expect(second.locator(FINDINGS)).to_have_value("Typed in the second tab.")

    # Nothing was overwritten.
    check = page.context.new_page()
    check.goto(edit_url)
    expect(check.locator(FINDINGS)).to_have_value("Saved from the first tab.")
    check.close()

    # Saving the second tab shows the saved version beside what it typed.
    second.click("#save-assessment")
    expect(second.locator("#save-conflict")).to_contain_text("Not saved.")
    expect(second.locator("#saved-version")).to_contain_text("Saved from the first tab.")
    expect(second.locator(FINDINGS)).to_have_value("Typed in the second tab.")
    second.close()


def test_leaving_while_an_earlier_save_is_on_its_way_waits_for_the_newest_text(page, login):
    """The link is clicked while an autosave is still on its way. The save of the newest
    text is queued behind it; the page leaves only when that one is answered, without asking."""
    questions = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    edit_url = _draft_assessment(page, login)
    held = []

    def hold_the_first_save(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route(re.compile(r"/assessments/\d+/autosave/$"), hold_the_first_save)
    _findings(page).fill("The first half,")
    for _ in range(100):  # the autosave delay passes and the first save leaves the page
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the first autosave never left the page"
    text = "The first half, and the rest typed while it was on its way."
    _findings(page).fill(text)
    page.click("nav a.nav-link:has-text('Clients')")
    page.wait_for_timeout(300)
    assert page.url == edit_url  # still waiting for the save of the newest text
    held[0].continue_()
    page.wait_for_url(re.compile(r"/clients/$"))
    assert questions == []
    page.goto(edit_url)
    expect(page.locator(FINDINGS)).to_have_value(text)
