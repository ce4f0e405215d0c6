"""Dosage typed in the program builder is never lost. Each exercise is saved by its own
Save button; until then what was typed is marked "Not saved yet", put back after another
builder action redraws the builder, asked about before leaving, and offered back when the
builder is opened again. Each test records its own client, so no other test's data is touched."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect


def _builder_with_one_exercise(page, login) -> str:
    surname = f"Dose{uuid.uuid4().hex[:6]}"
    login("admin")
    page.goto("/clients/new/")
    page.fill("input[name=first_name]", "Robin")
    page.fill("input[name=last_name]", surname)
    page.fill("input[name=date_of_birth]", "1985-07-08")
    page.select_option("select[name=sex]", "M")
    page.select_option("select[name=involved_side]", "R")
    page.select_option("select[name=primary_therapist]", label="Sam Okafor")
    page.click("input[type=submit][value='Save client'], button:has-text('Save client')")
    expect(page.locator("#client-header h1")).to_contain_text(surname)
    client_url = page.url
    page.click("button:has-text('Sign out')")
    login("therapist")
    page.goto(client_url)
    page.click("#program-section a:has-text('Build a program')")
    expect(page.locator("h1")).to_contain_text("Home program")
    page.locator("#library-q").fill("clamshell")
    expect(page.locator("#library-list li")).to_have_count(1)
    page.locator("#library-q").press("Enter")
    expect(page.locator("#draft [data-kc-item]")).to_have_count(1)
    return page.url


def _item(page, n: int = 0):
    return page.locator("#draft form[data-kc-item]").nth(n)


def _field(page, name: str, n: int = 0):
    return _item(page, n).locator(f"[name$='-{name}']")


def test_leaving_the_builder_with_unsaved_dosage_asks_and_keeps_it(page, login):
    builder_url = _builder_with_one_exercise(page, login)
    _field(page, "reps").fill("14")
    _field(page, "frequency").fill("Every other day")
    expect(_item(page).locator("[data-kc-unsaved]")).to_be_visible()

    # Asked, and staying: the typing is still there.
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.click("a:has-text('Back to the chart')")
    expect(page.locator("h1")).to_contain_text("Home program")
    assert questions and "Clamshell" in questions[0] and "not saved" in questions[0]
    expect(_field(page, "reps")).to_have_value("14")

    # Asked, and leaving: the typing is offered back when the builder is opened again.
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("a:has-text('Back to the chart')")
    page.goto(builder_url)
    restore = page.locator("[data-kc-restore]")
    expect(restore).to_contain_text("Clamshell")
    restore.locator("button:has-text('Put it back')").click()
    expect(_field(page, "reps")).to_have_value("14")
    expect(_field(page, "frequency")).to_have_value("Every other day")
    _item(page).locator("button:has-text('Save')").click()
    expect(_item(page).locator("[data-kc-unsaved]")).to_be_hidden()

    # Saved: it is on the server, nothing is offered back and leaving asks nothing.
    page.goto(builder_url)
    expect(_field(page, "reps")).to_have_value("14")
    expect(_field(page, "frequency")).to_have_value("Every other day")
    expect(page.locator("[data-kc-restore]")).to_have_count(0)
    page.on("dialog", lambda dialog: (_ for _ in ()).throw(AssertionError("asked with nothing unsaved")))
    with page.expect_navigation():
        page.click("a:has-text('Back to the chart')")


def test_another_builder_action_keeps_the_dosage_typed(page, login):
    _builder_with_one_exercise(page, login)
    _field(page, "sets").fill("4")
    _field(page, "therapist_note").fill("Slow on the way down.")
    # Adding a second exercise redraws the builder.
    page.locator("#library-q").fill("calf")
    expect(page.locator("#library-list")).not_to_contain_text("Clamshell")
    expect(page.locator("#library-list li").first).to_contain_text("Calf")
    page.locator("#library-q").press("Enter")
    expect(page.locator("#draft [data-kc-item]")).to_have_count(2)
    first = page.locator("#draft form[data-kc-item][data-kc-item-name='Clamshell']")
    expect(first.locator("[name$='-sets']")).to_have_value("4")
    expect(first.locator("[name$='-therapist_note']")).to_have_value("Slow on the way down.")
    expect(first.locator("[data-kc-unsaved]")).to_be_visible()
    first.locator("button:has-text('Save')").click()
    clamshell = "#draft form[data-kc-item][data-kc-item-name='Clamshell']"
    expect(page.locator(f"{clamshell} [data-kc-unsaved]")).to_be_hidden()
    page.reload()
    first = page.locator("#draft form[data-kc-item][data-kc-item-name='Clamshell']")
    expect(first.locator("[name$='-sets']")).to_have_value("4")
    expect(first.locator("[name$='-therapist_note']")).to_have_value("Slow on the way down.")


def test_a_save_refused_for_a_stale_tab_keeps_the_dosage_marked_unsaved(page, login):
    builder_url = _builder_with_one_exercise(page, login)
    second = page.context.new_page()
    second.goto(builder_url)
    _field(page, "reps").fill("10")
    _item(page).locator("button:has-text('Save')").click()
    expect(_item(page).locator("[data-kc-unsaved]")).to_be_hidden()

    _field(second, "reps").fill("16")
    _item(second).locator("button:has-text('Save')").click()
    expect(second.locator("#builder-panel")).to_contain_text("another tab", timeout=10_000)
    expect(_field(second, "reps")).to_have_value("16")
    expect(_item(second).locator("[data-kc-unsaved]")).to_be_visible()
    second.close()
