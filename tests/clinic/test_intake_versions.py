"""The intake screen's versioned questions, the new questions and guardian consent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from clinic import services
from clinic.models import Consent, HealthScreen, ScreenAnswer
from clinic.screening import QUESTIONS, QUESTIONS_2026_1


def _answers(yes: dict[str, str] | None = None, **extra) -> dict:
    yes = yes or {}
    data = {}
    for q in QUESTIONS:
        data[f"q_{q.code}"] = "yes" if q.code in yes else "no"
        data[f"d_{q.code}"] = yes.get(q.code, "")
    data.update(extra)
    return data


def _service_answers(yes=None):
    yes = yes or {}
    return {q.code: (q.code in yes, yes.get(q.code, "")) for q in QUESTIONS}


def _old_screen(client, by):
    """A screen answered with the first question set, as stored before the new questions."""
    screen = HealthScreen.objects.create(client=client, recorded_by=by, question_set="2026-1")
    for q in QUESTIONS_2026_1:
        ScreenAnswer.objects.create(
            screen=screen, question=q.code, answer=q.code == "heel_red_flags", details="old answer"
        )
    return screen


def test_an_old_screen_shows_the_questions_it_was_answered_with(as_treating, treating, client_record):
    screen = _old_screen(client_record, treating)
    html = as_treating.get(f"/clients/{client_record.pk}/intake/{screen.pk}/").content.decode()
    assert "version 2026-1" in html and "A re-check asks today's questions" in html
    for q in QUESTIONS_2026_1:
        assert q.text.replace("'", "&#x27;") in html
    assert "Cellulitis" not in html  # a question of the new set only
    chart = as_treating.get(f"/clients/{client_record.pk}/").content.decode()
    assert "Night pain, pain unrelated to load" in chart  # the old flag keeps its own words


def test_a_new_screen_asks_and_stores_the_new_questions(as_treating, treating, client_record):
    _old_screen(client_record, treating)
    form = as_treating.get(f"/clients/{client_record.pk}/intake/").content.decode()
    for code in ("pad_severe", "lymphoedema", "heel_urgent", "heel_soon", "dvt_past", "raynauds"):
        assert f'name="q_{code}"' in form
    assert 'name="q_heel_red_flags"' not in form
    response = as_treating.post(
        f"/clients/{client_record.pk}/intake/",
        _answers(
            {"surgery": "Knee arthroscopy", "pregnancy": "Twins"},
            s_surgery=str(date.today() - timedelta(days=20)),
            pregnancy_stage="t2",
            gp_name="Dr Okafor",
            gp_contact="Northside Surgery, 0161 496 0000",
            consent_given="on",
        ),
    )
    assert response.status_code == 302
    screen = HealthScreen.objects.filter(client=client_record).first()
    assert screen.question_set == "2026-2"
    assert (screen.pregnancy_stage, screen.gp_name) == ("t2", "Dr Okafor")
    assert screen.answers.get(question="surgery").since == date.today() - timedelta(days=20)
    html = as_treating.get(f"/clients/{client_record.pk}/intake/{screen.pk}/").content.decode()
    assert "Second trimester" in html and "Dr Okafor" in html


def test_pregnancy_needs_its_stage_and_nothing_is_saved(as_treating, client_record):
    response = as_treating.post(
        f"/clients/{client_record.pk}/intake/", _answers({"pregnancy": ""}, consent_given="on")
    )
    assert response.status_code == 200
    assert "Give the trimester" in response.content.decode()
    assert not HealthScreen.objects.filter(client=client_record).exists()


def test_a_future_date_for_a_dated_question_is_refused(treating, client_record):
    answers = _service_answers({"steroid_injection": "heel"})
    answers["steroid_injection"] = (True, "heel", timezone.localdate() + timedelta(days=3))
    with pytest.raises(Exception, match="cannot be after"):
        services.health_screen_record(client=client_record, by=treating, answers=answers)
    assert not HealthScreen.objects.exists()


def test_a_minor_needs_a_named_parent_or_guardian(as_treating, make_client, treating):
    minor = make_client(treating, date_of_birth=timezone.localdate() - timedelta(days=365 * 12))
    url = f"/clients/{minor.pk}/intake/"
    response = as_treating.post(url, _answers(consent_given="on", consented_by_role="client"))
    assert "a parent or guardian consents" in response.content.decode()
    response = as_treating.post(url, _answers(consent_given="on", consented_by_role="parent"))
    assert "Give the name of the parent or guardian" in response.content.decode()
    assert not Consent.objects.filter(client=minor).exists()
    response = as_treating.post(
        url, _answers(consent_given="on", consented_by_role="parent", consented_by_name="Ana Silva")
    )
    assert response.status_code == 302
    consent = Consent.objects.get(client=minor)
    assert (consent.consented_by_role, consent.consented_by_name) == ("parent", "Ana Silva")
    chart = as_treating.get(f"/clients/{minor.pk}/").content.decode()
    assert "given by Ana Silva (Parent)" in chart


def test_another_clients_screen_is_404(as_treating, treating, client_record, make_client):
    other = make_client(treating)
    screen = _old_screen(other, treating)
    assert as_treating.get(f"/clients/{client_record.pk}/intake/{screen.pk}/").status_code == 404


def test_a_colleague_cannot_open_a_screen(as_colleague, treating, client_record):
    screen = _old_screen(client_record, treating)
    assert as_colleague.get(f"/clients/{client_record.pk}/intake/{screen.pk}/").status_code == 404


@pytest.mark.parametrize("table", ["clinic_healthscreen", "clinic_consent", "clinic_screenanswer"])
def test_screens_and_consents_stay_final_after_the_new_columns(table, screened):
    from django.db import DatabaseError, connection, transaction

    screened({"dvt_past": "2019"})
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET id = id')
