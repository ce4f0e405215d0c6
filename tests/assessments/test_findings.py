"""Derived findings: LSI with the involved side, out-of-norm, asymmetry, positive
tests, high pain, chain status and change judged against the MDC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from assessments import findings as derive
from assessments.selectors import flagged_findings


@dataclass
class Row:
    code: str
    side: str
    value: Decimal | None = None
    choice: str = ""
    status: str = "recorded"
    position: str = ""
    detail: str = ""


def D(x):
    return Decimal(str(x))


def _kinds(found):
    return {(f.code, f.side, f.kind) for f in found}


def test_out_of_norm_uses_the_catalogue_norm():
    found = derive.findings_for([Row("knee_to_wall", "L", D(7)), Row("knee_to_wall", "R", D(12))])
    assert ("knee_to_wall", "L", "out_of_norm") in _kinds(found)
    assert ("knee_to_wall", "R", "out_of_norm") not in _kinds(found)
    text = next(f.text for f in found if f.kind == "out_of_norm")
    assert "Hoch & McKeon 2011" in text and "unconfirmed" in text


def test_heel_raise_reference_depends_on_age_and_sex():
    # Women 40-49: reference 24, below reference under 17; men 20-29: reference 37, under 30.
    rows = [Row("heel_raise_reps", "L", D(22)), Row("heel_raise_reps", "R", D(22))]
    assert not [f for f in derive.findings_for(rows, sex="F", age=45) if f.kind == "out_of_norm"]
    found = [f for f in derive.findings_for(rows, sex="M", age=25) if f.kind == "out_of_norm"]
    assert {f.side for f in found} == {"L", "R"}
    assert "below reference (measurement-error rule)" in found[0].text
    # Without age or with an undisclosed sex there is no reference to flag against.
    assert not [f for f in derive.findings_for(rows, sex="M") if f.kind == "out_of_norm"]
    assert not [f for f in derive.findings_for(rows, sex="U", age=25) if f.kind == "out_of_norm"]


def test_asymmetry_and_lsi_use_the_involved_side():
    rows = {
        (r.code, r.side): r for r in [Row("heel_raise_reps", "L", D(18)), Row("heel_raise_reps", "R", D(24))]
    }
    from assessments import catalogue

    lsi, involved = derive.lsi_for(catalogue.get("heel_raise_reps"), rows, involved_side="L")
    assert (round(lsi), involved) == (75, "L")
    lsi, involved = derive.lsi_for(catalogue.get("heel_raise_reps"), rows, involved_side="R")
    assert (round(lsi), involved) == (133, "R")
    found = derive.findings_for(list(rows.values()), sex="F", involved_side="L")
    asym = next(f for f in found if f.kind == "asymmetry")
    assert asym.side == "L" and "LSI 75% (left involved)" in asym.text


def test_small_knee_to_wall_difference_is_not_asymmetry():
    found = derive.findings_for([Row("knee_to_wall", "L", D(11)), Row("knee_to_wall", "R", D(12.2))])
    assert not [f for f in found if f.kind == "asymmetry"]
    found = derive.findings_for([Row("knee_to_wall", "L", D(10.2)), Row("knee_to_wall", "R", D(12.2))])
    assert [f for f in found if f.kind == "asymmetry"]


def test_positive_tests_and_high_pain_are_flagged_not_tested_is_not():
    found = derive.findings_for(
        [
            Row("windlass", "L", choice="pos"),
            Row("windlass", "R", choice="neg"),
            Row("nprs_first_step", "", D(7)),
            Row("nprs_rest", "", D(2)),
            Row("hip_ir", "L", status="not_tested"),
        ]
    )
    assert _kinds(found) == {("windlass", "L", "positive"), ("nprs_first_step", "", "high_pain")}


def test_chain_status_marks_impaired_ok_and_not_tested():
    rows = [Row("windlass", "L", choice="pos"), Row("hip_ir", "L", D(36)), Row("hip_ir", "R", D(35))]
    status = derive.chain_status(rows, derive.findings_for(rows))
    assert status["foot"] == "impaired"
    assert status["hip"] == "ok"
    assert status["calf"] == "not_tested"
    assert status["gait"] == "not_tested"


def test_change_is_judged_against_the_mdc():
    before = [
        Row("knee_to_wall", "L", D(7)),
        Row("heel_raise_reps", "L", D(15)),
        Row("nprs_first_step", "", D(7)),
    ]
    after = [
        Row("knee_to_wall", "L", D(8.5)),
        Row("heel_raise_reps", "L", D(22)),
        Row("nprs_first_step", "", D(4)),
    ]
    verdicts = {c.measure_code: c.verdict for c in derive.changes_between(before, after)}
    assert verdicts == {
        "knee_to_wall": "no_real_change",
        "heel_raise_reps": "improved",
        "nprs_first_step": "improved",
    }
    worse = {c.measure_code: c.verdict for c in derive.changes_between(after, before)}
    assert worse["heel_raise_reps"] == "worse" and worse["nprs_first_step"] == "worse"


def test_pos_to_neg_is_an_improvement():
    changes = derive.changes_between(
        [Row("windlass", "L", choice="pos")], [Row("windlass", "L", choice="neg")]
    )
    assert changes[0].verdict == "improved"


def test_questionnaire_change_uses_the_mcid():
    assert derive.response_change("lefs", Decimal(40), Decimal(49)) == (9.0, "improved")
    assert derive.response_change("lefs", Decimal(40), Decimal(45))[1] == "no_real_change"
    assert derive.response_change("lefs", Decimal(49), Decimal(40))[1] == "worse"


def test_flagged_findings_come_from_the_latest_assessment(record, client_record, django_assert_num_queries):
    assert flagged_findings(client_record) == []
    record(on=date(2026, 9, 1), stage=0)
    record(on=date(2026, 12, 1), stage=1)
    with django_assert_num_queries(2):
        found = flagged_findings(client_record)
    kinds = _kinds(found)
    assert ("windlass", "L", "positive") not in kinds  # recovered in the latest
    record(on=date(2026, 10, 1), stage=0)  # an older date does not become "latest"
    assert ("windlass", "L", "positive") not in _kinds(flagged_findings(client_record))
    for finding in found:
        assert {finding.kind} <= {"out_of_norm", "asymmetry", "positive", "high_pain"}
        assert finding.label and finding.text and finding.side in ("L", "R", "")


def test_flagged_findings_of_a_restricted_client(record, client_record):
    record(stage=0)
    kinds = _kinds(flagged_findings(client_record))
    assert ("windlass", "L", "positive") in kinds
    assert ("knee_to_wall", "L", "out_of_norm") in kinds
    assert ("heel_raise_reps", "L", "asymmetry") in kinds
    assert ("nprs_first_step", "", "high_pain") in kinds
    assert ("mmt_glute_med", "L", "out_of_norm") in kinds
