"""/clients/<id>/intake/: the §5.4 health screen, consent, and who may see it."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from clinic import services
from clinic.models import Consent, HealthScreen, ScreenAnswer
from clinic.screening import CONSENT_TEXT_VERSION, QUESTIONS


def _answers(yes: dict[str, str] | None = None, **extra) -> dict:
    yes = yes or {}
    data = {}
    for q in QUESTIONS:
        data[f"q_{q.code}"] = "yes" if q.code in yes else "no"
        data[f"d_{q.code}"] = yes.get(q.code, "")
    data.update(extra)
    return data


def test_form_lists_every_question_with_yes_no_and_details(as_treating, client_record):
    response = as_treating.get(f"/clients/{client_record.pk}/intake/")
    html = response.content.decode()
    assert response.status_code == 200
    for q in QUESTIONS:
        assert f'name="q_{q.code}" value="yes"' in html
        assert f'name="q_{q.code}" value="no"' in html
        assert f'name="d_{q.code}"' in html
    assert CONSENT_TEXT_VERSION in html


def test_therapist_records_a_screen_with_consent(as_treating, treating, client_record):
    response = as_treating.post(
        f"/clients/{client_record.pk}/intake/",
        _answers({"anticoagulant": "Apixaban"}, medications="Apixaban 5 mg", consent_given="on"),
    )
    assert response.status_code == 302
    screen = HealthScreen.objects.get(client=client_record)
    assert screen.recorded_by == treating
    assert screen.medications == "Apixaban 5 mg"
    answers = {a.question: (a.answer, a.details) for a in screen.answers.all()}
    assert len(answers) == len(QUESTIONS)
    assert answers["anticoagulant"] == (True, "Apixaban")
    assert answers["dvt"] == (False, "")
    consent = Consent.objects.get(client=client_record)
    assert (consent.recorded_by, consent.text_version, consent.given_at) == (
        treating,
        CONSENT_TEXT_VERSION,
        screen.taken_at,
    )
    event = AuditEvent.objects.get(action="create", object_type="clinic.healthscreen")
    assert event.client_id == client_record.pk
    assert event.detail == {"yes": ["anticoagulant"], "consent": True, "questions": "2026-2"}


def test_screen_without_consent_records_no_consent_and_the_chart_says_so(as_treating, client_record):
    as_treating.post(f"/clients/{client_record.pk}/intake/", _answers())
    assert HealthScreen.objects.filter(client=client_record).count() == 1
    assert not Consent.objects.exists()
    assert b"No consent to treatment recorded." in as_treating.get(f"/clients/{client_record.pk}/").content


def test_an_unanswered_question_is_marked_next_to_it_and_nothing_is_saved(as_treating, client_record):
    data = _answers()
    del data["q_dvt"]
    response = as_treating.post(f"/clients/{client_record.pk}/intake/", {**data, "consent_given": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"q_dvt": ["Answer yes or no."]}
    html = response.content.decode()
    dvt_row = html[html.index('name="q_dvt"') - 1500 : html.index('name="d_dvt"')]
    assert "Answer yes or no." in dvt_row
    assert not HealthScreen.objects.exists()
    assert not ScreenAnswer.objects.exists()
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    "field, value",
    [("q_dvt", "maybe"), ("d_dvt", "x" * 501), ("medications", "m" * 2001)],
)
def test_bad_answers_are_refused_and_nothing_is_saved(as_treating, client_record, field, value):
    response = as_treating.post(f"/clients/{client_record.pk}/intake/", _answers(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not HealthScreen.objects.exists()


def test_a_recheck_adds_a_new_screen_and_keeps_the_old_one(as_treating, client_record, screened):
    screened(yes={"dvt": "Calf swelling"})
    page = as_treating.get(f"/clients/{client_record.pk}/intake/").content.decode()
    assert 'name="q_dvt" value="yes" class="form-check-input" required id="id_q_dvt_1" checked' in page or (
        "Calf swelling" in page
    )
    as_treating.post(f"/clients/{client_record.pk}/intake/", _answers())
    assert HealthScreen.objects.filter(client=client_record).count() == 2
    chart = as_treating.get(f"/clients/{client_record.pk}/").content.decode()
    assert 'id="flags-banner"' not in chart  # the latest screen counts


def test_desk_admin_gets_404_and_cannot_record_a_screen(as_desk, client_record):
    assert as_desk.get(f"/clients/{client_record.pk}/intake/").status_code == 404
    assert as_desk.post(f"/clients/{client_record.pk}/intake/", _answers()).status_code == 404
    assert not HealthScreen.objects.exists()


def test_colleague_gets_404(as_colleague, client_record):
    assert as_colleague.get(f"/clients/{client_record.pk}/intake/").status_code == 404
    assert as_colleague.post(f"/clients/{client_record.pk}/intake/", _answers()).status_code == 404
    assert not HealthScreen.objects.exists()


def test_owner_off_the_care_team_gets_404(as_owner, client_record):
    assert as_owner.get(f"/clients/{client_record.pk}/intake/").status_code == 404


def test_anonymous_visitor_is_sent_to_login(anon, client_record):
    response = anon.post(f"/clients/{client_record.pk}/intake/", _answers())
    assert response.status_code == 302
    assert not HealthScreen.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_intake_refuses_other_methods(as_treating, client_record, method):
    assert getattr(as_treating, method)(f"/clients/{client_record.pk}/intake/").status_code == 405


def test_opening_the_screen_is_audited_as_a_view(as_treating, treating, client_record, screened):
    screen = screened()
    as_treating.get(f"/clients/{client_record.pk}/intake/")
    event = AuditEvent.objects.filter(action="view").latest("id")
    assert (event.actor, event.client_id, event.object_type, event.object_id) == (
        treating,
        client_record.pk,
        "clinic.healthscreen",
        str(screen.pk),
    )


def test_service_refuses_an_incomplete_screen(treating, client_record):
    answers = {q.code: (False, "") for q in QUESTIONS[1:]}
    with pytest.raises(services.ValidationError):
        services.health_screen_record(client=client_record, by=treating, answers=answers)
    assert not HealthScreen.objects.exists()


def test_service_refuses_an_unknown_question(treating, client_record):
    answers = {q.code: (False, "") for q in QUESTIONS} | {"made_up": (True, "")}
    with pytest.raises(services.ValidationError):
        services.health_screen_record(client=client_record, by=treating, answers=answers)
    assert not HealthScreen.objects.exists()
