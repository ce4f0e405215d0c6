"""A therapist builds a home program from suggestions, issues it, opens the
handout, revises it and sees what changed."""

from __future__ import annotations

import io

from playwright.sync_api import expect
from pypdf import PdfReader


def _open_builder(page, surname: str):
    page.goto(f"/clients/?q={surname}")
    page.click(f"#client-table a:has-text('{surname}')")
    page.click("#program-section a:has-text('Build a program')")
    expect(page.locator("h1")).to_contain_text("Home program")


def test_therapist_builds_issues_prints_and_revises_a_program(page, login):
    page.on("dialog", lambda dialog: dialog.accept())
    login("therapist")
    _open_builder(page, "Adeyemi")

    # Two suggestions from the latest assessment, each keeping its reason.
    suggestions = page.locator("#suggestions [data-kc-suggestion]")
    expect(suggestions.first).to_be_visible()
    first_name = page.locator("#suggestions li strong").first.inner_text()
    suggestions.first.click()
    expect(page.locator("#draft [data-kc-item]")).to_have_count(1)
    page.locator("#suggestions [data-kc-suggestion]").first.click()
    expect(page.locator("#draft [data-kc-item]")).to_have_count(2)
    expect(page.locator("#draft")).to_contain_text(first_name)
    reason = page.locator("#draft [data-kc-item] input[name$='-reason']").first.input_value()
    assert reason, "an added suggestion keeps its reason"

    # Keyboard: "/" focuses the library search, Enter adds the first match.
    page.locator("body").press("/")
    page.keyboard.type("clamshell")
    expect(page.locator("#library-list")).to_contain_text("Clamshell")
    expect(page.locator("#library-list li")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator("#draft [data-kc-item]")).to_have_count(3)

    page.click("#issue-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Home program version 1")
    expect(page.locator("#changes")).to_contain_text("This is the first version.")

    # The handout is a real PDF naming the client and the exercises.
    href = page.locator("#handout-link").get_attribute("href")
    response = page.request.get(href)
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Grace Adeyemi" in text and "Clamshell" in text and first_name in text
    assert all("Grace Adeyemi" in p.extract_text() for p in reader.pages)

    # Revise: change a dosage, drop one exercise, issue version 2.
    page.click("a:has-text('Program builder')")
    page.click("#current button:has-text('Revise')")
    expect(page.locator("#draft [data-kc-item]")).to_have_count(3)
    clamshell = page.locator("#draft [data-kc-item]", has_text="Clamshell")
    clamshell.locator("input[name$='-sets']").fill("3")
    clamshell.locator("input[name$='-reps']").fill("15")
    clamshell.locator("button:has-text('Save')").click()
    expect(page.locator("#builder-panel .alert-success")).to_contain_text("Clamshell saved")

    # Bad input is refused with a message and nothing saved.
    clamshell = page.locator("#draft [data-kc-item]", has_text="Clamshell")
    clamshell.locator("input[name$='-reps']").fill("500")
    clamshell.locator("button:has-text('Save')").click()
    expect(page.locator("#builder-panel")).to_contain_text("At most 50 reps per set.")

    page.locator("#draft [data-kc-item]").first.locator("button:has-text('Remove')").click()
    expect(page.locator("#draft [data-kc-item]")).to_have_count(2)
    page.click("#issue-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Home program version 2")
    changes = page.locator("#changes")
    expect(changes).to_contain_text("Changed since the last handout (version 1)")
    expect(changes).to_contain_text("Clamshell")
    expect(changes).to_contain_text("15")
    expect(changes).to_contain_text("removed")
