"""/users/: admins create accounts, change roles and deactivate; nobody is deleted."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from audit.models import AuditEvent
from clinic.models import User


def _edit_form(user: User, **overrides) -> dict:
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "credentials": user.credentials,
        "is_therapist": "on" if user.is_therapist else "",
        "is_clinic_admin": "on" if user.is_clinic_admin else "",
        "is_active": "on" if user.is_active else "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


NEW_USER = {
    "username": "jess",
    "first_name": "Jess",
    "last_name": "Moreau",
    "email": "jess@example.com",
    "credentials": "RMT",
    "is_therapist": "on",
    "password": "calf-raise-tempo-31",
}


def test_admin_lists_users(as_desk, treating, colleague):
    response = as_desk.get("/users/")
    assert response.status_code == 200
    assert b"treating" in response.content and b"colleague" in response.content


def test_admin_creates_a_therapist_with_a_working_password(as_desk, desk):
    response = as_desk.post("/users/new/", NEW_USER)
    assert response.status_code == 302
    jess = User.objects.get(username="jess")
    assert (jess.is_therapist, jess.is_clinic_admin, jess.credentials) == (True, False, "RMT")
    assert jess.check_password("calf-raise-tempo-31")
    event = AuditEvent.objects.get(action="user_create")
    assert (event.actor, event.object_id, event.detail) == (
        desk,
        str(jess.pk),
        {"therapist": True, "admin": False},
    )
    assert "calf-raise-tempo-31" not in str(event.detail)


@pytest.mark.parametrize(
    "field, value",
    [
        ("password", "short"),
        ("password", "password1234"),
        ("username", ""),
        ("username", "bad name!"),
        ("username", "treating"),
        ("email", "not-an-email"),
        ("credentials", "c" * 81),
    ],
)
def test_bad_input_on_create_is_refused_next_to_the_field(as_desk, treating, field, value):
    response = as_desk.post("/users/new/", {**NEW_USER, field: value})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert f'id="error_1_id_{field}"'.encode() in response.content
    assert not User.objects.filter(username="jess").exists()


def test_admin_changes_roles_and_the_change_is_audited_with_old_and_new_values(as_desk, desk, treating):
    response = as_desk.post(f"/users/{treating.pk}/", _edit_form(treating, is_clinic_admin="on"))
    assert response.status_code == 302
    treating.refresh_from_db()
    assert treating.is_clinic_admin and treating.is_therapist
    event = AuditEvent.objects.get(action="role_change")
    assert event.actor == desk
    assert event.object_id == str(treating.pk)
    assert event.detail == {"changed": {"is_clinic_admin": [False, True]}}


def test_editing_a_name_is_audited_as_an_update(as_desk, treating):
    as_desk.post(f"/users/{treating.pk}/", _edit_form(treating, first_name="Tess"))
    event = AuditEvent.objects.get(action="user_update")
    assert event.detail == {"changed": {"first_name": ["Treating", "Tess"]}}


def test_admin_deactivates_a_user_whose_sessions_then_end(as_desk, treating, as_treating, client_record):
    assert as_treating.get("/").status_code == 200
    response = as_desk.post(f"/users/{treating.pk}/", _edit_form(treating, is_active=""))
    assert response.status_code == 302
    treating.refresh_from_db()
    assert treating.is_active is False
    assert User.objects.filter(pk=treating.pk).exists()
    assert AuditEvent.objects.get(action="role_change").detail == {"changed": {"is_active": [True, False]}}
    # the deactivated therapist's open session no longer reaches anything
    response = as_treating.get(f"/clients/{client_record.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_deactivated_user_is_listed_as_deactivated(as_desk, treating):
    as_desk.post(f"/users/{treating.pk}/", _edit_form(treating, is_active=""))
    assert b"Deactivated" in as_desk.get("/users/").content


def test_admin_cannot_remove_their_own_admin_role(as_desk, desk):
    response = as_desk.post(f"/users/{desk.pk}/", _edit_form(desk, is_clinic_admin="", is_therapist="on"))
    assert response.status_code == 200
    assert response.context["form"].errors["is_clinic_admin"] == ["You cannot remove your own admin role."]
    assert b'id="error_1_id_is_clinic_admin"' in response.content
    desk.refresh_from_db()
    assert desk.is_clinic_admin and not desk.is_therapist
    assert not AuditEvent.objects.filter(action="role_change").exists()


def test_admin_cannot_deactivate_themselves(as_desk, desk):
    response = as_desk.post(f"/users/{desk.pk}/", _edit_form(desk, is_active=""))
    assert response.context["form"].errors["is_active"] == ["You cannot deactivate your own account."]
    desk.refresh_from_db()
    assert desk.is_active


def test_admin_may_change_their_own_name(as_desk, desk):
    assert as_desk.post(f"/users/{desk.pk}/", _edit_form(desk, last_name="Front")).status_code == 302
    desk.refresh_from_db()
    assert desk.last_name == "Front"


def test_the_service_also_refuses_self_demotion(desk):
    from clinic import services

    with pytest.raises(services.SelfLockout):
        services.user_update(user=desk, by=desk, data={"is_clinic_admin": False})
    desk.refresh_from_db()
    assert desk.is_clinic_admin


def test_another_admin_may_remove_an_admin_role(as_owner, desk):
    as_owner.post(f"/users/{desk.pk}/", _edit_form(desk, is_clinic_admin="", is_therapist="on"))
    desk.refresh_from_db()
    assert (desk.is_clinic_admin, desk.is_therapist) == (False, True)


@pytest.mark.parametrize("url", ["/users/", "/users/new/", "/users/{pk}/"])
def test_therapist_gets_404_on_user_management(as_treating, colleague, url):
    assert as_treating.get(url.format(pk=colleague.pk)).status_code == 404


def test_therapist_cannot_change_roles_by_posting(as_treating, treating):
    response = as_treating.post(f"/users/{treating.pk}/", _edit_form(treating, is_clinic_admin="on"))
    assert response.status_code == 404
    treating.refresh_from_db()
    assert not treating.is_clinic_admin


def test_unknown_user_gets_404(as_desk):
    assert as_desk.get("/users/424242/").status_code == 404


@pytest.mark.parametrize("url", ["/users/", "/users/new/"])
def test_anonymous_visitor_is_sent_to_login(anon, db, url):
    response = anon.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "method, url", [("post", "/users/"), ("delete", "/users/{pk}/"), ("put", "/users/new/")]
)
def test_user_pages_refuse_other_methods(as_desk, treating, method, url):
    assert getattr(as_desk, method)(url.format(pk=treating.pk)).status_code == 405
    assert User.objects.filter(pk=treating.pk).exists()


def test_there_is_no_delete_path_for_users(treating):
    with pytest.raises(NoReverseMatch):
        reverse("user_delete", args=[treating.pk])
