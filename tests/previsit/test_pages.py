"""The staff side: the chart and home sections, the review pages, accept and discard through the
pages, the paper intake form, and what a front-desk admin may not read."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from clinic.models import HealthScreen
from clinic.reauth import REAUTH_KEY
from core import composition
from previsit import services
from previsit.models import IntakeSubmission, Measure, QuestionnaireRequest
from tests.clinic.helpers import BACKGROUND, SIGNED_IN_FLOOR, audit_queries
from tests.previsit.conftest import intake_post

pytestmark = pytest.mark.django_db
PASSWORD = "test-pass-1234!"


def test_the_chart_lists_pending_questionnaires_and_intakes(as_treating, submitted_lefs, pending_intake):
    html = as_treating.get(reverse("client_detail", args=[submitted_lefs.client_id])).content.decode()
    assert 'id="previsit-section"' in html
    assert "2 to review" in html
    assert "LEFS 53 of 80" in html
    assert reverse("previsit:questionnaire_detail", args=[submitted_lefs.pk]) in html
    assert reverse("previsit:intake_detail", args=[pending_intake.pk]) in html


def test_the_chart_section_runs_a_fixed_number_of_queries(
    as_treating, client_record, treating, pending_intake, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr("core.composition.REGISTRY", composition.registry_only("previsit"))
    for measure in (Measure.LEFS, Measure.NPRS, Measure.PSFS):
        services.questionnaire_request_create(client=client_record, measure=measure, by=treating)
    services.questionnaire_schedule_set(
        client=client_record, measure=Measure.FAAM, every_weeks=4, active=True, by=treating
    )
    as_treating.get("/ping")
    # The chart's own (6 with a screen: see tests/clinic/test_client_chart.py, less the
    # answers: the access check, then on a miss the client), then the questionnaires with
    # who asked, the intake forms with who typed them, the rules.
    with django_assert_num_queries(SIGNED_IN_FLOOR + 5 + 3 + audit_queries()):
        response = as_treating.get(reverse("client_detail", args=[client_record.pk]), **BACKGROUND)
    assert response.status_code == 200


def test_home_lists_what_clients_sent_since_yesterday(
    as_treating, submitted_lefs, pending_intake, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr("core.composition.REGISTRY", composition.registry_only("previsit"))
    as_treating.get("/ping")
    with django_assert_num_queries(SIGNED_IN_FLOOR + 2 + 2 + audit_queries()):
        html = as_treating.get("/", **BACKGROUND).content.decode()
    assert "Sent by clients since yesterday" in html
    assert "Priya Raman" in html and "LEFS 53 of 80" in html and "Intake form" in html


def test_home_shows_nothing_of_another_therapists_clients(as_colleague, submitted_lefs):
    html = as_colleague.get("/").content.decode()
    assert "Priya Raman" not in html


def test_accepting_from_the_page_asks_for_the_password_and_signs(as_treating, submitted_lefs):
    session = as_treating.session
    session[REAUTH_KEY] = time.time() - 3600  # signed in an hour ago
    session.save()
    url = reverse("previsit:questionnaire_accept", args=[submitted_lefs.pk])
    assert 'name="password"' in as_treating.get(submitted_lefs.get_absolute_url()).content.decode()
    refused = as_treating.post(url, {"password": "wrong"})
    assert refused.status_code == 403
    assert "That password is not right" in refused.content.decode()
    submitted_lefs.refresh_from_db()
    assert submitted_lefs.status == QuestionnaireRequest.Status.SUBMITTED
    response = as_treating.post(url, {"password": PASSWORD})
    assert response.status_code == 302
    submitted_lefs.refresh_from_db()
    assert submitted_lefs.status == QuestionnaireRequest.Status.ACCEPTED
    assert submitted_lefs.assessment.is_signed
    again = as_treating.post(url, {"password": PASSWORD})
    assert again.status_code == 409


def test_discarding_from_the_page_without_a_reason_says_so_beside_the_field(as_treating, submitted_lefs):
    url = reverse("previsit:questionnaire_discard", args=[submitted_lefs.pk])
    response = as_treating.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Say why it is discarded." in response.content.decode()
    submitted_lefs.refresh_from_db()
    assert submitted_lefs.status == QuestionnaireRequest.Status.SUBMITTED


def test_a_clients_markup_is_shown_as_text(as_treating, client_record, treating):
    qrequest = services.questionnaire_request_create(client=client_record, measure=Measure.PSFS, by=treating)
    services.questionnaire_submit(
        qrequest=qrequest, data={"psfs_label_1": "<script>alert(1)</script>", "psfs_rating_1": "3"}
    )
    intake = services.intake_submit(
        client=client_record,
        answers={
            **{q: (False, "", None) for q in _codes()},
            "varicose": (True, "<img src=x onerror=alert(1)>", None),
        },
        fields={"medications": "<b>ibuprofen</b>"},
    )
    html = as_treating.get(reverse("previsit:questionnaire_detail", args=[qrequest.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    html = as_treating.get(reverse("previsit:intake_detail", args=[intake.pk])).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>ibuprofen</b>" not in html


def _codes():
    from clinic.screening import QUESTIONS

    return [q.code for q in QUESTIONS]


def test_the_front_desk_types_in_a_paper_form_that_waits_for_the_therapist(
    as_desk, as_treating, client_record, desk
):
    url = reverse("previsit:paper_intake", args=[client_record.pk])
    assert url in as_desk.get(reverse("client_detail", args=[client_record.pk])).content.decode()
    page = as_desk.get(url)
    assert page.status_code == 200
    response = as_desk.post(url, intake_post({"varicose": "Both calves."}))
    assert response.status_code == 302
    intake = IntakeSubmission.objects.get(client=client_record)
    assert intake.source == "paper" and intake.entered_by == desk and intake.status == "pending"
    assert not HealthScreen.objects.filter(client=client_record).exists()
    chart = as_treating.get(reverse("client_detail", args=[client_record.pk])).content.decode()
    assert "Entered from paper by Desk Desk" in chart
    assert as_treating.post(reverse("previsit:intake_confirm", args=[intake.pk])).status_code == 302
    assert HealthScreen.objects.filter(client=client_record).exists()


def test_a_paper_form_with_a_missing_answer_is_refused_beside_the_question(as_desk, client_record):
    data = intake_post()
    del data["q_dvt"]
    response = as_desk.post(reverse("previsit:paper_intake", args=[client_record.pk]), data)
    assert response.status_code == 400
    assert "Answer yes or no." in response.content.decode()
    assert not IntakeSubmission.objects.exists()


def test_the_front_desk_reads_no_clinical_content(
    as_desk, client_record, submitted_lefs, pending_intake, screened
):
    screened(yes={"dvt": "Swollen calf"})
    assert as_desk.get(reverse("previsit:questionnaire_detail", args=[submitted_lefs.pk])).status_code == 404
    assert as_desk.get(reverse("previsit:intake_detail", args=[pending_intake.pk])).status_code == 404
    chart = as_desk.get(reverse("client_detail", args=[client_record.pk])).content.decode()
    assert "previsit-section" not in chart and "LEFS" not in chart and "Swollen calf" not in chart
    paper = as_desk.get(reverse("previsit:paper_intake", args=[client_record.pk])).content.decode()
    assert "Swollen calf" not in paper and "LEFS" not in paper
    home = as_desk.get("/").content.decode()
    assert "Sent by clients" not in home


def test_a_therapist_off_the_care_team_gets_404(as_colleague, submitted_lefs, pending_intake):
    assert (
        as_colleague.get(reverse("previsit:questionnaire_detail", args=[submitted_lefs.pk])).status_code
        == 404
    )
    assert as_colleague.post(reverse("previsit:intake_confirm", args=[pending_intake.pk])).status_code == 404
    assert (
        as_colleague.post(
            reverse("previsit:request_new", args=[submitted_lefs.client_id]), {"measure": "psfs"}
        )
    ).status_code == 404


def test_requesting_from_the_chart(as_treating, client_record):
    response = as_treating.post(reverse("previsit:request_new", args=[client_record.pk]), {"measure": "faam"})
    assert response.status_code == 302
    assert QuestionnaireRequest.objects.get().measure == "faam"
    again = as_treating.post(
        reverse("previsit:request_new", args=[client_record.pk]), {"measure": "faam"}, follow=True
    )
    assert "already waiting" in again.content.decode()
    assert QuestionnaireRequest.objects.count() == 1


def test_the_review_page_runs_a_fixed_number_of_queries(
    as_treating, submitted_lefs, django_assert_num_queries
):
    as_treating.get("/ping")
    # The questionnaire with its client and the staff named on it (one join), the audit row.
    with django_assert_num_queries(SIGNED_IN_FLOOR + 1 + audit_queries()):
        response = as_treating.get(submitted_lefs.get_absolute_url(), **BACKGROUND)
    assert response.status_code == 200


def test_the_intake_review_page_runs_a_fixed_number_of_queries(
    as_treating, pending_intake, django_assert_num_queries
):
    as_treating.get("/ping")
    with django_assert_num_queries(SIGNED_IN_FLOOR + 1 + audit_queries()):
        response = as_treating.get(pending_intake.get_absolute_url(), **BACKGROUND)
    assert response.status_code == 200
