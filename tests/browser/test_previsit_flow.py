"""Before the visit, in a real browser at phone size (390 x 844): the therapist asks for a LEFS,
the client answers it on their link (the answers kept across a reload), sends it once, and the
therapist accepts it into the record as a signed assessment. Then axe on every new page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import manage_live
from tests.browser.test_accessibility import _violations, axe_source  # noqa: F401 - the fixture

PHONE = {"width": 390, "height": 844}
SETUP = """
from datetime import date
from clinic.models import User
from clinic.services import client_create
from portal.services import link_issue
therapist = User.objects.get(username="therapist")
admin = User.objects.get(username="admin")
client = client_create(by=admin, care_team=[therapist], data={
    "first_name": "Nadia", "last_name": "{last}", "date_of_birth": date(1990, 3, 14),
    "primary_therapist": therapist})
link, token = link_issue(client=client, by=therapist)
print(client.pk, token)
"""


def _new_client_with_link(last: str) -> tuple[int, str]:
    out = manage_live("shell", "-c", SETUP.replace("{last}", last))
    pk, token = out.split()[-2:]
    return int(pk), token


def _sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "kinetic-demo")
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url("**/")


def _confirm_device(page, token: str) -> None:
    page.goto(f"/c/{token}/")
    page.fill("input[name=date_of_birth]", "1990-03-14")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(f"/c/{token}/"), page.content()[:3000]


@pytest.fixture
def phone_page(browser, live_app, request):
    context = browser.new_context(base_url=live_app, viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    page.screenshot(path=f"test-output/browser/{request.node.name}.png", full_page=True)
    context.close()
    assert not errors, errors


def test_a_client_answers_lefs_on_their_phone_and_the_therapist_accepts_it(phone_page, browser, live_app):
    page = phone_page
    client_id, token = _new_client_with_link("Phoneflow")
    # The therapist asks for a LEFS from the chart.
    staff = browser.new_context(base_url=live_app, viewport=PHONE)
    therapist = staff.new_page()
    _sign_in(therapist, "therapist")
    therapist.goto(f"/clients/{client_id}/")
    therapist.select_option("#id_qreq_measure", "lefs")
    therapist.click("#request-questionnaire button[type=submit]")
    therapist.wait_for_selector("text=Questionnaire requested")
    # The client opens the link, gives the date of birth once, and finds the LEFS waiting.
    _confirm_device(page, token)
    page.click("#previsit-waiting a:has-text('LEFS')")
    page.wait_for_selector("#q-form")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px)"
    answers = [4, 3, 4, 4, 3, 2, 3, 4, 3, 4, 4, 3, 3, 2, 4, 2, 1, 1, 2, 4]
    for n, value in enumerate(answers[:10], 1):
        page.click(f"label[for=item_{n}_{value}]")
    page.wait_for_selector("#q-save-status:has-text('Your answers are saved.')")
    # Closing and opening the page again keeps what was chosen.
    page.reload()
    assert page.is_checked("#item_10_4") and page.is_checked("#item_1_4")
    page.screenshot(path="test-output/browser/previsit-lefs-390.png")
    for n, value in enumerate(answers[10:], 11):
        page.click(f"label[for=item_{n}_{value}]")
    page.click("#q-send")
    page.wait_for_selector("#q-sent")
    # Sending again (the back button and a second press) is refused.
    page.go_back()
    page.reload()
    assert page.locator("#q-closed").count() == 1
    # The therapist sees it on the home page and accepts it into the record.
    therapist.goto("/")
    row = therapist.locator("#previsit-home tr", has_text="Nadia Phoneflow")
    assert f"LEFS {sum(answers)} of 80" in row.inner_text()
    row.locator("a:has-text('Review')").click()
    therapist.click("#accept-form button[type=submit]")
    therapist.wait_for_url(re.compile(rf"/clients/{client_id}/"))
    section = therapist.locator("#previsit-section").inner_text()
    assert "Accepted into the record" in section
    therapist.goto(therapist.locator("#previsit-section a:has-text('Open')").first.get_attribute("href"))
    therapist.click("a:has-text('the signed assessment')")
    therapist.wait_for_url(re.compile(r"/assessments/\d+/$"))
    expect(therapist.locator("main")).to_contain_text(re.compile("signed", re.IGNORECASE))
    staff.close()


def test_the_intake_form_keeps_what_the_client_typed_across_a_reload(phone_page):
    """The client starts the health form, types a detail and a medicine without leaving the
    field (saved as they type, not only when they move on), closes the page and comes back."""
    page = phone_page
    _, token = _new_client_with_link("Intakekeep")
    _confirm_device(page, token)
    page.click("a[href$='/intake/']")
    page.wait_for_selector("#intake-form")
    page.check("#id_q_dvt_1")
    page.wait_for_selector("#intake-save-status:has-text('Your answers are saved.')")
    page.click("#id_d_dvt")
    page.keyboard.type("Left calf since Tuesday")
    page.click("#id_medications")
    page.keyboard.type("Ibuprofen when needed")
    # Still in the field: the pause in typing is enough for it to be kept.
    page.wait_for_selector("#intake-save-status:has-text('Saving')")
    page.wait_for_selector("#intake-save-status:has-text('Your answers are saved.')")
    page.reload()
    assert page.is_checked("#id_q_dvt_1")
    assert page.input_value("#id_d_dvt") == "Left calf since Tuesday"
    assert page.input_value("#id_medications") == "Ibuprofen when needed"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px)"


def test_new_pages_have_no_critical_or_serious_violations(browser, live_app, axe_source):  # noqa: F811
    client_id, token = _new_client_with_link("Axecheck")
    problems: dict[str, list[str]] = {}
    staff = browser.new_context(base_url=live_app, viewport={"width": 1280, "height": 1000}, bypass_csp=True)
    therapist = staff.new_page()
    _sign_in(therapist, "therapist")
    therapist.goto(f"/clients/{client_id}/")
    therapist.select_option("#id_qreq_measure", "nprs")
    therapist.click("#request-questionnaire button[type=submit]")
    therapist.wait_for_selector("text=Questionnaire requested")
    phone = browser.new_context(base_url=live_app, viewport=PHONE, bypass_csp=True)
    page = phone.new_page()
    _confirm_device(page, token)
    problems["client home"] = _violations(page, axe_source)
    page.click("#previsit-waiting a:has-text('Pain scores')")
    problems["client questionnaire"] = _violations(page, axe_source)
    page.click("#q-send")  # nothing answered: every question says so
    page.wait_for_selector("#q-errors")
    problems["client questionnaire with messages"] = _violations(page, axe_source)
    page.goto(f"/c/{token}/intake/")
    problems["client intake"] = _violations(page, axe_source)
    page.check("#id_q_dvt_1")
    for name in page.eval_on_selector_all("input[type=radio][value=no]", "els => els.map(e => e.id)"):
        if name != "id_q_dvt_0":
            page.check(f"#{name}")
    page.click("#intake-form button[type=submit]")
    page.wait_for_selector("#please-call")
    problems["client intake sent"] = _violations(page, axe_source)
    for width in (1280, 768):
        therapist.set_viewport_size({"width": width, "height": 1000})
        therapist.goto(f"/clients/{client_id}/")
        problems[f"chart {width}"] = _violations(therapist, axe_source)
        therapist.goto(therapist.locator("#previsit-section a:has-text('Open')").first.get_attribute("href"))
        problems[f"questionnaire review {width}"] = _violations(therapist, axe_source)
        therapist.goto(f"/clients/{client_id}/")
        therapist.goto(
            therapist.locator("#previsit-section a:has-text('Review')").first.get_attribute("href")
        )
        problems[f"intake review {width}"] = _violations(therapist, axe_source)
        therapist.goto("/")
        problems[f"home {width}"] = _violations(therapist, axe_source)
    admin = staff.new_page()
    admin.context.clear_cookies()
    _sign_in(admin, "admin")
    admin.goto(f"/clients/{client_id}/before-visit/paper-intake/")
    problems["paper intake"] = _violations(admin, axe_source)
    staff.close()
    phone.close()
    failing = {name: found for name, found in problems.items() if found}
    assert not failing, "\n".join(f"{name}:\n  " + "\n  ".join(found) for name, found in failing.items())
