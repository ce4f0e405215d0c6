"""The client's pages on their link: the questionnaire (kept as they type, sent once), the intake
form with its "please call the clinic" message, the home page's list, and every refusal: another
client's questionnaire, a replayed or out-of-range answer, a stopped link."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from portal import services as portal_services
from previsit import services
from previsit.models import IntakeSubmission, Measure, QuestionnaireRequest
from tests.previsit.conftest import intake_post, lefs_post

pytestmark = pytest.mark.django_db


def _q_url(token, qrequest, save=False):
    name = "previsit_client:questionnaire_save" if save else "previsit_client:questionnaire"
    return reverse(name, kwargs={"token": token, "pk": qrequest.pk})


def test_the_home_page_lists_what_is_waiting(phone, issued, lefs_request):
    _, token = issued
    html = phone.get(f"/c/{token}/").content.decode()
    assert "Before your visit" in html
    assert _q_url(token, lefs_request) in html
    assert reverse("previsit_client:intake", kwargs={"token": token}) in html


def test_a_client_answers_in_parts_then_sends_once(phone, issued, lefs_request):
    _, token = issued
    saved = phone.post(_q_url(token, lefs_request, save=True), {"item_1": "3", "item_2": "4"})
    assert saved.status_code == 200 and saved.json()["kept"] == 2
    page = phone.get(_q_url(token, lefs_request)).content.decode()
    assert 'id="item_1_3" value="3" autocomplete="off" checked' in page
    sent = phone.post(_q_url(token, lefs_request), lefs_post())
    assert sent.status_code == 200 and "were sent to your therapist" in sent.content.decode()
    lefs_request.refresh_from_db()
    assert lefs_request.status == QuestionnaireRequest.Status.SUBMITTED
    event = AuditEvent.objects.filter(action="submit").get()
    assert event.actor is None and event.actor_username == "The client (by their link)"
    assert event.detail["link"] == issued[0].pk


def test_a_replayed_submission_is_refused_and_changes_nothing(phone, issued, submitted_lefs):
    _, token = issued
    before = (submitted_lefs.submitted_answers, submitted_lefs.submitted_at)
    again = phone.post(_q_url(token, submitted_lefs), lefs_post([0] * 20))
    assert again.status_code == 409 and "already sent" in again.content.decode()
    assert phone.post(_q_url(token, submitted_lefs, save=True), {"item_1": "0"}).status_code == 409
    submitted_lefs.refresh_from_db()
    assert (submitted_lefs.submitted_answers, submitted_lefs.submitted_at) == before


def test_a_pain_score_of_11_is_refused_beside_the_question(phone, issued, client_record, treating):
    _, token = issued
    qrequest = services.questionnaire_request_create(client=client_record, measure=Measure.NPRS, by=treating)
    data = {"nprs_first_step": "11", "nprs_rest": "2", "nprs_worst_24h": "6", "nprs_activity": "4"}
    response = phone.post(_q_url(token, qrequest), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="err_nprs_first_step">Choose a whole number from 0 to 10.' in html
    qrequest.refresh_from_db()
    assert qrequest.status == QuestionnaireRequest.Status.IN_PROGRESS
    assert "nprs_first_step" not in qrequest.partial and qrequest.partial["nprs_rest"] == "2"
    saved = phone.post(_q_url(token, qrequest, save=True), {"nprs_rest": "11"})
    assert saved.status_code == 400 and saved.json()["errors"] == {
        "nprs_rest": "Choose a whole number from 0 to 10."
    }


def test_a_clients_markup_comes_back_as_text(phone, issued, client_record, treating):
    _, token = issued
    qrequest = services.questionnaire_request_create(client=client_record, measure=Measure.PSFS, by=treating)
    response = phone.post(_q_url(token, qrequest), {"psfs_label_1": '"><script>alert(1)</script>'})
    html = response.content.decode()
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_another_clients_questionnaire_is_not_found_and_nothing_is_written(
    phone, issued, make_client, treating
):
    _, token = issued
    other = make_client(treating, first_name="Other", last_name="Person")
    theirs = services.questionnaire_request_create(client=other, measure=Measure.LEFS, by=treating)
    assert phone.get(_q_url(token, theirs)).status_code == 404
    assert phone.post(_q_url(token, theirs), lefs_post()).status_code == 404
    assert phone.post(_q_url(token, theirs, save=True), {"item_1": "1"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == QuestionnaireRequest.Status.REQUESTED and theirs.partial == {}
    assert phone.get(f"/c/{token}/q/99999999999999999999/").status_code == 404


def test_a_revoked_link_opens_no_questionnaire(phone, issued, lefs_request, treating):
    link, token = issued
    portal_services.link_revoke(link=link, by=treating)
    assert phone.get(_q_url(token, lefs_request)).status_code == 404
    assert phone.post(_q_url(token, lefs_request), lefs_post()).status_code == 404
    lefs_request.refresh_from_db()
    assert lefs_request.status == QuestionnaireRequest.Status.REQUESTED


def test_a_staff_session_opens_nothing_without_the_clients_own_device_step(as_treating, issued, lefs_request):
    _, token = issued
    response = as_treating.get(_q_url(token, lefs_request))
    assert response.status_code == 302 and response["Location"].endswith("/confirm/")


def test_a_red_answer_asks_the_client_to_call_the_clinic(phone, issued, client_record):
    _, token = issued
    url = reverse("previsit_client:intake", kwargs={"token": token})
    assert phone.get(url).status_code == 200
    response = phone.post(url, intake_post({"dvt": "My left calf is swollen and warm."}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please call the clinic before your appointment." in html
    intake = IntakeSubmission.objects.get(client=client_record)
    assert intake.source == "link" and intake.status == "pending"
    again = phone.post(url, intake_post())
    assert again.status_code == 409
    assert IntakeSubmission.objects.count() == 1
    assert "We have your health form" in phone.get(url).content.decode()


def test_an_intake_without_red_answers_just_thanks(phone, issued):
    _, token = issued
    html = phone.post(
        reverse("previsit_client:intake", kwargs={"token": token}), intake_post()
    ).content.decode()
    assert "Your health form was sent" in html and "Please call the clinic" not in html


def test_an_incomplete_intake_is_refused_beside_the_question(phone, issued):
    _, token = issued
    data = intake_post()
    del data["q_dvt"]
    response = phone.post(reverse("previsit_client:intake", kwargs={"token": token}), data)
    assert response.status_code == 400 and "Answer yes or no." in response.content.decode()
    assert not IntakeSubmission.objects.exists()


def test_the_questionnaire_page_runs_a_fixed_number_of_queries(
    phone, issued, lefs_request, django_assert_num_queries
):
    from tests.clinic.helpers import audit_queries

    _, token = issued
    # The address's refused tries and the link (client_link_required), its use (a savepoint pair
    # and the last-use update) with its audit row, then the questionnaire.
    with django_assert_num_queries(2 + 3 + audit_queries() + 1) as ctx:
        response = phone.get(_q_url(token, lefs_request))
    assert response.status_code == 200, [q["sql"][:80] for q in ctx.captured_queries]


def test_a_flood_of_submissions_is_refused_with_a_plain_message(phone, issued, lefs_request, settings):
    settings.KC_PORTAL_ENTRIES_PER_WINDOW = 10
    _, token = issued
    for n in range(10):
        assert phone.post(_q_url(token, lefs_request, save=True), {"item_1": str(n % 5)}).status_code == 200
    flooded = phone.post(_q_url(token, lefs_request, save=True), {"item_2": "1"})
    assert flooded.status_code == 429 and "Too many answers" in flooded.json()["message"]
    sent = phone.post(_q_url(token, lefs_request), lefs_post())
    assert sent.status_code == 429 and "Too many answers" in sent.content.decode()
    lefs_request.refresh_from_db()
    assert "item_2" not in lefs_request.partial and lefs_request.status == "in_progress"
