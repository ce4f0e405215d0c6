"""In a real browser, the Content-Security-Policy blocks nothing the app itself
needs: no CSP violation on the main pages, the admin site, the charts and the
two-factor enrolment page (IO-2)."""

from __future__ import annotations

from playwright.sync_api import expect


def _watch_csp(page) -> list[str]:
    violations: list[str] = []

    def on_console(message):
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            violations.append(f"{page.url}: {text}")

    page.on("console", on_console)
    return violations


def test_therapist_pages_raise_no_csp_violation(page, login):
    violations = _watch_csp(page)
    login("therapist")
    page.goto("/clients/")
    page.locator("table a").first.click()
    page.wait_for_load_state("networkidle")
    for link in ("a[href*='/notes/']", "a[href*='/assessments/']"):
        target = page.locator(link).first
        if target.count():
            target.click()
            page.wait_for_load_state("networkidle")
            page.go_back()
    page.goto("/accounts/2fa/")
    expect(page.locator(".kc-qr svg")).to_be_visible()
    assert violations == []


def test_admin_pages_raise_no_csp_violation(page, login):
    violations = _watch_csp(page)
    login("admin")
    for path in ("/clients/", "/users/", "/audit/", "/admin/", "/admin/clinic/client/"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    page.locator("#result_list tbody th a").first.click()
    page.wait_for_load_state("networkidle")
    assert violations == []
