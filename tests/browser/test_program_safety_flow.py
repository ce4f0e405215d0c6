"""A therapist tries to give a client with reduced sensation a frozen-bottle
roll: the builder refuses it, asks for a written reason, and keeps the reason
beside the exercise once given."""

from __future__ import annotations

from playwright.sync_api import expect


def test_a_forbidden_exercise_needs_a_written_override(page, login):
    login("therapist")
    page.goto("/clients/?q=Whitford")
    page.click("#client-table a:has-text('Whitford')")
    page.click("#program-section a.btn-primary")
    expect(page.locator("h1")).to_contain_text("Home program")
    expect(page.locator("#referrals")).to_contain_text("Custom foot orthoses")

    page.fill("#library-q", "frozen")
    add = page.locator("#library-list button[aria-label='Add Frozen-bottle roll']")
    expect(add).to_have_count(1)
    add.click()
    refused = page.locator("#refused")
    expect(refused).to_contain_text("Frozen-bottle roll was not added")
    expect(refused).to_contain_text("ice")

    # A reason of spaces is no reason.
    page.fill("#refused-override", "   ")
    page.click("#refused button[type=submit]")
    # The panel comes back with the refusal and an empty reason box.
    expect(page.locator("#refused-override")).to_have_value("")
    expect(page.locator("#refused")).to_contain_text("was not added")
    expect(page.locator("[data-kc-item]", has_text="Frozen-bottle roll")).to_have_count(0)

    page.fill("#refused-override", "Client uses it already; skin checked daily.")
    page.click("#refused button[type=submit]")
    item = page.locator("[data-kc-item]", has_text="Frozen-bottle roll")
    expect(item).to_have_count(1)
    expect(item.locator("[data-kc-override]")).to_contain_text("skin checked daily")
