"""The comparison page and the detail page judge change by |Δ| >= max(MDC, MCID) and
name which figure is the MDC and which the MCID (clinical reference R2.2.5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from assessments import services
from assessments.services import AssessmentData, MeasurementInput, ResponseInput


def _make(client, by, on, *, nprs, lunge, faam_sports, lefs):
    data = AssessmentData(
        assessed_on=on,
        measurements=[
            MeasurementInput("nprs_first_step", value=Decimal(nprs)),
            MeasurementInput("nprs_rest", value=Decimal(2 if on.month == 9 else 1)),
            MeasurementInput("knee_to_wall", "L", value=Decimal(lunge)),
        ],
        responses=[
            ResponseInput("faam_sports", [faam_sports] * 8),
            ResponseInput("lefs", [lefs] * 20),
        ],
    )
    assessment = services.assessment_create(client=client, by=by, data=data)
    services.assessment_sign(assessment=assessment, by=by)
    return assessment


def test_compare_page_names_mdc_and_mcid_and_the_floor(as_treating, client_record, treating):
    _make(client_record, treating, date(2026, 9, 1), nprs="8", lunge="8.0", faam_sports=2, lefs=2)
    later = _make(client_record, treating, date(2026, 10, 1), nprs="6", lunge="10.0", faam_sports=3, lefs=3)
    response = as_treating.get(f"/assessments/{later.pk}/compare/")
    html = response.content.decode()
    assert response.status_code == 200
    # NPRS 8 -> 6: a fall of 2 is not enough from a baseline of 8 (needs 3).
    assert "no real change (under 3; MDC 2 (Childs 2005); MCID 2 or 30% (Farrar 2001))" in html
    # Pain at rest 2 -> 1: the floor.
    assert "Floor: judge by function" in html
    # Lunge +2 cm: only an MDC exists, so the change is measurable, not important.
    assert "Improved (measurable)" in html
    assert "MDC 1.9 cm (intra-rater, Powden 2015)" in html
    # FAAM Sports 50% -> 75%: real, and the MDC (12.3) is named as the larger figure.
    assert "MDC 12.3 (Martin 2005); MCID 9 (Martin 2005)" in html
    assert "<strong>12.3</strong>" in html
    # LEFS 40 -> 60: beyond both, so important.
    assert "MDC 9 (Binkley 1999); MCID 9 (Binkley 1999)" in html
    assert "Improved (important)" in html


def test_detail_page_shows_each_measures_real_change_rule(as_treating, client_record, treating):
    later = _make(client_record, treating, date(2026, 9, 1), nprs="8", lunge="8.0", faam_sports=2, lefs=2)
    html = as_treating.get(f"/assessments/{later.pk}/").content.decode()
    assert "Real change: 2 cm (rounded up from the MDC). MDC 1.9 cm (intra-rater, Powden 2015)" in html
    assert "no MCID published" in html
    assert "Real change: a fall of at least 2, or 30% of the baseline rounded up if more." in html
    assert "MDC 2 (Childs 2005); MCID 2 or 30% (Farrar 2001)" in html


def test_detail_page_lists_real_changes_and_the_pain_floor(as_treating, client_record, treating):
    _make(client_record, treating, date(2026, 9, 1), nprs="8", lunge="8.0", faam_sports=2, lefs=2)
    later = _make(client_record, treating, date(2026, 10, 1), nprs="4", lunge="10.0", faam_sports=3, lefs=3)
    html = as_treating.get(f"/assessments/{later.pk}/").content.decode()
    assert "Floor: judge by function</span> Pain at rest" in html
    assert "Improved</span> First-step pain" in html
    assert "improved: important change (at least 3; MDC 2 (Childs 2005)" in html
    assert "Improved</span> Knee-to-wall (WBLT) L" in html
    assert "improved: measurable change (at least 2 cm" in html
    # Each questionnaire names its MDC and MCID where it is scored.
    assert "Real change: 12.3 or more. MDC 12.3 (Martin 2005); MCID 9 (Martin 2005)." in html


def _psfs(client, by, on, walking, stairs):
    items = [
        {"key": "walking", "label": "Walking the dog", "rating": walking},
        {"key": "stairs", "label": "Stairs", "rating": stairs},
    ]
    data = AssessmentData(assessed_on=on, responses=[ResponseInput("psfs", items)])
    return services.assessment_create(client=client, by=by, data=data)


def test_each_psfs_activity_is_judged_by_the_one_activity_mdc(as_treating, client_record, treating):
    _psfs(client_record, treating, date(2026, 9, 1), walking=3, stairs=3)
    later = _psfs(client_record, treating, date(2026, 10, 1), walking=6, stairs=5)
    response = as_treating.get(f"/assessments/{later.pk}/compare/")
    rows = {row["name"]: row for row in response.context["score_rows"]}
    walking = rows["PSFS activity: Walking the dog"]["cells"][0]
    stairs = rows["PSFS activity: Stairs"]["cells"][0]
    assert (walking["verdict"], walking["label"]) == ("improved", "Improved (measurable)")
    assert stairs["verdict"] == "no_real_change"
    assert "MDC 3 (one activity, Stratford 1995)" in walking["title"]
    # The mean (3 -> 5.5) passes both the MDC 2 and the MCID 1.3: important.
    assert rows["PSFS"]["cells"][0]["label"] == "Improved (important)"
