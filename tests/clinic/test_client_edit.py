"""/clients/<id>/edit/: care-team therapists and admins edit details; only admins
assign therapists; a stale form never overwrites a newer save."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from clinic import services
from clinic.models import Client


def _form(client, **overrides) -> dict:
    data = {
        "first_name": client.first_name,
        "last_name": client.last_name,
        "preferred_name": client.preferred_name,
        "date_of_birth": client.date_of_birth.isoformat(),
        "sex": client.sex,
        "email": client.email,
        "phone": client.phone,
        "involved_side": client.involved_side,
        "primary_therapist": str(client.primary_therapist_id),
        "care_team": [str(m.pk) for m in client.care_team.all()],
        "version": str(client.version),
    }
    data.update(overrides)
    return data


def test_treating_therapist_edits_contact_details(as_treating, treating, client_record):
    response = as_treating.post(
        f"/clients/{client_record.pk}/edit/", _form(client_record, phone="07700 900999", sports="Hiking")
    )
    assert response.status_code == 302
    client_record.refresh_from_db()
    assert client_record.phone == "07700 900999"
    assert client_record.sports == "Hiking"
    assert client_record.version == 2
    event = AuditEvent.objects.filter(action="update", client_id=client_record.pk).latest("id")
    assert event.actor == treating
    assert set(event.detail["fields"]) == {"phone", "sports"}


def test_therapist_form_has_no_care_team_fields_and_cannot_reassign(
    as_treating, treating, colleague, client_record
):
    page = as_treating.get(f"/clients/{client_record.pk}/edit/")
    assert b'name="care_team"' not in page.content
    assert b'name="primary_therapist"' not in page.content
    as_treating.post(
        f"/clients/{client_record.pk}/edit/",
        _form(client_record, primary_therapist=str(colleague.pk), care_team=[str(colleague.pk)]),
    )
    client_record.refresh_from_db()
    assert client_record.primary_therapist == treating
    assert list(client_record.care_team.all()) == [treating]


def test_admin_assigns_another_therapist_to_the_care_team(as_desk, treating, colleague, client_record):
    response = as_desk.post(
        f"/clients/{client_record.pk}/edit/",
        _form(client_record, care_team=[str(treating.pk), str(colleague.pk)]),
    )
    assert response.status_code == 302
    assert set(client_record.care_team.all()) == {treating, colleague}


def test_admin_hands_the_client_to_another_therapist(as_desk, treating, colleague, client_record):
    as_desk.post(
        f"/clients/{client_record.pk}/edit/",
        _form(client_record, primary_therapist=str(colleague.pk), care_team=[]),
    )
    client_record.refresh_from_db()
    assert client_record.primary_therapist == colleague
    assert list(client_record.care_team.all()) == [colleague]


def test_stale_version_is_refused_with_a_clear_conflict_and_nothing_is_overwritten(
    as_treating, as_desk, client_record
):
    opened_at = _form(client_record)  # both open the form at version 1
    first = as_desk.post(f"/clients/{client_record.pk}/edit/", {**opened_at, "phone": "111"})
    assert first.status_code == 302
    second = as_treating.post(f"/clients/{client_record.pk}/edit/", {**opened_at, "phone": "222"})
    assert second.status_code == 409
    assert "Someone else saved this record after you opened it" in second.content.decode()
    assert b"Reload the latest version" in second.content
    client_record.refresh_from_db()
    assert client_record.phone == "111"
    assert client_record.version == 2


def test_missing_version_is_treated_as_stale(as_treating, client_record):
    data = _form(client_record, phone="333")
    del data["version"]
    response = as_treating.post(f"/clients/{client_record.pk}/edit/", data)
    assert response.status_code == 409
    client_record.refresh_from_db()
    assert client_record.phone == "07700 900123"


@pytest.mark.parametrize(
    "field, value",
    [("email", "nope"), ("date_of_birth", "2999-01-01"), ("last_name", ""), ("occupation", "x" * 121)],
)
def test_bad_input_shows_the_error_by_the_field_and_saves_nothing(as_treating, client_record, field, value):
    response = as_treating.post(f"/clients/{client_record.pk}/edit/", _form(client_record, **{field: value}))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert f'id="error_1_id_{field}"'.encode() in response.content
    fresh = Client.objects.get(pk=client_record.pk)
    assert (fresh.version, fresh.last_name, fresh.email) == (1, "Raman", "priya@example.com")


def test_colleague_gets_404(as_colleague, client_record):
    assert as_colleague.get(f"/clients/{client_record.pk}/edit/").status_code == 404
    response = as_colleague.post(f"/clients/{client_record.pk}/edit/", _form(client_record, phone="0"))
    assert response.status_code == 404
    client_record.refresh_from_db()
    assert client_record.phone == "07700 900123"


def test_anonymous_visitor_is_sent_to_login(anon, client_record):
    response = anon.post(f"/clients/{client_record.pk}/edit/", _form(client_record, phone="0"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_edit_refuses_other_methods(as_treating, client_record, method):
    assert getattr(as_treating, method)(f"/clients/{client_record.pk}/edit/").status_code == 405


def test_service_refuses_a_non_therapist_on_the_care_team(desk, client_record):
    with pytest.raises(services.ValidationError):
        services.client_update(
            client=client_record, by=desk, data={}, version=client_record.version, care_team=[desk]
        )
    assert desk not in client_record.care_team.all()
