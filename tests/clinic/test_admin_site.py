"""The Django admin: useful lists for demographics and users; nothing clinical,
nothing deletable, and client writes kept in the app where they are audited."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client as HttpClient
from django.test import RequestFactory

from audit.models import AuditEvent
from clinic.models import Client, ClinicProfile, User


@pytest.fixture
def superuser(db):
    return User.objects.create_user(
        username="root", password="root-pass-1234!", is_staff=True, is_superuser=True, is_clinic_admin=True
    )


@pytest.fixture
def as_superuser(superuser):
    http = HttpClient()
    http.force_login(superuser)
    return http


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_clinical_models_are_not_registered():
    registered = {model._meta.label for model in admin.site._registry}
    assert {"clinic.HealthScreen", "clinic.ScreenAnswer", "clinic.Consent"}.isdisjoint(registered)
    assert not any(label.split(".")[0] in {"assessments", "notes", "programs"} for label in registered)


@pytest.mark.parametrize("model", [User, Client, ClinicProfile, AuditEvent])
def test_nothing_can_be_deleted_in_the_admin(superuser, model):
    assert admin.site._registry[model].has_delete_permission(_request(superuser)) is False


@pytest.mark.parametrize("model", [Client, ClinicProfile, AuditEvent])
def test_clients_profile_and_audit_are_read_only_in_the_admin(superuser, model):
    model_admin = admin.site._registry[model]
    assert model_admin.has_add_permission(_request(superuser)) is False
    assert model_admin.has_change_permission(_request(superuser)) is False


def test_client_changelist_searches_and_filters(as_superuser, client_record, make_client, colleague):
    make_client(colleague, first_name="Other", last_name="Person")
    response = as_superuser.get("/admin/clinic/client/", {"q": "raman"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    response = as_superuser.get("/admin/clinic/client/", {"primary_therapist__id__exact": colleague.pk})
    assert response.context["cl"].result_count == 1
    model_admin = admin.site._registry[Client]
    assert {"first_name", "last_name", "email", "phone"} <= set(model_admin.search_fields)
    assert {"status", "primary_therapist"} <= set(model_admin.list_filter)


def test_user_changelist_searches_and_filters(as_superuser, treating, colleague, desk):
    response = as_superuser.get("/admin/clinic/user/", {"is_therapist__exact": "1"})
    assert response.status_code == 200
    assert {u.username for u in response.context["cl"].result_list} == {"treating", "colleague"}


def test_role_change_made_in_the_admin_is_audited(as_superuser, superuser, treating):
    page = as_superuser.get(f"/admin/clinic/user/{treating.pk}/change/")
    form = page.context["adminform"].form
    data = {
        k: v for k, v in form.initial.items() if v is not None and k not in ("groups", "user_permissions")
    }
    data.update(
        {
            "is_clinic_admin": "on",
            "is_therapist": "on",
            "is_active": "on",
            "date_joined_0": treating.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": treating.date_joined.strftime("%H:%M:%S"),
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data.pop("is_staff", None)
    data.pop("is_superuser", None)
    response = as_superuser.post(f"/admin/clinic/user/{treating.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    treating.refresh_from_db()
    assert treating.is_clinic_admin
    event = AuditEvent.objects.get(action="role_change")
    assert event.actor == superuser
    assert event.detail["changed"] == {"is_clinic_admin": [False, True]}


def test_therapist_cannot_open_the_admin(as_treating):
    response = as_treating.get("/admin/")
    assert response.status_code == 302
    assert "login" in response["Location"]
