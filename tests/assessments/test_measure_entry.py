"""New measures, referral screens and refused input through the entry page: a clear
message at the field, status 400, nothing saved and never a 500."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from assessments import services
from assessments.models import Assessment, BodyChartMark, Measurement, QuestionnaireResponse
from assessments.selectors import referral_findings
from assessments.services import AssessmentData, MeasurementInput, ResponseInput


def _url(client) -> str:
    return f"/clients/{client.pk}/assessments/new/"


def post(**fields) -> dict:
    data = {"assessed_on": "2026-09-01", "m_nprs_first_step_S": "5"}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def _nothing_saved():
    assert Assessment.objects.count() == 0
    assert Measurement.objects.count() == 0
    assert QuestionnaireResponse.objects.count() == 0
    assert BodyChartMark.objects.count() == 0


def _refused(response, field, message):
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in errors[field][0]
    assert "Nothing was saved" in response.content.decode()
    _nothing_saved()


def _saved_rows() -> dict:
    return {(m.code, m.side): m for m in Assessment.objects.get().measurements.all()}


# --- PSFS ------------------------------------------------------------------------


@pytest.mark.parametrize("rating", ["7.5", "11", "-1", "seven"])
def test_psfs_rating_that_is_not_a_whole_number_0_to_10_is_refused_at_the_field(
    as_treating, client_record, rating
):
    response = as_treating.post(_url(client_record), post(psfs_label_1="Walking", psfs_rating_1=rating))
    _refused(response, "psfs_rating_1", "whole number from 0 to 10")
    assert f"{rating} is not allowed" in response.content.decode()


def test_psfs_rating_of_seven_is_saved(as_treating, client_record):
    response = as_treating.post(_url(client_record), post(psfs_label_1="Walking", psfs_rating_1="7"))
    assert response.status_code == 302
    psfs = QuestionnaireResponse.objects.get(instrument="psfs")
    assert psfs.items[0]["rating"] == 7 and psfs.score == 7


@pytest.mark.parametrize("rating", [7.5, Decimal("7.5"), 11])
def test_service_refuses_a_psfs_rating_that_is_not_a_whole_number_0_to_10(client_record, treating, rating):
    data = AssessmentData(
        assessed_on=date(2026, 9, 1),
        responses=[ResponseInput("psfs", [{"key": "walk", "label": "Walk", "rating": rating}])],
    )
    with pytest.raises(services.ValidationError, match="whole numbers from 0 to 10"):
        services.assessment_create(client=client_record, by=treating, data=data)
    _nothing_saved()


# --- FAAM ------------------------------------------------------------------------


def _faam(instrument: str, answered: int, total: int, filler: str = "") -> dict:
    return {f"q_{instrument}_{n}": ("3" if n <= answered else filler) for n in range(1, total + 1)}


@pytest.mark.parametrize("filler", ["", "NA"])
def test_faam_adl_with_18_answered_is_refused_and_19_is_scored(as_treating, client_record, filler):
    response = as_treating.post(_url(client_record), post(**_faam("faam_adl", 18, 21, filler)))
    _refused(response, "q_faam_adl_19", "needs at least 19 of 21 items answered")
    if filler:
        assert "marked N/A, which does not count" in response.context["form"].errors["q_faam_adl_19"][0]
    response = as_treating.post(_url(client_record), post(**_faam("faam_adl", 19, 21, filler)))
    assert response.status_code == 302
    assert QuestionnaireResponse.objects.get(instrument="faam_adl").score == 75


@pytest.mark.parametrize("filler", ["", "NA"])
def test_faam_sports_with_6_answered_is_refused_and_7_is_scored(as_treating, client_record, filler):
    response = as_treating.post(_url(client_record), post(**_faam("faam_sports", 6, 8, filler)))
    _refused(response, "q_faam_sports_7", "needs at least 7 of 8 items answered")
    response = as_treating.post(_url(client_record), post(**_faam("faam_sports", 7, 8, filler)))
    assert response.status_code == 302
    assert QuestionnaireResponse.objects.get(instrument="faam_sports").score == 75


def test_service_refuses_a_faam_below_the_minimum(client_record, treating):
    data = AssessmentData(
        assessed_on=date(2026, 9, 1), responses=[ResponseInput("faam_sports", [3] * 6 + ["NA", None])]
    )
    with pytest.raises(services.ValidationError, match="6 of 8 items answered"):
        services.assessment_create(client=client_record, by=treating, data=data)
    _nothing_saved()


# --- Hip rotation position ---------------------------------------------------------


def test_hip_rotation_needs_its_test_position(as_treating, client_record):
    response = as_treating.post(_url(client_record), post(m_hip_ir_L="30", m_hip_ir_R="35"))
    _refused(response, "p_hip_ir", "Choose the test position")
    response = as_treating.post(
        _url(client_record), post(m_hip_ir_L="30", m_hip_ir_R="35", p_hip_ir="seated")
    )
    assert response.status_code == 302
    assert {r.position for k, r in _saved_rows().items() if k[0] == "hip_ir"} == {"seated"}


def test_service_refuses_hip_rotation_without_a_position(client_record, treating):
    data = AssessmentData(
        assessed_on=date(2026, 9, 1), measurements=[MeasurementInput("hip_er", "L", value=Decimal(40))]
    )
    with pytest.raises(services.ValidationError, match="test position"):
        services.assessment_create(client=client_record, by=treating, data=data)
    _nothing_saved()


def test_older_hip_rotation_without_a_position_still_renders(as_treating, client_record, treating):
    assessment = services.assessment_create(
        client=client_record, by=treating, data=AssessmentData(assessed_on=date(2026, 9, 1))
    )
    # A row from before positions were required, written as it was then.
    Measurement.objects.create(assessment=assessment, code="hip_ir", side="L", value=Decimal(30))
    Measurement.objects.create(assessment=assessment, code="hip_ir", side="R", value=Decimal(42))
    response = as_treating.get(f"/assessments/{assessment.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "position not recorded" in html
    assert "notable side difference" in html


# --- New measures: ranges -----------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("m_height_cm_S", "99", "Out of range: enter 100–230 cm."),
        ("m_weight_kg_S", "301", "Out of range: enter 25–300 kg."),
        ("m_hip_abd_hhd_L", "19", "Out of range: enter 20–800 N."),
        ("m_hip_abd_hhd_L", "801", "Out of range: enter 20–800 N."),
        ("m_sls_eyes_open_L", "45.1", "Out of range: enter 0–45 s."),
        ("m_sls_eyes_closed_R", "-1", "Out of range: enter 0–45 s."),
        ("m_first_mtp_ext_L", "111", "Out of range: enter 0–110°."),
        ("m_first_mtp_ext_L", "64.5", "Enter a whole number (0–110°)."),
        ("m_wblt_angle_L", "71", "Out of range: enter 0–70°."),
        ("m_monofilament_L", "4", "Out of range: enter 0–3 sites."),
        ("m_calcaneal_squeeze_L", "maybe", "Select a valid choice"),
        ("m_jack_test_R", "sometimes", "Select a valid choice"),
    ],
)
def test_out_of_range_new_measure_is_refused_at_the_field(as_treating, client_record, field, value, message):
    extra = {"p_hip_abd_hhd": "side_lying"} if "hhd" in field else {}
    response = as_treating.post(_url(client_record), post(**{field: value}, **extra))
    _refused(response, field, message)


def test_bmi_is_worked_out_from_height_and_weight(as_treating, client_record):
    response = as_treating.post(_url(client_record), post(m_height_cm_S="170", m_weight_kg_S="80"))
    assert response.status_code == 302
    rows = _saved_rows()
    assert rows[("bmi", "")].value == Decimal("27.70")
    page = as_treating.get(f"/assessments/{Assessment.objects.get().pk}/").content.decode()
    assert "27.7 kg/m² (overweight)" in page
    assert "van Leeuwen 2016" in page and "WHO 2000" in page


def test_height_and_weight_giving_an_impossible_bmi_are_refused_at_the_weight(as_treating, client_record):
    response = as_treating.post(_url(client_record), post(m_height_cm_S="100", m_weight_kg_S="250"))
    _refused(response, "m_weight_kg_S", "give a BMI of 250.0, outside 12–70 kg/m²")


@pytest.mark.parametrize(
    ("bmi", "band"),
    [
        ("18.4", "underweight"),
        ("18.5", "healthy weight"),
        ("24.9", "healthy weight"),
        ("25", "overweight"),
        ("30", "obesity class I"),
        ("35", "obesity class II"),
        ("40", "obesity class III"),
    ],
)
def test_bmi_who_bands(bmi, band):
    from assessments.catalogue import bmi_band

    assert bmi_band(Decimal(bmi)) == band


def test_hip_abduction_strength_is_normalised_to_body_weight(as_treating, client_record):
    response = as_treating.post(
        _url(client_record),
        post(m_weight_kg_S="70", m_hip_abd_hhd_L="180", m_hip_abd_hhd_R="230", p_hip_abd_hhd="side_lying"),
    )
    assert response.status_code == 302
    page = as_treating.get(f"/assessments/{Assessment.objects.get().pk}/").content.decode()
    assert "180 N (2.6 N/kg, 26% body weight)" in page
    assert "230 N (3.3 N/kg, 33% body weight)" in page
    assert "78%" in page  # LSI 180 / 230, left involved
    assert "Thorborg 2010" in page


def test_hip_abduction_strength_needs_its_position(as_treating, client_record):
    response = as_treating.post(_url(client_record), post(m_hip_abd_hhd_L="180"))
    _refused(response, "p_hip_abd_hhd", "Choose the test position")


def test_single_leg_stance_is_compared_with_the_age_band(as_treating, client_record):
    # Born 1985: 41 on the assessment day, band 40–49 (eyes open ≈42 s, eyes closed ≈12 s).
    response = as_treating.post(
        _url(client_record), post(m_sls_eyes_open_L="20", m_sls_eyes_open_R="43", m_sls_eyes_closed_L="12.5")
    )
    assert response.status_code == 302
    page = as_treating.get(f"/assessments/{Assessment.objects.get().pk}/").content.decode()
    assert "typical ≈42 s at age 40–49" in page and "Springer 2007" in page
    assert "L 20 s: below the typical 42 s" in page and "R 43 s: at or above the typical 42 s" in page


def test_first_mtp_extension_under_65_degrees_is_flagged_and_jack_test_recorded(as_treating, client_record):
    response = as_treating.post(
        _url(client_record),
        post(m_first_mtp_ext_L="64", m_first_mtp_ext_R="65", m_jack_test_L="no_rise", m_jack_test_R="rises"),
    )
    assert response.status_code == 302
    page = as_treating.get(f"/assessments/{Assessment.objects.get().pk}/").content.decode()
    assert "First MTP (big toe) extension, passive (left) 64°" in page
    assert "(right) 65°" not in page
    assert "Jack test (windlass: arch rises) (left)" in page


# --- Referral screens ---------------------------------------------------------------


def test_positive_calcaneal_squeeze_shows_a_referral_recommendation(as_treating, client_record):
    response = as_treating.post(
        _url(client_record), post(m_calcaneal_squeeze_L="pos", m_calcaneal_squeeze_R="neg")
    )
    assert response.status_code == 302
    page = as_treating.get(f"/assessments/{Assessment.objects.get().pk}/").content.decode()
    assert 'id="referrals"' in page and "Referral recommended" in page
    assert "Refer for imaging this week" in page and "Stop loading exercises" in page


def test_monofilament_sites_felt_of_tested(as_treating, client_record):
    response = as_treating.post(
        _url(client_record), post(m_monofilament_L="3", m_monofilament_R="3", o_monofilament_R="2")
    )
    _refused(response, "m_monofilament_R", "More sites felt (3) than tested (2)")
    response = as_treating.post(_url(client_record), post(m_monofilament_L="2", m_monofilament_R="3"))
    assert response.status_code == 302
    rows = _saved_rows()
    assert (rows[("monofilament", "L")].value, rows[("monofilament", "L")].detail) == (2, "3")
    page = as_treating.get(f"/assessments/{Assessment.objects.get().pk}/").content.decode()
    assert "2 of 3 sites felt" in page and "reduced protective sensation" in page
    assert "3 of 3 sites felt" in page


def test_negative_screens_and_no_screens_recommend_nothing(as_treating, client_record):
    as_treating.post(_url(client_record), post(m_calcaneal_squeeze_L="neg", m_tarsal_tinel_L="neg"))
    page = as_treating.get(f"/assessments/{Assessment.objects.get().pk}/").content.decode()
    assert 'id="referrals"' not in page


def _screens(client, by, on, **choices):
    data = AssessmentData(
        assessed_on=on,
        measurements=[MeasurementInput(code, "L", choice=choice) for code, choice in choices.items()],
    )
    return services.assessment_create(client=client, by=by, data=data)


def test_referral_findings_come_from_the_latest_signed_assessment(
    client_record, treating, django_assert_num_queries
):
    assert referral_findings(client_record) == []
    signed = _screens(
        client_record, treating, date(2026, 9, 1), calcaneal_squeeze="pos", tarsal_tinel="pos_radiating"
    )
    assert referral_findings(client_record) == []  # a draft can still change
    services.assessment_sign(assessment=signed, by=treating)
    _screens(client_record, treating, date(2026, 10, 1), calcaneal_squeeze="neg")  # a later draft
    with django_assert_num_queries(2):
        found = referral_findings(client_record)
    assert [(f.code, f.side, f.urgency) for f in found] == [
        ("calcaneal_squeeze", "L", "this week"),
        ("tarsal_tinel", "L", "this week"),
    ]
    assert "refer for imaging this week" in found[0].action.lower()
    assert found[1].result == "Positive, tingling spreads into the sole or heel"
    assert found[0].assessed_on == date(2026, 9, 1) and found[0].assessment_id == signed.pk
