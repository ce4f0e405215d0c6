"""axe-core (the npm package, installed by `make test`) on every main page, at desktop and tablet
widths: no critical or serious violation."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ROOT, _require_browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"critical", "serious"}
WIDTHS = {"desktop": 1280, "tablet": 768}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        message = "axe-core is not installed (make test runs npm ci)"
        if _require_browser():
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text()


def _violations(page, axe_source: str) -> list[str]:
    page.evaluate(axe_source)
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations'], "
        "runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    found = []
    for violation in result["violations"]:
        if violation["impact"] in BLOCKING:
            targets = ", ".join(str(node["target"][0]) for node in violation["nodes"][:4])
            found.append(f"{violation['impact']} {violation['id']}: {violation['help']} [{targets}]")
    return found


def _first_href(page, selector: str) -> str:
    link = page.locator(selector).first
    return link.get_attribute("href")


def _therapist_pages(page) -> dict[str, str]:
    pages = {"home": "/", "clients": "/clients/", "exercises": "/exercises/"}
    page.goto("/")
    pages["draft note"] = _first_href(page, "#unsigned-notes a:has-text('Open')")
    page.goto("/clients/?q=brooks")
    chart = _first_href(page, "a:has-text('Brooks, Ethan')")
    pages["client chart"] = chart
    client_id = re.search(r"/clients/(\d+)/", chart).group(1)
    pages["intake"] = f"/clients/{client_id}/intake/"
    pages["new assessment"] = f"/clients/{client_id}/assessments/new/"
    pages["program builder"] = f"/clients/{client_id}/program/"
    pages["visit notes"] = f"/clients/{client_id}/notes/"
    pages["attach a document"] = f"/clients/{client_id}/documents/new/"
    pages["new progress report"] = f"/clients/{client_id}/report/"
    page.goto(chart)
    pages["signed note"] = _first_href(page, "#visit-timeline a[href^='/notes/']")
    pages["assessment"] = _first_href(page, "a[href^='/assessments/']")
    page.goto("/clients/?q=adeyemi")
    page.goto(_first_href(page, "a:has-text('Adeyemi, Grace')"))
    pages["discharge note"] = _first_href(page, "#visit-timeline tr:has(.kc-discharged) a[href^='/notes/']")
    page.goto("/exercises/")
    pages["exercise"] = _first_href(page, "#exercise-list a.fw-semibold")
    pages["amendment requests"] = "/amendment-requests/"
    page.goto("/clients/?q=raman")
    page.goto(_first_href(page, "a:has-text('Raman, Priya')"))
    pages["signed progress report"] = _first_href(page, "#reports-section a[href^='/reports/']")
    return pages


ADMIN_PAGES = {
    "users": "/users/",
    "new client": "/clients/new/",
    "clinic profile": "/clinic/profile/",
    "audit log": "/audit/",
    "emergency access review": "/emergency/review/",
    "import clients": "/clients/import/",
}


@pytest.mark.parametrize("width", list(WIDTHS))
def test_main_pages_have_no_critical_or_serious_violations(browser, live_app, axe_source, width):
    context = browser.new_context(
        base_url=live_app, viewport={"width": WIDTHS[width], "height": 1000}, bypass_csp=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: dict[str, list[str]] = {}
    try:
        page.goto("/accounts/login/")
        problems["sign-in"] = _violations(page, axe_source)
        for user, pages in (("therapist", None), ("admin", ADMIN_PAGES)):
            page.goto("/accounts/login/")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", "kinetic-demo")
            page.click("button[type=submit], input[type=submit]")
            page.wait_for_url("**/")
            for name, url in (pages or _therapist_pages(page)).items():
                page.goto(url)
                problems[f"{user}: {name} ({url})"] = _violations(page, axe_source)
                if page.locator("details.kc-region").count():
                    # The assessment form's folded regions are checked opened, too.
                    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
                    problems[f"{user}: {name}, every region open ({url})"] = _violations(page, axe_source)
            page.context.clear_cookies()
    finally:
        out = ROOT / "test-output" / "browser"
        out.mkdir(parents=True, exist_ok=True)
        (out / f"axe-{width}.txt").write_text("\n".join(f"{k}: {v}" for k, v in problems.items()) + "\n")
        context.close()
    failing = {name: found for name, found in problems.items() if found}
    assert not failing, "\n".join(f"{name}:\n  " + "\n  ".join(found) for name, found in failing.items())
    assert len(problems) >= 15


def test_client_pages_have_no_critical_or_serious_violations(browser, live_app, axe_source):
    """The client's own view, on a phone (390 px) and a tablet: the date-of-birth step,
    home, my program and my week."""
    from tests.browser.test_portal_flow import PHONE

    staff = browser.new_context(base_url=live_app, viewport={"width": 1280, "height": 900})
    staff.set_default_timeout(15_000)
    page = staff.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "therapist")
    page.fill("input[name=password]", "kinetic-demo")
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url("**/")
    page.goto("/clients/?q=raman")
    page.click("a:has-text('Raman, Priya')")
    born = re.search(r"Born (\d{4}-\d{2}-\d{2})", page.inner_text("main")).group(1)
    problems: dict[str, list[str]] = {"staff: chart with the client link": _violations(page, axe_source)}
    page.click("#client-link-section button:has-text('Issue a link')")
    problems["staff: the link shown once"] = _violations(page, axe_source)
    url = page.input_value("#client-link-url")
    staff.close()
    for width, viewport in (("phone", PHONE), ("tablet", {"width": 768, "height": 1000})):
        context = browser.new_context(base_url=live_app, viewport=viewport, bypass_csp=True)
        context.set_default_timeout(15_000)
        phone = context.new_page()
        try:
            phone.goto(url)
            problems[f"{width}: date of birth"] = _violations(phone, axe_source)
            phone.fill("input[name=date_of_birth]", "1900-01-01")
            phone.click("button:has-text('Continue')")
            problems[f"{width}: date of birth, wrong"] = _violations(phone, axe_source)
            phone.fill("input[name=date_of_birth]", born)
            phone.click("button:has-text('Continue')")
            phone.wait_for_url(url)
            for name, path in (("home", ""), ("my program", "program/"), ("my week", "week/")):
                phone.goto(url + path)
                problems[f"{width}: {name}"] = _violations(phone, axe_source)
        finally:
            context.close()
    failing = {name: found for name, found in problems.items() if found}
    assert not failing, "\n".join(f"{name}:\n  " + "\n  ".join(found) for name, found in failing.items())
