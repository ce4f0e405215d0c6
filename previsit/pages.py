"""What the staff and client pages show of a questionnaire or an intake form (no queries)."""

from __future__ import annotations

from clinic.screening import AMBER, LOCAL, RED, questions_for
from previsit import questions
from previsit.models import IntakeSubmission, QuestionnaireRequest
from previsit.services import red_flags, stored_answers


def questionnaire_rows(qrequest: QuestionnaireRequest) -> list[dict]:
    """Each question with the client's answer in words: the sent answers, or those typed so far."""
    values = qrequest.partial or {}
    rows = []
    for part in questions.parts(qrequest.measure):
        for item in part.items:
            raw = values.get(item.key, "")
            answer = raw if item.is_text else dict(item.answers).get(raw, "")
            if item.answers == questions.PAIN_ANSWERS and raw:
                answer = f"{raw} of 10"
            rows.append({"part": part.title, "question": item.text, "answer": answer or "Not answered"})
    return rows


def questionnaire_progress(qrequest: QuestionnaireRequest) -> str:
    total = len(questions.all_items(qrequest.measure))
    return f"{len(qrequest.partial or {})} of {total} answered"


def intake_rows(intake: IntakeSubmission) -> list[dict]:
    by_code = {a.question: a for a in stored_answers(intake)}
    rows = []
    for question in questions_for(intake.question_set):
        answer = by_code.get(question.code)
        rows.append(
            {
                "question": question.text,
                "answer": "Yes" if answer and answer.answer else "No",
                "details": answer.details if answer else "",
                "since": answer.since if answer else None,
                "severity": question.severity if answer and answer.answer else "",
            }
        )
    return rows


SEVERITY_WORDS = {RED: "Do not treat / refer", AMBER: "Modify", LOCAL: "Avoid the area"}


def needs_a_call(intake: IntakeSubmission) -> bool:
    """A red answer: the client is asked to call the clinic before the appointment."""
    return bool(red_flags(intake))
