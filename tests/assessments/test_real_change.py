"""Real change for one client (clinical reference R2.2.5): |change| >= max(MDC, MCID),
with the MDC and the MCID named correctly for every measure."""

from __future__ import annotations

from fractions import Fraction

import pytest

from assessments.scoring import CHANGE_RULES, real_change


@pytest.mark.parametrize(
    ("baseline", "needed"),
    [(10, 3), (9, 3), (8, 3), (7, 3), (6, 2), (5, 2), (4, 2), (3, 2)],
)
def test_nprs_fall_needs_max_of_two_and_thirty_percent_rounded_up(baseline, needed):
    assert real_change("nprs", baseline, baseline - needed).verdict == "improved"
    assert real_change("nprs", baseline, baseline - needed + 1).verdict == "no_real_change"


def test_nprs_baseline_eight_needs_a_fall_of_three():
    assert real_change("nprs", 8, 6).verdict == "no_real_change"
    change = real_change("nprs", 8, 5)
    assert change.verdict == "improved" and change.kind == "important"
    assert change.threshold == 3
    assert "MDC 2 (Childs 2005)" in change.text
    assert "MCID 2 or 30% (Farrar 2001)" in change.text


@pytest.mark.parametrize("baseline", [0, 1, 2])
def test_nprs_baseline_two_or_less_is_a_floor_not_no_change(baseline):
    for followup in range(0, baseline + 2):
        change = real_change("nprs", baseline, followup)
        assert change.verdict == "floor"
        assert change.text.startswith("floor: judge by function")


def test_nprs_rise_from_the_floor_is_still_worse():
    assert real_change("nprs", 2, 4).verdict == "worse"
    assert real_change("nprs", 8, 10).verdict == "worse"  # a rise counts at the MDC
    assert real_change("nprs", 8, 9).verdict == "no_real_change"


@pytest.mark.parametrize(
    ("key", "mdc", "mcid", "kind"),
    [
        ("nprs", "MDC 2 (Childs 2005)", "MCID 2 or 30% (Farrar 2001)", "important"),
        ("psfs", "MDC 2 (Stratford 1995)", "MCID 1.3 (small change, Abbott & Schmitt 2014)", "important"),
        ("psfs_activity", "MDC 3 (one activity, Stratford 1995)", None, "measurable"),
        ("faam_adl", "MDC 5.7 (Martin 2005)", "MCID 8 (Martin 2005)", "important"),
        ("faam_sports", "MDC 12.3 (Martin 2005)", "MCID 9 (Martin 2005)", "important"),
        ("lefs", "MDC 9 (Binkley 1999)", "MCID 9 (Binkley 1999)", "important"),
        ("lunge_cm", "MDC 1.9 cm (intra-rater, Powden 2015)", None, "measurable"),
        ("lunge_deg", "MDC 4.7° (intra-rater, Powden 2015)", None, "measurable"),
        ("heel_rise", "MDC 6.5 reps (95% limits of agreement, Hébert-Losier 2017)", None, "measurable"),
        ("hhd", "MDC 10% (test-retest variation 3-12%, Thorborg 2010)", None, "measurable"),
    ],
)
def test_every_rule_names_its_mdc_and_mcid(key, mdc, mcid, kind):
    rule = CHANGE_RULES[key]
    text = rule.describe()
    assert mdc in text
    if mcid is None:
        assert "MCID" not in text.replace("no MCID published", "")
        assert "measurable, not proven important" in text
    else:
        assert mcid in text
    assert rule.kind == kind


@pytest.mark.parametrize(
    ("key", "baseline", "just_real", "just_not"),
    [
        ("lunge_cm", 8, Fraction("10"), Fraction("9.9")),
        ("lunge_deg", 30, Fraction("35"), Fraction("34.9")),
        ("heel_rise", 14, 21, 20),
        ("hhd", 200, 220, Fraction("219.9")),
        ("faam_sports", 50, Fraction("62.3"), Fraction("62.2")),
        ("faam_adl", 50, 58, Fraction("57.9")),
        ("lefs", 40, 49, 48),
        ("psfs", 3, 5, Fraction("4.9")),
        ("psfs_activity", 3, 6, 5),
    ],
)
def test_threshold_boundaries(key, baseline, just_real, just_not):
    assert real_change(key, baseline, just_real).verdict == "improved"
    assert real_change(key, baseline, just_not).verdict == "no_real_change"


def test_only_an_mdc_makes_a_change_measurable_not_important():
    change = real_change("lunge_cm", 8, 10)
    assert change.kind == "measurable"
    assert "measurable change" in change.text and "important change" not in change.text
    assert real_change("lefs", 40, 49).kind == "important"


def test_worse_and_unchanged_and_unknown():
    assert real_change("heel_rise", 21, 14).verdict == "worse"
    assert real_change("heel_rise", 21, 21).verdict == "same"
    with pytest.raises(ValueError):
        real_change("vas", 1, 2)
    with pytest.raises(ValueError):
        real_change("hhd", 0, 10)
