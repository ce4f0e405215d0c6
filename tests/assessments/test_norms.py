"""Corrected norms (clinical reference R2.2): heel-rise lower limit, hip rotation by
test position, lunge side difference beyond measurement error, LSI only for
capacity measures. Pure functions over rows; no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from assessments import catalogue
from assessments import findings as derive
from assessments.catalogue import Lsi, Measure, Region, ValueType


@dataclass
class Row:
    code: str
    side: str
    value: Decimal | None = None
    choice: str = ""
    status: str = "recorded"
    position: str = ""
    detail: str = ""


def D(x) -> Decimal:
    return Decimal(str(x))


def _of_kind(found, kind):
    return [f for f in found if f.kind == kind]


# --- Single-leg heel rise (R2.2.1) ------------------------------------------------


@pytest.mark.parametrize(
    ("sex", "age", "reference"),
    [("M", 25, 37), ("F", 25, 30), ("M", 45, 28), ("F", 45, 24), ("M", 65, 19), ("F", 75, 16), ("M", 85, 10)],
)
def test_heel_rise_is_flagged_only_below_reference_minus_seven(sex, age, reference):
    def flagged(reps):
        rows = [Row("heel_raise_reps", "L", D(reps))]
        return _of_kind(derive.findings_for(rows, sex=sex, age=age), "out_of_norm")

    assert catalogue.heel_rise_reference(age, sex) == reference
    assert flagged(reference - 8)
    assert not flagged(reference - 7)
    assert not flagged(reference - 6)
    text = flagged(reference - 8)[0].text
    assert "below reference (measurement-error rule)" in text
    assert "abnormal" not in text.lower()
    assert "unconfirmed" in text and "Hébert-Losier 2017" in text


def test_heel_rise_reference_says_how_the_bound_is_derived():
    norm = catalogue.norm_for(catalogue.get("heel_raise_reps"), sex="F", age=45)
    assert norm.low == 17 and norm.typical == 24
    assert "reference 24 reps for women 40–49 (provisional)" in norm.text
    assert "24 − 7" in norm.how and "95% limits of agreement" in norm.how
    assert "not a population lower limit" in norm.how
    assert not norm.confirmed


@pytest.mark.parametrize(("sex", "age"), [("M", 19), ("U", 40), ("X", 40), ("F", None)])
def test_no_heel_rise_reference_outside_the_study_or_without_sex(sex, age):
    norm = catalogue.norm_for(catalogue.get("heel_raise_reps"), sex=sex, age=age)
    assert norm.low is None
    rows = [Row("heel_raise_reps", "L", D(1))]
    assert not _of_kind(derive.findings_for(rows, sex=sex, age=age), "out_of_norm")


def test_age_is_counted_in_whole_years_on_the_assessment_day():
    born = date(1981, 6, 15)
    assert derive.age_on(born, date(2026, 6, 14)) == 44
    assert derive.age_on(born, date(2026, 6, 15)) == 45
    assert derive.age_on(None, date(2026, 6, 15)) is None


# --- Hip rotation by test position (R2.2.2) ---------------------------------------


@pytest.mark.parametrize(
    ("code", "position", "text"),
    [
        ("hip_ir", "supine", "29.6°"),
        ("hip_ir", "prone", "35.2°"),
        ("hip_ir", "seated", "37.9°"),
        ("hip_er", "supine", "38.5°"),
        ("hip_er", "prone", "41.8°"),
        ("hip_er", "seated", "≈40.6°"),
    ],
)
def test_hip_rotation_norm_follows_the_test_position(code, position, text):
    norm = catalogue.norm_for(catalogue.get(code), position=position)
    assert text in norm.text and "no cut-off" in norm.text
    assert norm.source == "Kouyoumdjian 2012"
    assert norm.low is None and norm.high is None


def test_seated_external_rotation_is_labelled_unconfirmed_because_it_is_derived():
    assert not catalogue.norm_for(catalogue.get("hip_er"), position="seated").confirmed
    assert catalogue.norm_for(catalogue.get("hip_er"), position="prone").confirmed


def test_hip_rotation_without_a_position_still_has_plain_words():
    norm = catalogue.norm_for(catalogue.get("hip_ir"), position="")
    assert norm.text.startswith("position not recorded")


def test_low_hip_rotation_is_never_out_of_norm():
    rows = [Row("hip_ir", "L", D(5), position="prone"), Row("hip_ir", "R", D(6), position="prone")]
    assert not _of_kind(derive.findings_for(rows), "out_of_norm")


@pytest.mark.parametrize(("left", "right", "notable"), [(30, 39, False), (30, 40, True), (40, 30, True)])
def test_hip_rotation_side_difference_of_ten_degrees_is_notable(left, right, notable):
    rows = [Row("hip_er", "L", D(left), position="seated"), Row("hip_er", "R", D(right), position="seated")]
    found = _of_kind(derive.findings_for(rows), "asymmetry")
    assert bool(found) is notable
    if notable:
        assert "notable side difference" in found[0].text and "unconfirmed" in found[0].text
        assert "LSI" not in found[0].text


def test_hip_rotation_sides_in_different_positions_are_not_compared():
    rows = [Row("hip_ir", "L", D(20), position="prone"), Row("hip_ir", "R", D(40), position="seated")]
    assert not _of_kind(derive.findings_for(rows), "asymmetry")


def test_hip_rotation_change_is_only_judged_in_the_same_position():
    before = [Row("hip_ir", "L", D(25), position="prone")]
    same = derive.changes_between(before, [Row("hip_ir", "L", D(35), position="prone")])
    assert same[0].verdict == "changed"
    other = derive.changes_between(before, [Row("hip_ir", "L", D(35), position="seated")])
    assert other[0].verdict == "not_comparable"
    assert "prone" in other[0].text and "seated" in other[0].text
    unknown = derive.changes_between(
        [Row("hip_ir", "L", D(25))], [Row("hip_ir", "L", D(35), position="prone")]
    )
    assert unknown[0].verdict == "not_comparable" and "position not recorded" in unknown[0].text


# --- Weight-bearing lunge (R2.2.3) --------------------------------------------------


@pytest.mark.parametrize(
    ("code", "left", "right", "flagged"),
    [
        ("knee_to_wall", "10.1", "12.0", False),  # 1.9 cm
        ("knee_to_wall", "10.0", "12.0", True),  # 2.0 cm
        ("wblt_angle", "35.1", "40.0", False),  # 4.9°
        ("wblt_angle", "35.0", "40.0", True),  # 5.0°
    ],
)
def test_lunge_side_difference_is_flagged_only_beyond_measurement_error(code, left, right, flagged):
    rows = [Row(code, "L", D(left)), Row(code, "R", D(right))]
    found = _of_kind(derive.findings_for(rows), "asymmetry")
    assert bool(found) is flagged
    if flagged:
        assert "Powden 2015" in found[0].text and "LSI" not in found[0].text


def test_knee_to_wall_no_longer_claims_a_degree_conversion():
    assert "≈" not in catalogue.get("knee_to_wall").display(value=D(10), choice="")


# --- Limb symmetry index (R2.2.4) --------------------------------------------------

NEVER_LSI = (
    "knee_to_wall",
    "wblt_angle",
    "df_knee_straight",
    "df_knee_bent",
    "hip_ir",
    "hip_er",
    "navicular_drop",
    "fpi6_total",
    "first_mtp_ext",
)
CAPACITY = ("heel_raise_reps", "hip_abd_hhd", "sls_eyes_open", "sls_eyes_closed", "sl_bridge_reps")


@pytest.mark.parametrize("code", NEVER_LSI)
def test_lsi_is_never_computed_for_angles_distances_or_foot_posture(code):
    measure = catalogue.get(code)
    position = measure.positions[0][0] if measure.positions else ""
    rows = {
        (code, "L"): Row(code, "L", D(5), position=position),
        (code, "R"): Row(code, "R", D(10), position=position),
    }
    assert not measure.has_lsi
    assert derive.lsi_for(measure, rows, involved_side="L") == (None, "")
    for finding in derive.findings_for(list(rows.values())):
        assert "LSI" not in finding.text


@pytest.mark.parametrize("code", CAPACITY)
def test_lsi_is_computed_for_capacity_measures(code):
    measure = catalogue.get(code)
    position = measure.positions[0][0] if measure.positions else ""
    rows = {
        (code, "L"): Row(code, "L", D(30), position=position),
        (code, "R"): Row(code, "R", D(40), position=position),
    }
    lsi, involved = derive.lsi_for(measure, rows, involved_side="L")
    assert (round(lsi), involved) == (75, "L")


def test_timed_tests_where_less_is_better_use_the_inverse_ratio():
    timed = Measure(
        code="timed_hop",
        label="Timed hop",
        region=Region.GLUTE,
        unit="s",
        value_type=ValueType.DECIMAL,
        per_side=True,
        min_value=D(0),
        max_value=D(20),
        lsi=Lsi.LESS,
    )
    rows = {("timed_hop", "L"): Row("timed_hop", "L", D(4)), ("timed_hop", "R"): Row("timed_hop", "R", D(3))}
    lsi, involved = derive.lsi_for(timed, rows, involved_side="L")
    assert (round(lsi), involved) == (75, "L")  # 3 s ÷ 4 s: the slower involved side scores below 100
    lsi, involved = derive.lsi_for(timed, rows, involved_side="")
    assert involved == "L"  # the slower side is the weaker one


def test_where_lsi_is_flagged_each_side_is_compared_with_its_norm():
    rows = [Row("heel_raise_reps", "L", D(15)), Row("heel_raise_reps", "R", D(26))]
    found = _of_kind(derive.findings_for(rows, sex="F", age=45, involved_side="L"), "asymmetry")
    text = found[0].text
    assert "LSI 58%" in text
    assert "L 15 reps: below reference (measurement-error rule)" in text
    assert "R 26 reps: within reference" in text


# --- Monofilament (IWGDF method) -------------------------------------------------------


@pytest.mark.parametrize(
    ("felt", "tested", "abnormal"), [(3, 3, False), (2, 3, True), (0, 3, True), (2, 2, False)]
)
def test_monofilament_is_abnormal_when_any_tested_site_is_not_felt(felt, tested, abnormal):
    rows = [Row("monofilament", "L", D(felt), detail=str(tested))]
    found = derive.findings_for(rows)
    assert bool(_of_kind(found, "positive")) is abnormal
    assert bool(derive.referrals_for(rows)) is abnormal
    if abnormal:
        assert f"{felt} of {tested} sites felt" in found[0].text
        assert "GP or a podiatrist" in found[0].text


def test_monofilament_change_follows_sites_felt():
    before = [Row("monofilament", "L", D(1), detail="3")]
    after = [Row("monofilament", "L", D(3), detail="3")]
    assert derive.changes_between(before, after)[0].verdict == "improved"
    assert derive.changes_between(after, before)[0].verdict == "worse"
    assert derive.changes_between(before, before)[0].verdict == "same"


@pytest.mark.parametrize(
    ("code", "choice", "urgency", "words"),
    [
        ("calcaneal_squeeze", "pos", "this week", "Refer for imaging this week"),
        ("tarsal_tinel", "pos", "this week", "Refer to a physiotherapist or GP"),
        ("tarsal_tinel", "pos_radiating", "this week", "No deep work over the inner ankle"),
    ],
)
def test_positive_referral_screens_say_what_to_do_and_how_soon(code, choice, urgency, words):
    rows = [Row(code, "R", choice=choice)]
    (item,) = derive.referrals_for(rows)
    assert item["urgency"] == urgency and words in item["action"]
    assert not derive.referrals_for([Row(code, "R", choice="neg")])


def test_first_mtp_extension_under_65_degrees_is_flagged_and_jack_no_rise_noted():
    rows = [
        Row("first_mtp_ext", "L", D(64)),
        Row("first_mtp_ext", "R", D(65)),
        Row("jack_test", "L", choice="no_rise"),
        Row("jack_test", "R", choice="rises"),
    ]
    kinds = {(f.code, f.side, f.kind) for f in derive.findings_for(rows)}
    assert kinds == {("first_mtp_ext", "L", "out_of_norm"), ("jack_test", "L", "out_of_norm")}


def test_hip_abduction_strength_per_body_weight():
    from assessments.scoring import hhd_normalise

    per_kg, pct = hhd_normalise(180, 70)
    assert per_kg == pytest.approx(2.571, abs=0.001)
    assert pct == pytest.approx(180 / (70 * 9.81) * 100)
    with pytest.raises(ValueError):
        hhd_normalise(180, 0)


def test_bmi_from_height_and_weight():
    from assessments.scoring import bmi

    assert bmi(170, 80) == pytest.approx(27.68, abs=0.01)
    with pytest.raises(ValueError):
        bmi(0, 80)


@pytest.mark.parametrize(
    ("age", "open_s", "closed_s"),
    [(18, 44, 13), (39, 44, 13), (40, 42, 12), (55, 41, 8), (65, 30, 4), (75, 17, 3), (90, 9, 2)],
)
def test_single_leg_stance_age_bands(age, open_s, closed_s):
    assert catalogue.norm_for(catalogue.get("sls_eyes_open"), age=age).typical == open_s
    assert catalogue.norm_for(catalogue.get("sls_eyes_closed"), age=age).typical == closed_s
    # Typical values, not limits: a short stance is compared, never flagged.
    rows = [Row("sls_eyes_closed", "L", D(0))]
    assert not _of_kind(derive.findings_for(rows, age=age), "out_of_norm")


def test_every_shown_norm_names_a_source_and_unconfirmed_ones_say_so():
    for measure in catalogue.MEASURES:
        if measure.norm is None:
            continue
        assert measure.norm.source, measure.code
        assert "(unconfirmed)" in measure.norm.label or measure.norm.confirmed


def test_heel_rise_finding_says_how_its_limit_is_made():
    rows = [Row("heel_raise_reps", "L", D(16))]
    (finding,) = _of_kind(derive.findings_for(rows, sex="F", age=45), "out_of_norm")
    assert "reference 24 reps for women 40–49 (provisional); below reference under 17 (reference − 7)" in (
        finding.text
    )


def test_monofilament_without_the_sites_tested_says_so_in_words():
    row = Row("monofilament", "L", D(2))
    assert derive.display(catalogue.get("monofilament"), row) == "2 sites felt (number tested not recorded)"
    assert not derive.referrals_for([row])
