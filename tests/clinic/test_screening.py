"""The §5.4 screening catalogue and how answers become red, amber and local flags."""

from __future__ import annotations

from types import SimpleNamespace

from clinic.screening import (
    AMBER,
    BY_CODE,
    CURRENT_QUESTION_SET,
    LOCAL,
    QUESTION_SETS,
    QUESTIONS,
    QUESTIONS_2026_1,
    RED,
    flags_from_answers,
    questions_for,
)
from clinic.selectors import banner_flags, current_flags


def _answer(code: str, yes: bool = True, details: str = ""):
    return SimpleNamespace(question=code, answer=yes, details=details)


def test_the_first_question_set_keeps_the_nineteen_questions_of_the_reference():
    assert len(QUESTIONS_2026_1) == 19
    assert questions_for("2026-1") is QUESTIONS_2026_1


def test_new_screens_ask_the_current_question_set():
    assert CURRENT_QUESTION_SET == "2026-2"
    assert QUESTIONS is QUESTION_SETS["2026-2"]
    assert len(BY_CODE) == len(QUESTIONS)
    assert questions_for(None) is QUESTIONS


def test_the_current_set_is_mapped_as_revision_2_says():
    severity = {q.code: q.severity for q in QUESTIONS}
    assert {c for c, s in severity.items() if s == RED} == {
        "infection",
        "dvt",
        "skin_infection",
        "pad_severe",
        "intoxication",
        "heel_urgent",
    }
    # Past DVT is amber, apart from a suspected one; the heel question is split by urgency.
    assert severity["dvt_past"] == AMBER and severity["heel_soon"] == AMBER
    assert severity["pad_claudication"] == AMBER and severity["wound"] == LOCAL
    for code in (
        "lymphoedema",
        "inflammatory_arthritis",
        "bleeding_disorder",
        "bruising",
        "weight_loss",
        "dvt_risk",
        "raynauds",
        "pregnancy",
    ):
        assert code in severity
    assert {q.code for q in QUESTIONS if q.dated} == {"surgery", "steroid_injection"}


def test_old_flags_keep_their_own_question_text():
    [old] = flags_from_answers([_answer("dvt")], "2026-1")
    [new] = flags_from_answers([_answer("dvt")], "2026-2")
    assert old.question.startswith("Diagnosed or suspected blood clot")
    assert new.question.startswith("Now: one calf or leg swollen")
    [retired] = flags_from_answers([_answer("heel_red_flags")], "2026-1")
    assert retired.severity == RED


def test_each_question_of_the_first_set_is_mapped_as_the_reference_says():
    expected = {
        "infection": RED,
        "dvt": RED,
        "anticoagulant": AMBER,
        "cardiac": AMBER,
        "cancer": AMBER,
        "pregnancy": AMBER,
        "recent_injury": AMBER,
        "skin": LOCAL,
        "diabetes_neuropathy": AMBER,
        "varicose": AMBER,
        "osteoporosis": AMBER,
        "lumps": AMBER,
        "kidney_liver": AMBER,
        "epilepsy_allergy": AMBER,
        "implants": LOCAL,
        "intoxication": RED,
        "doctor_care": AMBER,
        "steroid_injection": AMBER,
        "heel_red_flags": RED,
    }
    assert {q.code: q.severity for q in QUESTIONS_2026_1} == expected


def test_classifications_the_reference_marks_unconfirmed_are_labelled_so():
    unconfirmed = {q.code for q in QUESTIONS_2026_1 if not q.confirmed}
    assert unconfirmed == {"anticoagulant", "diabetes_neuropathy", "steroid_injection"}


def test_only_yes_answers_raise_flags_most_severe_first():
    flags = flags_from_answers(
        [
            _answer("skin_other", details="graze"),
            _answer("varicose"),
            _answer("dvt", details="calf"),
            _answer("cancer", False),
        ]
    )
    assert [(f.code, f.severity) for f in flags] == [("dvt", RED), ("varicose", AMBER), ("skin_other", LOCAL)]
    assert flags[0].details == "calf"


def test_answers_to_retired_questions_are_ignored():
    assert flags_from_answers([_answer("no_longer_asked")]) == []


def test_banner_holds_red_and_amber_but_not_local(client_record, screened):
    screened(yes={"skin_other": "graze", "osteoporosis": "", "infection": "flu"})
    assert [f.code for f in current_flags(client_record)] == ["infection", "osteoporosis", "skin_other"]
    assert [f.code for f in banner_flags(client_record)] == ["infection", "osteoporosis"]


def test_a_client_never_screened_has_no_flags(client_record):
    assert current_flags(client_record) == []


def test_the_current_consent_text_is_one_of_the_kept_versions():
    from clinic.screening import CONSENT_TEXT, CONSENT_TEXT_VERSION, CONSENT_TEXTS

    assert CONSENT_TEXTS[CONSENT_TEXT_VERSION] == CONSENT_TEXT
