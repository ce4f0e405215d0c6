"""A new user's first minutes: find a client, open the chart, create one, hand it over."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.browser.conftest import OUTPUT


def test_therapist_searches_for_a_demo_client_and_opens_the_chart(page, login):
    login("therapist")
    page.click("text=Clients")
    page.fill("input[name=q]", "raman")
    page.click("button:has-text('Search')")
    page.click("a:has-text('Raman, Priya')")
    expect(page.locator("#client-header h1")).to_contain_text("Priya Raman")
    expect(page.locator("#intake")).to_contain_text("Health screen")


def test_therapist_sees_red_flag_banner_before_treating(page, login):
    login("therapist2")
    page.goto("/clients/?q=mensah")
    page.click("a:has-text('Mensah, George')")
    expect(page.locator("#flags-banner")).to_contain_text("DVT")


def test_admin_creates_client_and_assigned_therapist_then_sees_it(page, login, browser, live_app):
    surname = f"Newclient{uuid.uuid4().hex[:6]}"
    login("admin")
    page.goto("/clients/new/")
    page.fill("input[name=first_name]", "Jordan")
    page.fill("input[name=last_name]", surname)
    page.fill("input[name=date_of_birth]", "1990-04-12")
    page.select_option("select[name=primary_therapist]", label="Alex Lindqvist")
    page.click("input[type=submit][value='Save client'], button:has-text('Save client')")
    expect(page.locator("#client-header h1")).to_contain_text(surname)
    page.click("button:has-text('Sign out')")

    login("therapist2")
    page.goto(f"/clients/?q={surname}")
    expect(page.locator("#client-table")).to_contain_text(surname)
    page.click(f"a:has-text('{surname}')")
    expect(page.locator("#client-header h1")).to_contain_text("Jordan")


def test_admin_opens_a_chart_and_sees_nothing_clinical(page, login):
    login("admin")
    page.goto("/clients/?q=mensah")
    page.click("a:has-text('Mensah, George')")
    expect(page.locator("#client-header h1")).to_contain_text("George Mensah")
    expect(page.locator("#clinical-notice")).to_contain_text("visible to the care team only")
    expect(page.locator("#flags-banner")).to_have_count(0)
    expect(page.locator("#intake")).to_have_count(0)
    assert "blood clot / DVT" not in page.content()  # a phrase no CSRF token can contain


def _assert_fits_the_width(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the 768px screen"


def test_tablet_width_768_layout_of_list_chart_and_forms(page, login):
    page.set_viewport_size({"width": 768, "height": 1024})
    login("therapist")
    _assert_fits_the_width(page)
    page.goto("/clients/")
    expect(page.locator("#client-table")).to_be_visible()
    _assert_fits_the_width(page)
    page.screenshot(path=str(OUTPUT / "tablet-768-client-list.png"), full_page=True)
    page.click("a:has-text('Whitford, Daniel')")
    expect(page.locator("#client-header")).to_be_visible()
    _assert_fits_the_width(page)
    page.screenshot(path=str(OUTPUT / "tablet-768-chart.png"), full_page=True)
    page.click("text=Edit details")
    expect(page.locator("input[name=first_name]")).to_be_visible()
    _assert_fits_the_width(page)
    page.screenshot(path=str(OUTPUT / "tablet-768-client-edit.png"), full_page=True)
    page.go_back()
    page.click("#intake a:has-text('health screen')")  # not the chart's Health screen tab
    expect(page.locator("input[name=q_dvt]").first).to_be_visible()
    _assert_fits_the_width(page)
    page.screenshot(path=str(OUTPUT / "tablet-768-intake.png"), full_page=True)


def test_tablet_width_768_admin_pages_and_menu(page, login):
    page.set_viewport_size({"width": 768, "height": 1024})
    login("admin")
    # At tablet width the menu folds behind a toggler instead of wrapping.
    expect(page.locator("a.nav-link:has-text('Users')")).to_be_hidden()
    page.click("button.navbar-toggler")
    expect(page.locator("a.nav-link:has-text('Users')")).to_be_visible()
    page.click("a.nav-link:has-text('Users')")
    expect(page.locator("#user-table")).to_be_visible()
    _assert_fits_the_width(page)
    page.screenshot(path=str(OUTPUT / "tablet-768-users.png"), full_page=True)
    page.goto("/clients/new/")
    _assert_fits_the_width(page)
    page.goto("/clinic/profile/")
    _assert_fits_the_width(page)
    page.screenshot(path=str(OUTPUT / "tablet-768-clinic-profile.png"), full_page=True)


def test_bad_input_shows_the_message_next_to_the_field(page, login):
    login("admin")
    page.goto("/clients/new/")
    page.fill("input[name=first_name]", "Casey")
    page.fill("input[name=last_name]", "Futuredate")
    page.fill("input[name=date_of_birth]", "2999-01-01")
    page.fill("input[name=email]", "casey-at-example")
    page.select_option("select[name=primary_therapist]", label="Sam Okafor")
    page.click("button:has-text('Save client')")
    dob_error = page.locator("#error_1_id_date_of_birth")
    expect(dob_error).to_have_text("Date of birth cannot be in the future.")
    expect(page.locator("#error_1_id_email")).to_have_text("Enter a valid email address.")
    # the message sits in the same form group as its field, just below it
    group = page.locator("#div_id_date_of_birth")
    expect(group.locator("input[name=date_of_birth]")).to_have_class(re.compile("is-invalid"))
    expect(group.locator("#error_1_id_date_of_birth")).to_be_visible()
    field_box = page.locator("input[name=date_of_birth]").bounding_box()
    error_box = dob_error.bounding_box()
    assert 0 <= error_box["y"] - (field_box["y"] + field_box["height"]) < 40
    # typed values are kept and nothing was saved
    expect(page.locator("input[name=last_name]")).to_have_value("Futuredate")
    page.screenshot(path=str(OUTPUT / "client-form-errors.png"), full_page=True)
    page.goto("/clients/?q=futuredate&status=all")
    expect(page.locator("#client-table")).to_contain_text("No clients found.")
