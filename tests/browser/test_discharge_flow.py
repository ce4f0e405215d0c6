"""A discharge note on screen: the demo client's closed episode on the chart, the
outcome table at tablet and laptop widths, and the reason for discharge that
shows in the editor only when the note is a discharge."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import OUTPUT


def _open_grace(page):
    page.goto("/clients/?q=adeyemi")
    page.click("a:has-text('Adeyemi, Grace')")
    expect(page.locator("#visits")).to_be_visible()


@pytest.mark.parametrize("width", [768, 1024])
def test_the_discharge_note_shows_its_outcome_table_without_sideways_scrolling(page, login, width):
    page.set_viewport_size({"width": width, "height": 900})
    login("therapist")
    _open_grace(page)
    closed = page.locator("#visit-timeline .kc-discharged")
    expect(closed).to_contain_text("Discharged ")
    expect(closed).to_contain_text(": goals met")
    page.locator("#visit-timeline tr:has(.kc-discharged) a[href^='/notes/']").first.click()
    table = page.locator("#discharge-summary")
    expect(table).to_contain_text("Reason for discharge")
    expect(table).to_contain_text("Goals met")
    expect(table.locator("tbody tr")).to_have_count(5)
    expect(table).to_contain_text("Binkley 1999")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    OUTPUT.mkdir(parents=True, exist_ok=True)
    table.screenshot(path=str(OUTPUT / f"discharge-table-{width}.png"))


def test_the_reason_for_discharge_shows_only_for_a_discharge_note(page, login):
    login("therapist")
    _open_grace(page)
    page.click("#new-note")
    # After a discharge the next visit starts a new episode: an initial visit, nothing copied.
    expect(page.locator("select[name=template]")).to_have_value("initial")
    expect(page.locator("input[name=copy_forward]")).not_to_be_checked()
    page.click("input[type=submit][value='Start note'], button:has-text('Start note')")
    expect(page.locator("#note-status")).to_have_text("Draft")
    box = page.locator("#section-discharge")
    expect(box).to_be_hidden()
    page.select_option("#id_kind", value="discharge")
    expect(box).to_be_visible()
    expect(page.locator("#id_discharge_reason")).to_be_visible()
    page.select_option("#id_kind", value="follow_up")
    expect(box).to_be_hidden()
