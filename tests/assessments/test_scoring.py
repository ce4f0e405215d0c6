"""Scoring functions against the published rules (clinical reference §3)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assessments.scoring import (
    NA,
    is_clinically_important_change,
    limb_symmetry_index,
    score_faam,
    score_ffi,
    score_fpi6,
    score_lefs,
    score_psfs,
    wblt_cm_to_degrees,
)

# --- LEFS --------------------------------------------------------------------


def test_lefs_complete_is_the_sum_of_twenty_items():
    answers = [4] * 10 + [2] * 5 + [0] * 5
    result = score_lefs(answers)
    assert result.value == 50
    assert result.reason is None


def test_lefs_extremes_are_0_and_80():
    assert score_lefs([0] * 20).value == 0
    assert score_lefs([4] * 20).value == 80


def test_lefs_with_any_item_missing_has_no_score_and_says_which():
    answers = [3] * 20
    answers[6] = None
    result = score_lefs(answers)
    assert result.value is None
    assert "7" in result.reason


def test_lefs_with_na_item_has_no_score():
    answers = [3] * 20
    answers[0] = NA
    result = score_lefs(answers)
    assert result.value is None
    assert result.reason


@pytest.mark.parametrize(
    "bad", [5, -1, 2.5, "3", True, float("nan"), Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity")]
)
def test_lefs_out_of_range_or_non_number_raises_naming_the_item(bad):
    answers = [3] * 20
    answers[11] = bad
    with pytest.raises(ValueError, match="item 12"):
        score_lefs(answers)


@pytest.mark.parametrize("count", [19, 21, 0])
def test_lefs_wrong_item_count_raises(count):
    with pytest.raises(ValueError, match="20 items"):
        score_lefs([3] * count)


def test_lefs_records_its_algorithm_version():
    assert score_lefs([2] * 20).algorithm_version.startswith("lefs-")


# --- FAAM --------------------------------------------------------------------


def test_faam_adl_complete_is_percent_of_84():
    answers = [4] * 20 + [0]
    result = score_faam(answers, "adl")
    assert result.value == pytest.approx(80 / 84 * 100)


def test_faam_sports_complete_is_percent_of_32():
    result = score_faam([2] * 8, "sports")
    assert result.value == pytest.approx(50.0)


def test_faam_na_items_leave_sum_and_denominator():
    # 19 answered (sum 57) + 2 N/A: scored over the 19 answered, denominator 4 x 19 = 76.
    answers = [3] * 19 + [NA, NA]
    result = score_faam(answers, "adl")
    assert result.value == pytest.approx(57 / 76 * 100)


def test_faam_sports_one_missing_is_scored_over_28():
    answers = [4, 4, 3, 3, 2, 2, 1, None]
    result = score_faam(answers, "sports")
    assert result.value == pytest.approx(19 / 28 * 100)


def test_faam_adl_needs_nineteen_completed_items():
    answers = [4] * 18 + [None, None, None]
    result = score_faam(answers, "adl")
    assert result.value is None
    assert "18 of 21" in result.reason


def test_faam_adl_nineteen_answered_two_missing_is_scored():
    answers = [4] * 19 + [None, None]
    assert score_faam(answers, "adl").value == pytest.approx(100.0)


def test_faam_sports_two_missing_is_not_scored():
    answers = [4] * 6 + [None, None]
    result = score_faam(answers, "sports")
    assert result.value is None
    assert "at least 7" in result.reason


def test_faam_na_does_not_count_toward_the_ninety_percent_rule():
    # 6 answered + 1 N/A: only 6 of 8 answered, so no score (clinical reference R2.2.5).
    result = score_faam([2] * 6 + [NA, None], "sports")
    assert result.value is None
    assert "6 of 8 items answered" in result.reason and "N/A" in result.reason
    result = score_faam([3] * 18 + [NA, NA, NA], "adl")
    assert result.value is None
    assert "18 of 21" in result.reason and "at least 19" in result.reason


@pytest.mark.parametrize(
    ("subscale", "answered", "total", "scored"),
    [("adl", 18, 21, False), ("adl", 19, 21, True), ("sports", 6, 8, False), ("sports", 7, 8, True)],
)
def test_faam_minimum_answered_boundaries(subscale, answered, total, scored):
    for filler in (None, NA):
        result = score_faam([4] * answered + [filler] * (total - answered), subscale)
        assert (result.value is not None) is scored
        if scored:
            assert result.value == pytest.approx(100.0)


def test_faam_all_na_has_no_score():
    result = score_faam([NA] * 8, "sports")
    assert result.value is None
    assert "not applicable" in result.reason


def test_faam_out_of_range_raises_naming_the_item():
    answers = [4] * 8
    answers[2] = 5
    with pytest.raises(ValueError, match="item 3"):
        score_faam(answers, "sports")


def test_faam_wrong_count_and_unknown_subscale_raise():
    with pytest.raises(ValueError, match="21 items"):
        score_faam([4] * 8, "adl")
    with pytest.raises(ValueError, match="subscale"):
        score_faam([4] * 8, "sport")


# --- FFI ---------------------------------------------------------------------


def test_ffi_sum_method_is_percent_of_230():
    answers = [5] * 23
    result = score_ffi(answers)
    assert result.value == pytest.approx(50.0)
    assert result.subscales["pain"] == pytest.approx(50.0)
    assert result.subscales["disability"] == pytest.approx(50.0)
    assert result.subscales["activity_limitation"] == pytest.approx(50.0)


def test_ffi_sum_and_mean_of_subscales_differ_with_unequal_subscales():
    answers = [10] * 9 + [0] * 9 + [0] * 5
    by_sum = score_ffi(answers, method="sum")
    by_mean = score_ffi(answers, method="mean_of_subscales")
    assert by_sum.value == pytest.approx(90 / 230 * 100)
    assert by_mean.value == pytest.approx(100 / 3)
    assert by_sum.subscales["pain"] == pytest.approx(100.0)


def test_ffi_original_vas_uses_nine_per_item():
    answers = [9] * 9 + [0] * 14
    result = score_ffi(answers, item_max=9)
    assert result.value == pytest.approx(81 / 207 * 100)
    assert result.subscales["pain"] == pytest.approx(100.0)


def test_ffi_na_items_are_excluded_from_sum_and_denominator():
    answers = [4] * 23
    answers[0] = NA
    answers[20] = NA
    result = score_ffi(answers)
    assert result.value == pytest.approx(4 * 21 / (10 * 21) * 100)
    assert result.subscales["pain"] == pytest.approx(32 / 80 * 100)
    assert result.subscales["activity_limitation"] == pytest.approx(12 / 30 * 100)


def test_ffi_missing_item_leaves_subscale_and_total_unscored():
    answers = [3] * 23
    answers[12] = None
    result = score_ffi(answers)
    assert result.value is None
    assert result.subscales["disability"] is None
    assert result.subscales["pain"] == pytest.approx(30.0)
    assert "13" in result.reason


def test_ffi_out_of_range_raises_naming_the_item():
    answers = [3] * 23
    answers[22] = 11
    with pytest.raises(ValueError, match="item 23"):
        score_ffi(answers)
    answers[22] = 10
    with pytest.raises(ValueError, match="item 23"):
        score_ffi(answers, item_max=9)


def test_ffi_wrong_count_method_or_item_max_raise():
    with pytest.raises(ValueError, match="23 items"):
        score_ffi([1] * 22)
    with pytest.raises(ValueError, match="method"):
        score_ffi([1] * 23, method="median")
    with pytest.raises(ValueError, match="item_max"):
        score_ffi([1] * 23, item_max=4)


# --- PSFS --------------------------------------------------------------------


def test_psfs_is_the_mean_of_the_ratings():
    assert score_psfs([2, 4, 9]).value == pytest.approx(5.0)
    assert score_psfs([7]).value == 7
    assert score_psfs([1, 2, 3, 4, 5]).value == pytest.approx(3.0)


def test_psfs_unrated_activity_has_no_score():
    result = score_psfs([3, None])
    assert result.value is None
    assert "2" in result.reason
    assert score_psfs([NA]).value is None


def test_psfs_out_of_range_raises_naming_the_item():
    with pytest.raises(ValueError, match="item 2"):
        score_psfs([3, 11])
    with pytest.raises(ValueError, match="item 1"):
        score_psfs([-1])


@pytest.mark.parametrize("bad", [7.5, Decimal("7.5"), 0.1, 11, -1])
def test_psfs_rating_must_be_a_whole_number_from_0_to_10(bad):
    with pytest.raises(ValueError, match="item 1"):
        score_psfs([bad])


@pytest.mark.parametrize("good", [0, 7, 10, Decimal("7"), 7.0])
def test_psfs_whole_ratings_are_accepted(good):
    assert score_psfs([good]).value == pytest.approx(float(good))


@pytest.mark.parametrize("ratings", [[], [1, 2, 3, 4, 5, 6]])
def test_psfs_needs_one_to_five_ratings(ratings):
    with pytest.raises(ValueError, match="1 to 5"):
        score_psfs(ratings)


# --- FPI-6 -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "total", "band"),
    [
        ([-2, -2, -2, -2, -2, -2], -12, "highly supinated"),
        ([-1, -1, -1, -1, -1, 0], -5, "highly supinated"),
        ([-1, -1, -1, -1, 0, 0], -4, "supinated"),
        ([-1, 0, 0, 0, 0, 0], -1, "supinated"),
        ([0, 0, 0, 0, 0, 0], 0, "normal"),
        ([1, 1, 1, 1, 1, 0], 5, "normal"),
        ([1, 1, 1, 1, 1, 1], 6, "pronated"),
        ([2, 2, 2, 1, 1, 1], 9, "pronated"),
        ([2, 2, 2, 2, 1, 1], 10, "highly pronated"),
        ([2, 2, 2, 2, 2, 2], 12, "highly pronated"),
    ],
)
def test_fpi6_total_and_band_at_every_edge(items, total, band):
    result = score_fpi6(items)
    assert result.value == total
    assert result.band == band


def test_fpi6_missing_or_na_item_has_no_total():
    result = score_fpi6([1, 1, None, 1, 1, 1])
    assert result.value is None
    assert result.band is None
    assert "3" in result.reason
    assert score_fpi6([1, 1, NA, 1, 1, 1]).value is None


def test_fpi6_out_of_range_and_wrong_count_raise():
    with pytest.raises(ValueError, match="item 4"):
        score_fpi6([0, 0, 0, 3, 0, 0])
    with pytest.raises(ValueError, match="6 items"):
        score_fpi6([0] * 5)


# --- Helpers -----------------------------------------------------------------


def test_limb_symmetry_index_is_involved_over_uninvolved():
    assert limb_symmetry_index(18, 24) == pytest.approx(75.0)
    assert limb_symmetry_index(24, 24) == pytest.approx(100.0)
    assert limb_symmetry_index(5, 0) is None
    with pytest.raises(ValueError):
        limb_symmetry_index(-1, 10)


def test_wblt_one_centimetre_is_three_point_six_degrees():
    assert wblt_cm_to_degrees(10) == pytest.approx(36.0)
    assert wblt_cm_to_degrees(0) == 0
    with pytest.raises(ValueError):
        wblt_cm_to_degrees(-2)


@pytest.mark.parametrize(
    ("instrument", "baseline", "followup", "important"),
    [
        ("lefs", 40, 49, True),
        ("lefs", 40, 48, False),
        ("lefs", 40, 31, False),
        ("faam_adl", 50, 58, True),
        ("faam_adl", 50, 57.9, False),
        # FAAM Sports: the MDC (12.3) is larger than the MCID (9), so 9 points can be noise.
        ("faam_sports", 30, 42.3, True),
        ("faam_sports", 30, 42.2, False),
        ("faam_sports", 30, 39, False),
        ("psfs", 3, 5, True),
        ("psfs", 3, 4.9, False),
        ("psfs_activity", 3, 6, True),
        ("psfs_activity", 3, 5, False),
        # NPRS: a fall of at least max(2, ceil(0.3 x baseline)).
        ("nprs", 8, 5, True),
        ("nprs", 8, 6, False),  # baseline 8 needs a fall of 3
        ("nprs", 7, 4, True),
        ("nprs", 7, 5, False),  # ceil(2.1) = 3
        ("nprs", 6, 4, True),  # ceil(1.8) = 2
        ("nprs", 10, 7, True),
        ("nprs", 3, 2.1, False),  # 30% alone is not enough: the MDC is 2
        ("nprs", 5, 7, False),
        ("nprs", 0, 0, False),
    ],
)
def test_clinically_important_change_uses_at_least(instrument, baseline, followup, important):
    assert is_clinically_important_change(instrument, baseline, followup) is important


def test_clinically_important_change_unknown_instrument_raises():
    with pytest.raises(ValueError):
        is_clinically_important_change("vas", 1, 5)


def test_ffi_sum_total_survives_a_subscale_that_is_all_not_applicable():
    answers = [6] * 18 + [NA] * 5
    by_sum = score_ffi(answers)
    assert by_sum.value == pytest.approx(60.0)
    assert by_sum.subscales["activity_limitation"] is None
    by_mean = score_ffi(answers, method="mean_of_subscales")
    assert by_mean.value is None
    assert "not applicable" in by_mean.reason


def test_ffi_all_not_applicable_has_no_score():
    assert score_ffi([NA] * 23).value is None


def test_faam_subscale_name_is_case_insensitive():
    assert score_faam([4] * 8, "Sports").value == pytest.approx(100.0)
