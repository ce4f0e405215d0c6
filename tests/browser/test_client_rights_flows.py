"""Clients' rights in the browser: a therapist records, denies and answers a
client's amendment request; an admin logs a disclosure and the client's
accounting lists it; an admin lets a therapist break the glass, who opens a
chart outside their care team under a banner and closes it again."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD, OUTPUT

DAY = r"\d{4}-\d{2}-\d{2}"


def _open_client(page, surname: str, full: str):
    page.goto(f"/clients/?q={surname}")
    page.click(f"a:has-text('{full}')")
    expect(page.locator("#client-header")).to_be_visible()


def _record_amendment_request(page, text: str):
    page.click("#record-amendment-request")
    page.get_by_label("What the client asks to amend, and why").fill(text)
    page.click("input[type=submit][value='Record the request']")
    expect(page.locator("#amendment-request .kc-request-headline")).to_contain_text("pending, decision due")
    expect(page.locator("#amendment-request")).to_contain_text(text)


def test_therapist_records_denies_and_answers_an_amendment_request(page, login):
    login("therapist")
    _open_client(page, "marsh", "Marsh, Helen")
    page.locator("#visit-timeline tbody tr", has_text="Signed").first.locator("a").click()
    expect(page.locator("#note-status")).to_have_text("Signed")
    expect(page.locator("#amendment-requests")).to_contain_text("None.")
    note_url = page.url
    original = page.locator("#note-content").inner_text()

    request_text = "The note should say the pain is in my right heel, not the left."
    _record_amendment_request(page, request_text)
    reason = "At the visit the client pointed to the left heel, and the left side was treated."
    decide = page.locator("#decide")
    decide.locator("input[name=decide-decision][value=denied]").check()
    decide.get_by_label("Reason (for a denial or a partial acceptance)").fill(reason)
    decide.locator("input[type=submit][value='Sign the decision']").click()
    expect(page.get_by_role("alert").first).to_contain_text("Decision signed and attached to the note")
    expect(page.locator("#amendment-request .kc-request-headline")).to_contain_text("denied")
    expect(page.locator("#decide")).to_have_count(0)

    page.click("#amendment-request a:has-text('visit note of')")
    page.wait_for_url(note_url)
    headline = page.locator("#amendment-requests .kc-request-headline")
    expect(headline).to_have_count(1)
    expect(headline).to_have_text(
        re.compile(rf"^Amendment requested {DAY} – denied {DAY}: {re.escape(reason)}$")
    )
    expect(page.locator("#amendment-requests")).to_contain_text(request_text)
    assert page.locator("#note-content").inner_text() == original

    disagreement = "I still disagree: it has always been my right heel."
    page.click("#amendment-requests a:has-text('details')")
    form = page.locator("#disagreement")
    form.get_by_label("Client's statement of disagreement").fill(disagreement)
    form.locator("input[type=submit][value='Record the statement']").click()
    expect(page.get_by_role("alert").first).to_contain_text("Statement of disagreement recorded")
    expect(page.locator("#disagreement")).to_have_count(0)
    expect(page.locator("#rebuttal")).to_be_visible()

    page.goto(note_url)
    entry = page.locator("#amendment-requests .kc-amendment-request")
    expect(entry).to_contain_text(re.compile(rf"Client's statement of disagreement, received {DAY}:"))
    expect(entry.locator(".kc-disagreement")).to_have_text(disagreement)
    expect(headline).to_contain_text(reason)
    page.screenshot(path=str(OUTPUT / "amendment_request_denied_on_note.png"), full_page=True)

    second = "Please add that I had taken ibuprofen that morning."
    _record_amendment_request(page, second)
    page.get_by_role("navigation").get_by_role("link", name="Amendment requests", exact=True).click()
    dashboard = page.locator("#amendment-request-dashboard")
    expect(dashboard.locator("h1")).to_contain_text("Amendment requests")
    rows = dashboard.locator("tbody tr")
    expect(rows.filter(has_text="Marsh")).to_have_count(1)
    expect(rows.filter(has_text="Marsh")).to_contain_text("Pending")
    expect(rows.filter(has_text="Denied")).to_have_count(0)
    rows.filter(has_text="Marsh").get_by_role("link", name="Open").click()
    expect(page.locator("#amendment-request")).to_contain_text(second)
    expect(page.locator("#decide")).to_be_visible()


def test_admin_records_a_disclosure_and_a_blank_recipient_is_refused(page, login):
    login("admin")
    _open_client(page, "khan", "Khan, Aisha")
    page.click("#disclosures-link")
    table = page.locator("#disclosure-table tbody")
    expect(table).to_contain_text("No disclosures recorded in this period.")

    disclosed_on = (date.today() - timedelta(days=30)).isoformat()
    page.click("#disclosure-new-link")
    page.get_by_label("Date of disclosure").fill(disclosed_on)
    page.locator("#id_recipient_name").fill("Harbour Mutual Insurance")
    page.get_by_label("What was released").fill("Visit notes from the last three months")
    page.get_by_label("Purpose").fill("Claim 88-2041 for the client's sports injury cover")
    page.click("input[type=submit][value='Record the disclosure']")
    expect(page.locator("#client-disclosures h1")).to_contain_text("Accounting of disclosures")
    expect(page.get_by_role("alert").first).to_have_text("Disclosure recorded.")
    expect(table.locator("tr")).to_have_count(1)
    row = table.locator("tr").first
    expect(row.locator("td").nth(0)).to_have_text(disclosed_on)
    expect(row.locator("td").nth(1)).to_have_text("Harbour Mutual Insurance")
    expect(row.locator("td").nth(2)).to_have_text("Visit notes from the last three months")
    expect(row.locator("td").nth(3)).to_have_text("Claim 88-2041 for the client's sports injury cover")
    expect(row.locator("td").nth(4)).to_contain_text("Morgan Reyes")

    page.click("#disclosure-new-link")
    form_url = page.url
    recipient = page.locator("#id_recipient_name")
    page.get_by_label("What was released").fill("A copy of the intake form")
    page.get_by_label("Purpose").fill("Solicitor's letter of 3 March")
    # Left empty, the browser's own required-field check stops the submit.
    page.click("input[type=submit][value='Record the disclosure']")
    assert recipient.evaluate("el => el.validity.valueMissing")
    assert page.url == form_url
    expect(recipient).not_to_have_class(re.compile(r"\bis-invalid\b"))
    # Only spaces pass the browser; the server refuses them beside the field.
    recipient.fill("   ")
    page.click("input[type=submit][value='Record the disclosure']")
    expect(page.locator("#disclosure-new h1")).to_contain_text("Record a disclosure")
    expect(recipient).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#div_id_recipient_name .invalid-feedback")).to_have_text("Name the recipient.")
    expect(page.get_by_label("Purpose")).to_have_value("Solicitor's letter of 3 March")

    page.click("a:has-text('Back to the accounting of disclosures')")
    expect(table.locator("tr")).to_have_count(1)
    expect(table).not_to_contain_text("intake form")


def test_admin_allows_break_glass_and_therapist_opens_and_ends_it(page, login):
    login("admin")
    page.get_by_role("link", name="Users").click()
    page.locator("#user-table").get_by_role("link", name="therapist2", exact=True).click()
    permission = page.get_by_label("May open emergency access (break-glass)")
    expect(permission).not_to_be_checked()
    permission.check()
    page.click("button:has-text('Save user')")
    expect(page.get_by_role("alert").first).to_have_text("User therapist2 saved.")
    expect(page.locator("#user-table tr", has_text="therapist2")).to_contain_text("Emergency access")
    page.click("button:has-text('Sign out')")

    # Robert Kowalski is on therapist's care team only.
    login("therapist2")
    page.goto("/clients/?q=kowalski")
    expect(page.locator("a:has-text('Kowalski, Robert')")).to_have_count(0)
    page.get_by_role("navigation").get_by_role("link", name="Emergency access").click()
    page.locator("#id_name").fill("Kowalski")
    page.get_by_label("Date of birth").fill("1958-02-11")
    page.click("input[type=submit][value='Find client']")
    results = page.locator("#emergency-results tbody tr")
    expect(results).to_have_count(1)
    expect(results).to_contain_text("Kowalski, Robert")
    expect(results).to_contain_text("1958-02-11")
    results.get_by_role("link", name="Open emergency access…").click()

    expect(page.locator("#emergency-start")).to_contain_text("Kowalski, Robert")
    reason = "Client collapsed in the waiting room; checking his health screen for the paramedics."
    page.get_by_label("Reason for emergency access").fill(reason)
    page.get_by_label("Your password").fill(DEMO_PASSWORD)
    page.click("#open-emergency")
    expect(page.locator("#client-header h1")).to_have_text(re.compile(r"^Robert \(Bob\) Kowalski\s*$"))
    banner = page.locator(".kc-emergency-banner")
    expect(banner).to_have_count(1)
    expect(banner).to_contain_text(re.compile(r"Emergency access until \d{2}:\d{2}"))
    expect(banner).to_contain_text("Robert Kowalski")
    expect(banner).to_contain_text(reason)
    expect(page.locator("#intake")).to_contain_text("Health screen")
    chart_url = page.url
    page.screenshot(path=str(OUTPUT / "emergency_access_open_chart.png"), full_page=True)

    banner.get_by_role("button", name="End now").click()
    expect(page.get_by_role("alert").first).to_have_text("Emergency access ended.")
    expect(page.locator(".kc-emergency-banner")).to_have_count(0)
    grant = page.locator("#emergency-grants tbody tr").first
    expect(grant).to_contain_text("Robert Kowalski")
    expect(grant.get_by_role("button", name="End now")).to_have_count(0)
    expect(grant.get_by_role("link", name="Robert Kowalski")).to_have_count(0)

    response = page.goto(chart_url)
    assert response is not None and response.status == 404
    expect(page.locator("#client-header")).to_have_count(0)
    expect(page.locator("body")).to_contain_text(re.compile("not found", re.IGNORECASE))
    page.goto("/")
    page.click("button:has-text('Sign out')")

    # Removing the permission takes the menu entry away again.
    login("admin")
    page.goto("/users/")
    page.locator("#user-table").get_by_role("link", name="therapist2", exact=True).click()
    page.get_by_label("May open emergency access (break-glass)").uncheck()
    page.click("button:has-text('Save user')")
    expect(page.locator("#user-table tr", has_text="therapist2")).not_to_contain_text("Emergency access")
    page.click("button:has-text('Sign out')")
    login("therapist2")
    expect(page.get_by_role("navigation").get_by_role("link", name="Emergency access")).to_have_count(0)
