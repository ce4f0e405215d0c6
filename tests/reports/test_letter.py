"""What a letter to a referrer carries so a clinic can send it as it is: urgency,
consent to share, the question, history, screen flags and the signer's
registration number and contact. A client's report needs none of it."""

from __future__ import annotations

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from pypdf import PdfReader

from reports import services
from reports.models import ProgressReport
from reports.pdf import render_report_pdf

pytestmark = pytest.mark.django_db

QUESTION = "Would you review the heel pain and advise whether imaging is needed?"


def _text(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


@pytest.fixture
def registered(treating):
    treating.registration_number = "RMT-204518"
    treating.email = "sam@clinic.example"
    treating.save(update_fields=["registration_number", "email"])
    return treating


@pytest.fixture
def flagged(history, treating):
    """A later health screen with one amber answer and its details."""
    from clinic.screening import QUESTIONS
    from clinic.services import health_screen_record

    answers = {q.code: (False, "") for q in QUESTIONS}
    answers["varicose"] = (True, "Left calf, mild")
    health_screen_record(client=history, by=treating, answers=answers, consent_given=True)
    return history


def _ready(letter, by, **data):
    return services.report_update(report=letter, data={"question": QUESTION, **data}, by=by)


def test_signing_a_letter_without_consent_is_refused_and_changes_nothing(letter, treating):
    letter = _ready(letter, treating, urgency="within_week")
    with pytest.raises(ValidationError) as caught:
        services.report_sign(report=letter, by=treating)
    assert caught.value.message_dict == {"consent_to_share": [services.NO_CONSENT]}
    fresh = ProgressReport.objects.get(pk=letter.pk)
    assert not fresh.is_signed and fresh.content is None
    assert not fresh.consent_to_share and fresh.consent_confirmed_at is None
    assert fresh.consent_confirmed_by is None


def test_the_sign_page_shows_the_consent_message_beside_the_box(letter, as_treating):
    response = as_treating.post(f"/reports/{letter.pk}/sign/", {"password": "test-pass-1234!"})
    assert response.status_code == 400
    html = response.content.decode()
    box = re.search(r'<input type="checkbox" name="consent_to_share"[^>]*>', html).group(0)
    assert "is-invalid" in box and 'aria-describedby="error_consent_to_share"' in box
    feedback = re.search(r'id="error_consent_to_share">([^<]*)<', html).group(1)
    assert "client agreed to this letter being sent" in feedback
    assert 'id="sign-errors"' not in html  # the message is beside the field, not above it
    letter.refresh_from_db()
    assert not letter.is_signed


def test_signing_with_consent_stores_who_confirmed_it_and_when(letter, as_treating, treating):
    response = as_treating.post(
        f"/reports/{letter.pk}/sign/", {"password": "test-pass-1234!", "consent_to_share": "on"}
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.is_signed and letter.consent_to_share
    assert letter.consent_confirmed_by == treating and letter.consent_confirmed_at == letter.signed_at
    assert letter.content["letter"]["consent"]["by"] == treating.display_name
    assert letter.content_hash == services.content_hash(letter.content)


def test_the_letter_reads_back_with_urgency_question_history_flags_and_registration(
    letter, registered, flagged, as_treating
):
    letter = _ready(letter, registered, urgency="within_week")
    signed = services.report_sign(report=letter, by=registered, consent_to_share=True)
    pdf = as_treating.get(f"/reports/{signed.pk}/pdf/").content
    assert len(PdfReader(io.BytesIO(pdf)).pages) <= 2
    text = _text(pdf)
    assert "Urgency: within a week" in text
    assert text.index("Urgency: within a week") < text.index("Dear Dr Aisha Patel")
    assert "seek medical care now" not in text
    assert "Consent to share: the client agreed to this letter being sent" in text
    assert QUESTION in text and "My question for you" in text
    # History from the first visit of the period: the client's words and first-step pain.
    assert "History (first visit of this period" in text
    assert "Left heel pain on first steps." in text
    assert "first-step pain 7/10; worst in the last 24 hours 7/10" in text
    # The later screen's amber answer, in words, with the client's details.
    assert "Amber flag: Varicose veins? Details: Left calf, mild" in text
    assert "Registration number: RMT-204518" in text
    assert "sam@clinic.example" in text
    assert "varicose" not in text and "within_week" not in text  # no stored codes


@pytest.mark.parametrize(("urgency", "words"), [("emergency", "emergency"), ("same_day", "same day")])
def test_an_emergency_or_same_day_letter_says_the_client_was_told_to_seek_care_now(
    letter, treating, urgency, words
):
    letter = _ready(letter, treating, urgency=urgency)
    signed = services.report_sign(report=letter, by=treating, consent_to_share=True)
    text = _text(render_report_pdf(signed.content, signed=True, signed_at="2026-12-04 10:00"))
    assert f"Urgency: {words}" in text
    assert "The client has also been told to seek medical care now" in text


def test_a_screen_without_yes_answers_reads_no_flags(letter, treating):
    signed = services.report_sign(report=letter, by=treating, consent_to_share=True)
    text = _text(render_report_pdf(signed.content, signed=True, signed_at="2026-12-04 10:00"))
    assert re.search(r"Health screen of \d+ \w+ \d{4}: no flags", text)
    assert "Urgency: routine" in text  # the default
    assert "Registration number" not in text  # none recorded: the line is left out


def test_a_client_report_needs_none_of_it(make_report, treating, registered, flagged):
    report = make_report()
    signed = services.report_sign(report=report, by=treating)  # no consent asked
    assert signed.is_signed and not signed.consent_to_share and signed.consent_confirmed_at is None
    assert not {"letter", "history", "screen"} & set(signed.content)
    assert "registration" not in signed.content["author"]
    text = _text(render_report_pdf(signed.content, signed=True, signed_at="2026-12-04 10:00"))
    for words in ("Urgency", "Consent to share", "Registration number", "Health screen", "Varicose"):
        assert words not in text


def test_a_letter_signed_before_these_parts_existed_still_prints(letter, treating):
    signed = services.report_sign(report=letter, by=treating, consent_to_share=True)
    old = {k: v for k, v in signed.content.items() if k not in ("letter", "history", "screen")}
    old["author"] = {"name": old["author"]["name"], "line": old["author"]["line"]}
    text = _text(render_report_pdf(old, signed=True, signed_at="2026-12-04 10:00"))
    assert "Dear Dr Aisha Patel" in text and "Urgency" not in text


def test_a_draft_letter_shows_the_consent_is_still_to_be_confirmed(letter, as_treating):
    text = _text(as_treating.get(f"/reports/{letter.pk}/pdf/").content)
    assert "Consent to share: to be confirmed by the therapist at signing" in text
    assert "Urgency: routine" in text


def test_the_wording_form_takes_urgency_and_question_for_a_letter_only(
    letter, make_report, as_treating, treating
):
    response = as_treating.post(
        f"/reports/{letter.pk}/edit/",
        {
            "recipient_name": letter.recipient_name,
            "recipient_address": letter.recipient_address,
            "urgency": "same_day",
            "question": QUESTION,
            "summary": letter.summary,
        },
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.urgency == "same_day" and letter.question == QUESTION
    response = as_treating.post(f"/reports/{letter.pk}/edit/", {"urgency": "tomorrow"})
    assert response.status_code == 400
    letter.refresh_from_db()
    assert letter.urgency == "same_day"
    page = as_treating.get(f"/reports/{make_report().pk}/").content.decode()
    assert 'name="urgency"' not in page and 'name="consent_to_share"' not in page


def test_a_long_question_is_refused_at_the_field(letter, treating):
    with pytest.raises(ValidationError) as caught:
        services.report_update(report=letter, data={"question": "x" * 1001}, by=treating)
    assert "question" in caught.value.message_dict
    letter.refresh_from_db()
    assert letter.question == ""


def test_the_database_refuses_to_change_the_new_columns_of_a_signed_letter(letter, treating, colleague):
    """Runs on SQLite and, with DATABASE_URL, on PostgreSQL."""
    signed = services.report_sign(
        report=_ready(letter, treating, urgency="within_week"), by=treating, consent_to_share=True
    )
    for sql, params in (
        ("UPDATE reports_progressreport SET urgency = 'emergency' WHERE id = %s", []),
        ("UPDATE reports_progressreport SET question = 'tampered' WHERE id = %s", []),
        ("UPDATE reports_progressreport SET consent_to_share = %s WHERE id = %s", [False]),
        ("UPDATE reports_progressreport SET consent_confirmed_at = NULL WHERE id = %s", []),
        ("UPDATE reports_progressreport SET consent_confirmed_by_id = %s WHERE id = %s", [colleague.pk]),
    ):
        with (
            pytest.raises(DatabaseError, match="kc_locked"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(sql, [*params, signed.pk])
    fresh = ProgressReport.objects.get(pk=signed.pk)
    assert (fresh.urgency, fresh.question, fresh.consent_to_share) == ("within_week", QUESTION, True)
    assert fresh.consent_confirmed_by_id == treating.pk


def test_the_clinic_admin_records_a_registration_number_on_the_user_form(as_desk, treating):
    from clinic.models import User

    page = as_desk.get(f"/users/{treating.pk}/")
    assert page.status_code == 200 and b'name="registration_number"' in page.content
    data = {
        "first_name": treating.first_name,
        "last_name": treating.last_name,
        "email": treating.email,
        "credentials": treating.credentials,
        "registration_number": "RMT-777",
        "is_therapist": "on",
        "is_active": "on",
    }
    response = as_desk.post(f"/users/{treating.pk}/", data)
    assert response.status_code == 302, response.content[:2000]
    assert User.objects.get(pk=treating.pk).registration_number == "RMT-777"
