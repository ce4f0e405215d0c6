"""A therapist records a baseline kinetic-chain assessment and a follow-up, and
sees the chain summary, the changes flagged and the progress charted."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import OUTPUT


def _new_client(page, login) -> str:
    surname = f"Chain{uuid.uuid4().hex[:6]}"
    login("admin")
    page.goto("/clients/new/")
    page.fill("input[name=first_name]", "Robin")
    page.fill("input[name=last_name]", surname)
    page.fill("input[name=date_of_birth]", "1984-02-03")
    page.select_option("select[name=sex]", "F")
    page.select_option("select[name=involved_side]", "L")
    page.select_option("select[name=primary_therapist]", label="Sam Okafor")
    page.click("input[type=submit][value='Save client'], button:has-text('Save client')")
    expect(page.locator("#client-header h1")).to_contain_text(surname)
    page.click("button:has-text('Sign out')")
    return surname


def _open_region(page, name: str) -> None:
    """Regions fold to one line: tap a region's heading to open it, as a therapist does.
    The field is waited for first: right after the click that opens the form, the page
    being left may still be showing, and a closed region would then never be opened."""
    page.locator(f"[name={name}]").first.wait_for(state="attached")
    region = page.locator(f"details.kc-region:not([open]):has([name={name}])")
    if region.count():
        region.locator("summary").click()


def _fill(page, values: dict[str, str]) -> None:
    for name, value in values.items():
        _open_region(page, name)
        field = page.locator(f"[name={name}]")
        if field.first.get_attribute("type") == "radio":
            # Answers are segmented buttons: tap the one with this value.
            radio_id = page.locator(f"[name={name}][value='{value}']").get_attribute("id")
            page.click(f"label[for='{radio_id}']")
            continue
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def _shot(page, name: str) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"assessments_{name}.png"), full_page=True)


def test_therapist_records_baseline_and_follow_up_and_sees_change(page, login):
    surname = _new_client(page, login)
    login("therapist")
    page.goto(f"/clients/?q={surname}")
    page.click(f"a:has-text('{surname}')")
    client_url = page.url
    page.click("#new-assessment")

    # Baseline, six weeks ago: both sides, a LEFS and a body-chart mark.
    baseline_day = timezone.localdate() - timedelta(days=42)
    _fill(
        page,
        {
            "assessed_on": baseline_day.isoformat(),
            "m_knee_to_wall_L": "7",
            "m_knee_to_wall_R": "12",
            "m_df_knee_straight_L": "4",
            "m_df_knee_straight_R": "12",
            "m_heel_raise_reps_L": "12",
            "m_heel_raise_reps_R": "25",
            "m_windlass_L": "pos",
            "m_windlass_R": "neg",
            "p_windlass": "wb",
            "m_hip_ir_L": "31",
            "m_hip_ir_R": "36",
            "p_hip_ir": "prone",
            "m_mmt_glute_med_L": "4-",
            "m_mmt_glute_med_R": "5",
            "m_gait_cadence_S": "108",
            "m_nprs_first_step_S": "7",
        },
    )
    page.check("[name=nt_navicular_drop_L]")
    for n in range(1, 21):
        page.click(f"label[for=id_q_lefs_{n}_3]")  # the answer "2"
    page.locator("[data-spot='plantar:plantar_heel:L']").click()
    expect(page.locator("[name=mark_1_spot]")).to_have_value("plantar:plantar_heel:L")
    expect(page.locator("[name=mark_1_symptom][value=pain]")).to_be_focused()
    _fill(page, {"mark_1_symptom": "pain"})
    page.select_option("[name=mark_1_intensity]", "7")
    _shot(page, "1_entry")
    page.click("#save-assessment")

    expect(page.locator("#chain-summary svg")).to_be_visible()
    expect(page.locator("#chain-summary")).to_contain_text("Kinetic chain")
    expect(page.locator("#findings")).to_contain_text("Windlass test (left): positive.")
    expect(page.locator("#findings")).to_contain_text("LSI 48% (left involved)")
    expect(page.locator("#score-lefs")).to_contain_text("40")
    expect(page.locator("#bodychart .kc-dot")).to_have_count(1)
    _shot(page, "2_baseline_detail")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Sign and lock')")
    expect(page.locator("#signed-badge")).to_be_visible()

    # Follow-up today: better on the left, an invalid value first.
    page.goto(client_url)
    page.click("#new-assessment")
    _fill(
        page,
        {
            "m_knee_to_wall_L": "30",
            "m_knee_to_wall_R": "12.2",
            "m_df_knee_straight_L": "10",
            "m_df_knee_straight_R": "12",
            "m_heel_raise_reps_L": "22",
            "m_heel_raise_reps_R": "25",
            "m_windlass_L": "neg",
            "m_windlass_R": "neg",
            "m_mmt_glute_med_L": "4+",
            "m_mmt_glute_med_R": "5",
            "m_nprs_first_step_S": "3",
            "m_calcaneal_squeeze_L": "pos",
        },
    )
    expect(page.locator("details[open] .kc-prev").first).to_be_visible()
    for n in range(1, 21):
        page.click(f"label[for=id_q_lefs_{n}_2]")  # the answer "3"
    page.click("#save-assessment")
    expect(page.locator("#form-errors")).to_contain_text("Nothing was saved")
    expect(page.locator(".kc-invalid").first).to_contain_text("Out of range: enter 0–25 cm.")
    _shot(page, "3_field_error")
    page.fill("[name=m_knee_to_wall_L]", "10.5")
    page.click("#save-assessment")

    expect(page.locator("#changes")).to_contain_text("Improved")
    expect(page.locator("#changes")).to_contain_text("Knee-to-wall (WBLT) L: 7 cm → 10.5 cm")
    expect(page.locator("#changes")).to_contain_text("measurable change")
    expect(page.locator("#referrals")).to_contain_text("Refer for imaging this week")
    _shot(page, "4_follow_up_detail")
    page.click("#compare-link")
    expect(page.locator("#compare-scores")).to_contain_text("+20")
    expect(page.locator("#compare-scores .kc-verdict-improved")).to_have_count(1)
    expect(page.locator("#compare-measures")).to_contain_text("+10 reps")
    _shot(page, "5_compare")

    page.goto(client_url)
    charts = page.locator("#progress-charts")
    expect(charts.locator("[data-chart=lefs] svg")).to_be_visible()
    expect(charts.locator("[data-chart=knee_to_wall]")).to_contain_text("MDC 1.9 cm")
    expect(page.locator("#assessments")).to_contain_text("Kinetic chain")
    page.locator("#assessments").screenshot(path=str(OUTPUT / "assessments_6_client_chart.png"))
