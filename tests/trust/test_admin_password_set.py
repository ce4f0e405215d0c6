"""An admin setting another user's password: audited, the user told, and the
password a temporary one that signs in once and opens nothing but the
change-password page, so the admin cannot read clinical content as that user."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client as HttpClient

from audit.models import AuditEvent
from clinic.models import User
from tests.trust.conftest import login
from tests.trust.test_url_classification import ROUTES, _url
from trust.forms import TEMPORARY_PASSWORD_USED

pytestmark = pytest.mark.django_db

TEMPORARY = "Temporary-pass-4821!"
CHOSEN = "my own long passphrase 7"
CHANGE_URL = "/accounts/password/"


@pytest.fixture
def superuser(db):
    return User.objects.create_user(
        username="root",
        password="root-pass-1234!",
        email="root@clinic.example",
        is_staff=True,
        is_superuser=True,
        is_clinic_admin=True,
    )


@pytest.fixture
def as_superuser(superuser):
    http = HttpClient()
    http.force_login(superuser)
    return http


def _set_password(http, user, password=TEMPORARY):
    return http.post(
        f"/admin/clinic/user/{user.pk}/password/",
        {"password1": password, "password2": password, "usable_password": "true"},
    )


@pytest.fixture
def temporary(as_superuser, treating, django_capture_on_commit_callbacks):
    treating.email = "treating@clinic.example"
    treating.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _set_password(as_superuser, treating)
    assert response.status_code == 302
    treating.refresh_from_db()
    return treating


def test_setting_a_password_in_the_django_admin_is_audited_and_the_user_emailed(temporary, superuser):
    event = AuditEvent.objects.get(action="password_set")
    assert (event.actor_id, event.object_type, event.object_id) == (
        superuser.pk,
        "clinic.user",
        str(temporary.pk),
    )
    assert event.detail == {"via": "django-admin"}
    assert temporary.must_change_password is True
    assert [m.to for m in mail.outbox] == [["treating@clinic.example"]]
    assert "set a temporary password for your account" in mail.outbox[0].body
    assert TEMPORARY not in mail.outbox[0].body


def test_the_temporary_password_opens_only_the_change_page(temporary, world):
    http = HttpClient()
    response = login(http, "treating", TEMPORARY)
    assert response.status_code == 302
    assert response["Location"] == CHANGE_URL
    page = http.get(CHANGE_URL)
    assert page.status_code == 200
    assert "An admin (root) set a temporary password for your account" in page.content.decode()
    allowed = {"password_change", "logout", "admin_logout", "login", "otp_verify", "otp_setup", "healthz"}
    checked = 0
    for route, name in ROUTES:
        if name in allowed or name == "admin:logout":  # shadowed by admin_logout
            continue
        if route.startswith("c/"):  # the client's own view: no staff session is used there
            continue
        url = _url(route, name, world)
        response = http.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == CHANGE_URL, url
        assert http.post(url, {}).status_code == 302, url
        checked += 1
    assert checked > 80
    htmx = http.get("/", HTTP_HX_REQUEST="true")
    assert (htmx.status_code, htmx["HX-Redirect"]) == (401, CHANGE_URL)
    # No clinical read was audited for the treating therapist meanwhile.
    assert not AuditEvent.objects.filter(actor=temporary, action="view").exists()


def test_the_temporary_password_signs_in_once(temporary):
    assert login(HttpClient(), "treating", TEMPORARY).status_code == 302
    again = login(HttpClient(), "treating", TEMPORARY, ip="10.0.0.2")
    assert again.status_code == 200
    assert again.context["form"].errors["__all__"] == [TEMPORARY_PASSWORD_USED]
    assert AuditEvent.objects.filter(action="temporary_password_used", actor=temporary).count() == 1


def test_choosing_a_new_password_ends_the_restriction_and_retires_the_temporary_one(temporary):
    http = HttpClient()
    login(http, "treating", TEMPORARY)
    response = http.post(
        CHANGE_URL, {"old_password": TEMPORARY, "new_password1": CHOSEN, "new_password2": CHOSEN}
    )
    assert response.status_code == 302
    temporary.refresh_from_db()
    assert (temporary.must_change_password, temporary.temporary_password_used_at) == (False, None)
    assert http.get("/").status_code == 200
    event = AuditEvent.objects.filter(action="password_change", actor=temporary).get()
    assert event.detail == {"replaced_temporary": True}
    assert login(HttpClient(), "treating", TEMPORARY, ip="10.0.0.3").status_code == 200
    assert login(HttpClient(), "treating", CHOSEN, ip="10.0.0.3").status_code == 302


def test_a_wrong_current_password_changes_nothing(temporary):
    http = HttpClient()
    login(http, "treating", TEMPORARY)
    response = http.post(
        CHANGE_URL, {"old_password": "nope", "new_password1": CHOSEN, "new_password2": CHOSEN}
    )
    assert response.status_code == 200
    temporary.refresh_from_db()
    assert temporary.must_change_password is True
    assert temporary.check_password(TEMPORARY)


def test_an_admin_setting_their_own_password_there_is_an_ordinary_change(as_superuser, superuser):
    assert _set_password(as_superuser, superuser).status_code == 302
    superuser.refresh_from_db()
    assert superuser.must_change_password is False
    assert AuditEvent.objects.filter(action="password_change", actor=superuser).exists()
    assert not AuditEvent.objects.filter(action="password_set").exists()


def test_a_refused_password_form_changes_nothing(as_superuser, treating):
    response = _set_password(as_superuser, treating, password="short")
    assert response.status_code == 200
    treating.refresh_from_db()
    assert treating.must_change_password is False
    assert not AuditEvent.objects.filter(action="password_set").exists()


def test_a_user_created_by_an_admin_chooses_their_own_password_first(as_desk):
    response = as_desk.post(
        "/users/new/",
        {
            "username": "newbie",
            "first_name": "New",
            "last_name": "Person",
            "email": "",
            "credentials": "",
            "is_therapist": "on",
            "password": TEMPORARY,
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="newbie").must_change_password is True
    http = HttpClient()
    assert login(http, "newbie", TEMPORARY)["Location"] == CHANGE_URL
    assert "set up with a temporary password" in http.get(CHANGE_URL).content.decode()
