"""The §5.4 screening catalogue and how answers become red, amber and local flags."""

from __future__ import annotations

from types import SimpleNamespace

from clinic.screening import AMBER, BY_CODE, LOCAL, QUESTIONS, RED, flags_from_answers
from clinic.selectors import banner_flags, current_flags


def _answer(code: str, yes: bool = True, details: str = ""):
    return SimpleNamespace(question=code, answer=yes, details=details)


def test_the_catalogue_has_the_nineteen_questions_of_the_reference():
    assert len(QUESTIONS) == 19
    assert len(BY_CODE) == 19


def test_each_question_is_mapped_as_the_reference_says():
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
    assert {q.code: q.severity for q in QUESTIONS} == expected


def test_classifications_the_reference_marks_unconfirmed_are_labelled_so():
    unconfirmed = {q.code for q in QUESTIONS if not q.confirmed}
    assert unconfirmed == {"anticoagulant", "diabetes_neuropathy", "steroid_injection"}


def test_only_yes_answers_raise_flags_most_severe_first():
    flags = flags_from_answers(
        [
            _answer("skin", details="graze"),
            _answer("varicose"),
            _answer("dvt", details="calf"),
            _answer("cancer", False),
        ]
    )
    assert [(f.code, f.severity) for f in flags] == [("dvt", RED), ("varicose", AMBER), ("skin", LOCAL)]
    assert flags[0].details == "calf"


def test_answers_to_retired_questions_are_ignored():
    assert flags_from_answers([_answer("no_longer_asked")]) == []


def test_banner_holds_red_and_amber_but_not_local(client_record, screened):
    screened(yes={"skin": "graze", "osteoporosis": "", "infection": "flu"})
    assert [f.code for f in current_flags(client_record)] == ["infection", "osteoporosis", "skin"]
    assert [f.code for f in banner_flags(client_record)] == ["infection", "osteoporosis"]


def test_a_client_never_screened_has_no_flags(client_record):
    assert current_flags(client_record) == []


def test_the_current_consent_text_is_one_of_the_kept_versions():
    from clinic.screening import CONSENT_TEXT, CONSENT_TEXT_VERSION, CONSENT_TEXTS

    assert CONSENT_TEXTS[CONSENT_TEXT_VERSION] == CONSENT_TEXT
