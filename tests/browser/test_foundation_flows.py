"""A new user's first minutes: find a client, open the chart, create one, hand it over."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect


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
