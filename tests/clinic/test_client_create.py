"""/clients/new/: admins create clients; bad input is refused field by field."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from clinic.models import Client


def _errors(response, field: str) -> list[str]:
    return response.context["form"].errors.get(field, [])


def test_admin_creates_a_client_and_assigns_a_therapist(as_desk, desk, treating, colleague, client_form):
    response = as_desk.post("/clients/new/", client_form(treating, care_team=[colleague.pk]))
    client = Client.objects.get(last_name="Avery")
    assert response.status_code == 302
    assert response["Location"] == f"/clients/{client.pk}/"
    assert client.primary_therapist == treating
    assert set(client.care_team.all()) == {treating, colleague}
    assert client.status == "active"
    event = AuditEvent.objects.get(action="create", client_id=client.pk)
    assert event.actor == desk
    assert event.object_type == "clinic.client"


def test_primary_therapist_is_always_on_the_care_team(as_desk, treating, client_form):
    as_desk.post("/clients/new/", client_form(treating))
    assert list(Client.objects.get(last_name="Avery").care_team.all()) == [treating]


def test_form_page_renders_for_admin(as_desk, treating):
    response = as_desk.get("/clients/new/")
    assert response.status_code == 200
    assert b'name="primary_therapist"' in response.content
    assert b'name="care_team"' in response.content


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("date_of_birth", "future", "Date of birth cannot be in the future."),
        ("date_of_birth", "1899-12-31", "Enter a date of birth after 1900."),
        ("date_of_birth", "12/31/abc", "Enter a valid date."),
        ("email", "not-an-email", "Enter a valid email address."),
        ("first_name", "x" * 81, "Ensure this value has at most 80 characters (it has 81)."),
        ("phone", "1" * 41, "Ensure this value has at most 40 characters (it has 41)."),
        ("first_name", "", "This field is required."),
        ("last_name", "   ", "This field is required."),
        ("date_of_birth", "", "This field is required."),
        ("primary_therapist", "", "This field is required."),
        ("sex", "Z", "Select a valid choice. Z is not one of the available choices."),
        ("involved_side", "left", "Select a valid choice. left is not one of the available choices."),
    ],
)
def test_bad_input_shows_a_message_next_to_the_field_and_saves_nothing(
    as_desk, treating, client_form, field, value, message
):
    if value == "future":
        value = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = as_desk.post("/clients/new/", client_form(treating, **{field: value}))
    assert response.status_code == 200
    assert _errors(response, field) == [message]
    # crispy renders the error directly under the field it belongs to
    html = response.content.decode()
    assert f'id="error_1_id_{field}"' in html
    assert html.index(f'name="{field}"') < html.index(f'id="error_1_id_{field}"')
    assert Client.objects.count() == 0
    assert not AuditEvent.objects.filter(action="create").exists()


def test_a_non_therapist_cannot_be_made_primary_therapist(as_desk, desk, client_form):
    response = as_desk.post("/clients/new/", client_form(desk))
    assert _errors(response, "primary_therapist")
    assert Client.objects.count() == 0


def test_a_deactivated_therapist_cannot_be_assigned(as_desk, treating, colleague, client_form):
    colleague.is_active = False
    colleague.save()
    response = as_desk.post("/clients/new/", client_form(colleague))
    assert _errors(response, "primary_therapist")
    assert Client.objects.count() == 0


def test_same_name_and_birth_date_warns_about_a_duplicate(as_desk, treating, make_client, client_form):
    existing = make_client(treating, first_name="Jordan", last_name="Avery", date_of_birth=date(1990, 4, 12))
    response = as_desk.post("/clients/new/", client_form(treating, first_name="JORDAN", last_name="avery "))
    assert response.status_code == 200
    assert response.context["duplicates"] == [existing]
    assert b'id="duplicate-warning"' in response.content
    assert Client.objects.count() == 1


def test_duplicate_is_created_only_when_the_admin_confirms(as_desk, treating, make_client, client_form):
    make_client(treating, first_name="Jordan", last_name="Avery", date_of_birth=date(1990, 4, 12))
    response = as_desk.post("/clients/new/", client_form(treating))
    assert response.status_code == 200
    response = as_desk.post("/clients/new/", client_form(treating, confirm_duplicate="1"))
    assert response.status_code == 302
    assert Client.objects.filter(first_name="Jordan", last_name="Avery").count() == 2


def test_same_name_with_another_birth_date_is_not_a_duplicate(as_desk, treating, make_client, client_form):
    make_client(treating, first_name="Jordan", last_name="Avery", date_of_birth=date(1970, 4, 12))
    response = as_desk.post("/clients/new/", client_form(treating))
    assert response.status_code == 302
    assert Client.objects.count() == 2


def test_therapist_gets_404(as_treating, treating, client_form):
    assert as_treating.get("/clients/new/").status_code == 404
    assert as_treating.post("/clients/new/", client_form(treating)).status_code == 404
    assert Client.objects.count() == 0


def test_anonymous_visitor_is_sent_to_login(anon, treating, client_form):
    response = anon.post("/clients/new/", client_form(treating))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert Client.objects.count() == 0


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_create_refuses_other_methods(as_desk, method):
    assert getattr(as_desk, method)("/clients/new/").status_code == 405
