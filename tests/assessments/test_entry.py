"""The entry page: saving a full assessment, and refusing bad input at the field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assessments.models import Assessment, BodyChartMark, Measurement, QuestionnaireResponse
from audit.models import AuditEvent


def form_post(**overrides) -> dict:
    data = {
        "assessed_on": "2026-09-01",
        "m_knee_to_wall_L": "7.5",
        "m_knee_to_wall_R": "11.8",
        "m_heel_raise_reps_L": "14",
        "m_heel_raise_reps_R": "25",
        "m_windlass_L": "pos",
        "m_windlass_R": "neg",
        "p_windlass": "wb",
        "m_mmt_glute_med_L": "4-",
        "m_mmt_glute_med_R": "5",
        "nt_hip_ir_L": "on",
        "m_sl_squat_quality_L": "done",
        "d_sl_squat_quality_L": ["knee", "pelvis"],
        "m_gait_cadence_S": "112",
        "m_gait_mode_S": "running",
        "m_nprs_first_step_S": "7",
        "findings_foot": "Tender at the medial calcaneal tubercle.",
        "mark_1_spot": "plantar:plantar_heel:L",
        "mark_1_symptom": "pain",
        "mark_1_intensity": "7",
        "psfs_label_1": "Running 5 km",
        "psfs_rating_1": "3",
    }
    for n in range(1, 21):
        data[f"q_lefs_{n}"] = "3"
    for n, value in enumerate([1, 1, 2, 1, 1, 1], start=1):
        data[f"q_fpi6_L_{n}"] = str(value)
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _url(client) -> str:
    return f"/clients/{client.pk}/assessments/new/"


def test_entry_page_shows_both_sides_units_ranges_and_cited_norms(as_treating, client_record):
    response = as_treating.get(_url(client_record))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="m_knee_to_wall_L"' in html and 'name="m_knee_to_wall_R"' in html
    assert 'name="m_gait_cadence_S"' in html and 'name="m_gait_cadence_L"' not in html
    assert "valid 0–25 cm" in html
    assert "Hébert-Losier 2017" in html
    assert "unconfirmed" in html
    assert 'name="nt_knee_to_wall_L"' in html


def test_a_full_assessment_saves_every_row_and_scores(as_treating, client_record):
    response = as_treating.post(_url(client_record), form_post())
    assessment = Assessment.objects.get(client=client_record)
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/{assessment.pk}/"
    rows = {(m.code, m.side): m for m in assessment.measurements.all()}
    assert rows[("knee_to_wall", "L")].value == Decimal("7.50")
    assert rows[("windlass", "L")].choice == "pos" and rows[("windlass", "L")].position == "wb"
    assert rows[("mmt_glute_med", "L")].choice == "4-"
    assert rows[("hip_ir", "L")].status == Measurement.Status.NOT_TESTED
    assert rows[("hip_ir", "L")].value is None
    assert ("hip_ir", "R") not in rows  # blank is not the same as not tested
    assert rows[("sl_squat_quality", "L")].value == 2
    assert rows[("fpi6_total", "L")].value == 7  # derived from the FPI-6 items
    lefs = assessment.responses.get(instrument="lefs")
    assert lefs.items == [3] * 20 and lefs.score == 60 and lefs.algorithm_version
    psfs = assessment.responses.get(instrument="psfs")
    assert psfs.items == [{"key": "running-5-km", "label": "Running 5 km", "rating": 3}]
    mark = assessment.marks.get()
    assert (mark.view, mark.region, mark.side, mark.symptom, mark.intensity) == (
        "plantar",
        "plantar_heel",
        "L",
        "pain",
        7,
    )
    assert assessment.findings == {"foot": "Tender at the medial calcaneal tubercle."}
    assert AuditEvent.objects.filter(action="create", object_id=str(assessment.pk)).exists()


def test_next_parameter_redirects_to_a_local_page_only(as_treating, client_record):
    response = as_treating.post(_url(client_record) + "?next=/clients/", form_post())
    assert response["Location"] == "/clients/"
    response = as_treating.post(_url(client_record) + "?next=https://evil.example/", form_post())
    assert response["Location"].startswith("/assessments/")


def test_incomplete_lefs_is_saved_and_says_why_it_has_no_score(as_treating, client_record):
    as_treating.post(_url(client_record), form_post(q_lefs_7=None))
    lefs = QuestionnaireResponse.objects.get(instrument="lefs")
    assert lefs.score is None
    assert "7" in lefs.reason
    page = as_treating.get(f"/assessments/{lefs.assessment_id}/").content.decode()
    assert "No score" in page and lefs.reason in page


def _assert_nothing_saved():
    assert Assessment.objects.count() == 0
    assert Measurement.objects.count() == 0
    assert QuestionnaireResponse.objects.count() == 0
    assert BodyChartMark.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("m_knee_to_wall_L", "40", "Out of range: enter 0–25 cm."),
        ("m_knee_to_wall_L", "-1", "Out of range: enter 0–25 cm."),
        ("m_heel_raise_reps_R", "twelve", "Enter a number (0–100 reps)."),
        ("m_heel_raise_reps_R", "12.5", "Enter a whole number (0–100 reps)."),
        ("m_nprs_first_step_S", "11", "Out of range: enter 0–10/10."),
        ("m_gait_cadence_S", "NaN", "Enter a number"),
        ("m_windlass_L", "maybe", "Select a valid choice"),
        ("mark_1_intensity", "12", "Select a valid choice"),
        ("assessed_on", "2999-01-01", "cannot be dated in the future"),
        ("assessed_on", "yesterday", "Enter a valid date"),
    ],
)
def test_bad_value_is_reported_at_its_field_and_nothing_is_saved(
    as_treating, client_record, field, value, message
):
    response = as_treating.post(_url(client_record), form_post(**{field: value}))
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert "Nothing was saved" in response.content.decode()
    _assert_nothing_saved()


@pytest.mark.parametrize(
    ("field", "target"),
    [("m_gait_cadence_L", "m_gait_cadence_S"), ("m_heel_raise_reps_S", "m_heel_raise_reps_L")],
)
def test_a_side_that_does_not_exist_is_refused_at_the_field(as_treating, client_record, field, target):
    response = as_treating.post(_url(client_record), form_post(**{field: "20"}))
    assert response.status_code == 400
    assert "does not exist" in response.context["form"].errors[target][0]
    _assert_nothing_saved()


def test_value_and_not_tested_together_is_refused(as_treating, client_record):
    response = as_treating.post(_url(client_record), form_post(nt_knee_to_wall_L="on"))
    assert "not both" in response.context["form"].errors["m_knee_to_wall_L"][0]
    _assert_nothing_saved()


def test_body_chart_mark_without_symptom_is_refused(as_treating, client_record):
    response = as_treating.post(_url(client_record), form_post(mark_1_symptom=""))
    assert "symptom" in response.context["form"].errors["mark_1_symptom"][0]
    _assert_nothing_saved()


def test_a_rating_without_its_activity_is_refused(as_treating, client_record):
    response = as_treating.post(_url(client_record), form_post(psfs_label_1=""))
    assert "Name the activity" in response.context["form"].errors["psfs_label_1"][0]
    _assert_nothing_saved()


def test_previous_values_are_shown_faintly_and_psfs_activities_carry_over(as_treating, client_record):
    as_treating.post(_url(client_record), form_post())
    html = as_treating.get(_url(client_record)).content.decode()
    assert 'class="kc-prev" title="Previous value">prev: 7.5 cm' in html
    assert 'value="running-5-km"' in html and 'value="Running 5 km"' in html


def test_psfs_keys_stay_stable_when_re_rated(as_treating, client_record):
    as_treating.post(_url(client_record), form_post())
    as_treating.post(
        _url(client_record),
        form_post(
            assessed_on="2026-10-01", psfs_key_1="running-5-km", psfs_label_1="Running 5k", psfs_rating_1="7"
        ),
    )
    keys = [r.items[0]["key"] for r in QuestionnaireResponse.objects.filter(instrument="psfs").order_by("id")]
    assert keys == ["running-5-km", "running-5-km"]


def test_a_draft_can_be_edited(as_treating, client_record):
    as_treating.post(_url(client_record), form_post())
    assessment = Assessment.objects.get()
    page = as_treating.get(f"/assessments/{assessment.pk}/edit/").content.decode()
    assert 'value="7.5"' in page
    response = as_treating.post(
        f"/assessments/{assessment.pk}/edit/", form_post(m_knee_to_wall_L="9.1", version=assessment.version)
    )
    assert response.status_code == 302
    assert assessment.measurements.get(code="knee_to_wall", side="L").value == Decimal("9.10")
    assert AuditEvent.objects.filter(action="update", object_id=str(assessment.pk)).exists()


def test_body_chart_tap_boxes_are_finger_sized_and_never_overlap():
    from assessments import bodychart

    for spot in bodychart.SPOTS:
        assert spot.hit["width"] >= bodychart.HIT_MIN and spot.hit["height"] >= bodychart.HIT_MIN, spot.key
    for i, a in enumerate(bodychart.SPOTS):
        for b in bodychart.SPOTS[i + 1 :]:
            if a.view != b.view:
                continue
            A, B = a.hit, b.hit  # noqa: N806
            apart = (
                A["x"] + A["width"] <= B["x"]
                or B["x"] + B["width"] <= A["x"]
                or A["y"] + A["height"] <= B["y"]
                or B["y"] + B["height"] <= A["y"]
            )
            assert apart, (a.key, b.key)


def test_regions_fold_to_a_summary_and_a_region_with_an_error_opens(as_treating, client_record):
    page = as_treating.get(_url(client_record))
    sections = {s["region"]: s for s in page.context["sections"]}
    assert not any(s["open"] for s in sections.values())
    assert sections["foot"]["summary"].startswith("Not started")
    html = page.content.decode()
    assert '<details class="kc-card kc-region" id="region-foot"' in html
    assert "<select" not in html.split('id="bodychart"')[0]  # short answers are buttons
    response = as_treating.post(_url(client_record), form_post(m_knee_to_wall_L="30"))
    sections = {s["region"]: s for s in response.context["sections"]}
    opened = [region for region, s in sections.items() if s["open"]]
    assert opened == ["ankle"], opened
    assert sections["ankle"]["summary"].startswith("1 of")
