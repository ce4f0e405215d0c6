"""The intake form keeps what the client types, as a questionnaire does: each change is saved
through the same kind of save address, a reload shows it again, and every refusal (a value no
field allows, a form already sent, another link, a stopped link, a flood) writes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from clinic.models import Client
from portal import services as portal_services
from previsit import services
from previsit.forms import IntakeForm
from previsit.models import IntakeDraft, IntakeSubmission
from tests.clinic.helpers import audit_queries
from tests.previsit.conftest import intake_answers, intake_post

pytestmark = pytest.mark.django_db


def _urls(token) -> tuple[str, str]:
    return (
        reverse("previsit_client:intake", kwargs={"token": token}),
        reverse("previsit_client:intake_save", kwargs={"token": token}),
    )


def test_partial_answers_are_kept_while_the_client_types_and_a_reload_shows_them(
    phone, issued, client_record
):
    link, token = issued
    page_url, save_url = _urls(token)
    assert f'data-save-url="{save_url}"' in phone.get(page_url).content.decode()
    saved = phone.post(
        save_url,
        {
            "q_dvt": "yes",
            "d_dvt": "Left calf, since Tuesday",
            "medications": "Ibuprofen",
            "consent_given": "on",
        },
    )
    assert saved.status_code == 200 and saved.json() == {"saved": True, "kept": 4, "errors": {}}
    draft = IntakeDraft.objects.get(client=client_record)
    assert draft.partial == {
        "q_dvt": "yes",
        "d_dvt": "Left calf, since Tuesday",
        "medications": "Ibuprofen",
        "consent_given": "on",
    }
    html = phone.get(page_url).content.decode()
    assert 'name="q_dvt" value="yes" class="form-check-input" id="id_q_dvt_1" required checked' in html
    assert 'name="q_dvt_past" value="yes" class="form-check-input" id="id_q_dvt_past_1" required>' in html
    assert 'value="Left calf, since Tuesday"' in html
    assert ">\nIbuprofen</textarea>" in html
    assert 'id="id_consent_given" checked' in html
    # Still nothing the therapist has to review: only the sent form is.
    assert not IntakeSubmission.objects.exists()
    event = AuditEvent.objects.filter(action="update").get()
    assert event.actor is None and event.actor_username == "The client (by their link)"
    assert event.detail["autosave"] is True and event.detail["link"] == link.pk


def test_each_save_keeps_what_the_page_holds_now(phone, issued, client_record):
    _, token = issued
    _, save_url = _urls(token)
    phone.post(save_url, {"q_dvt": "yes", "d_dvt": "Calf"})
    phone.post(save_url, {"q_dvt": "no", "d_dvt": ""})
    assert IntakeDraft.objects.get(client=client_record).partial == {"q_dvt": "no"}
    assert IntakeDraft.objects.count() == 1


def test_a_value_no_field_allows_is_refused_beside_it_and_the_rest_kept(phone, issued, client_record):
    _, token = issued
    _, save_url = _urls(token)
    saved = phone.post(
        save_url, {"q_dvt": "maybe", "q_infection": "no", "d_dvt": "x" * 501, "unknown": "ignored"}
    )
    assert saved.status_code == 400
    assert set(saved.json()["errors"]) == {"q_dvt", "d_dvt"}
    assert IntakeDraft.objects.get(client=client_record).partial == {"q_infection": "no"}


def test_sending_the_form_clears_what_was_kept(phone, issued, client_record):
    _, token = issued
    page_url, save_url = _urls(token)
    phone.post(save_url, {"q_dvt": "yes"})
    assert phone.post(page_url, intake_post()).status_code == 200
    assert IntakeSubmission.objects.filter(client=client_record).count() == 1
    assert not IntakeDraft.objects.exists()


def _rows() -> tuple[int, int, list]:
    return (
        IntakeDraft.objects.count(),
        IntakeSubmission.objects.count(),
        list(IntakeDraft.objects.values_list("partial", flat=True)),
    )


def test_a_save_after_the_form_was_sent_is_refused_and_writes_nothing(phone, issued, client_record):
    _, token = issued
    _, save_url = _urls(token)
    services.intake_submit(client=client_record, answers=intake_answers(), fields={"consent_given": True})
    before = _rows()
    refused = phone.post(save_url, {"q_dvt": "yes"})
    assert refused.status_code == 409 and "already sent" in refused.json()["message"]
    assert _rows() == before == (0, 1, [])


def test_another_client_s_link_keeps_only_its_own_client_s_answers(phone, issued, make_client, treating):
    _, token = issued
    other = make_client(treating, first_name="Other", last_name="Person")
    _, other_token = portal_services.link_issue(client=other, by=treating)
    # This phone confirmed only its own link: the other link's save address sends it to confirm.
    response = phone.post(_urls(other_token)[1], {"q_dvt": "yes"})
    assert response.status_code == 302 and response["Location"].endswith("/confirm/")
    assert not IntakeDraft.objects.filter(client=other).exists()
    # A client field in what is posted is no field of the form: ignored.
    phone.post(_urls(token)[1], {"q_dvt": "yes", "client": str(other.pk)})
    assert list(IntakeDraft.objects.values_list("client_id", flat=True)) == [
        Client.objects.exclude(pk=other.pk).get().pk
    ]


def test_a_revoked_or_guessed_link_saves_nothing(phone, issued, treating):
    link, token = issued
    assert phone.post(_urls("Z" * 43)[1], {"q_dvt": "yes"}).status_code == 404
    portal_services.link_revoke(link=link, by=treating)
    assert phone.post(_urls(token)[1], {"q_dvt": "yes"}).status_code == 404
    assert not IntakeDraft.objects.exists()


def test_a_flood_of_saves_is_refused(phone, issued, settings):
    settings.KC_PORTAL_ENTRIES_PER_WINDOW = 10
    _, token = issued
    _, save_url = _urls(token)
    for _ in range(10):
        assert phone.post(save_url, {"q_dvt": "no"}).status_code == 200
    flooded = phone.post(save_url, {"q_dvt": "yes"})
    assert flooded.status_code == 429 and "Too many answers" in flooded.json()["message"]
    assert IntakeDraft.objects.get().partial == {"q_dvt": "no"}


def test_markup_typed_in_comes_back_as_text(phone, issued):
    _, token = issued
    page_url, save_url = _urls(token)
    phone.post(save_url, {"d_dvt": '"><script>alert(1)</script>'})
    html = phone.get(page_url).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_the_parser_keeps_values_as_typed():
    parsed = IntakeForm.parse_partial(
        {"q_dvt": " yes ", "s_surgery": "2026-01-02", "pregnancy_stage": "nonsense"}
    )
    assert parsed.values == {"q_dvt": "yes", "s_surgery": "2026-01-02"}
    assert set(parsed.errors) == {"pregnancy_stage"}


def test_the_intake_page_with_kept_answers_runs_a_fixed_number_of_queries(
    phone, issued, django_assert_num_queries
):
    _, token = issued
    page_url, save_url = _urls(token)
    phone.post(save_url, {"q_dvt": "yes", "d_dvt": "Calf"})
    # The address's refused tries and the link, its use (a savepoint pair and the last-use
    # update) with its audit row, then the pending form, the health screen and the kept answers.
    with django_assert_num_queries(2 + 3 + audit_queries() + 3) as ctx:
        response = phone.get(page_url)
    assert response.status_code == 200, [q["sql"][:80] for q in ctx.captured_queries]
