"""Hypothesis throws arbitrary text at every form: no input produces a 500,
and a rejected form saves nothing."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.forms import ClientForm
from clinic.models import Client, HealthScreen
from clinic.screening import QUESTIONS

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
text = st.text(max_size=300)  # any unicode, control characters and NUL included
maybe_text = st.one_of(st.none(), text, st.sampled_from(["", "0", "-1", "9" * 30, "1980-02-30", "🦶" * 50]))


def _post(http: HttpClient, path: str, data: dict) -> int:
    payload = {k: v for k, v in data.items() if v is not None}
    response = http.post(path, payload)
    assert response.status_code < 500, (path, payload)
    return response.status_code


def _get(http: HttpClient, path: str, data: dict) -> int:
    response = http.get(path, {k: v for k, v in data.items() if v is not None})
    assert response.status_code < 500, (path, data)
    return response.status_code


CLIENT_FIELDS = list(ClientForm.base_fields) + ["version", "care_team"]


@FUZZ
@given(st.fixed_dictionaries({name: maybe_text for name in CLIENT_FIELDS}))
def test_the_new_client_form_never_fails(as_desk, data):
    before = Client.objects.count()
    if _post(as_desk, "/clients/new/", data) == 200:
        assert Client.objects.count() == before  # re-shown with errors: nothing saved


@FUZZ
@given(st.fixed_dictionaries({name: maybe_text for name in CLIENT_FIELDS}))
def test_the_client_edit_form_never_fails(as_treating, client_record, data):
    _post(as_treating, f"/clients/{client_record.pk}/edit/", data)


INTAKE_FIELDS = ["medications", "notes", "consent_given"] + [
    f"{prefix}_{q.code}" for q in QUESTIONS for prefix in ("q", "d")
]


@FUZZ
@given(st.fixed_dictionaries({name: maybe_text for name in INTAKE_FIELDS}))
def test_the_intake_form_never_fails(as_treating, client_record, data):
    before = HealthScreen.objects.count()
    if _post(as_treating, f"/clients/{client_record.pk}/intake/", data) == 200:
        assert HealthScreen.objects.count() == before


USER_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "credentials",
    "is_therapist",
    "is_clinic_admin",
]


@FUZZ
@given(st.fixed_dictionaries({name: maybe_text for name in USER_FIELDS + ["password", "is_active"]}))
def test_the_user_forms_never_fail(as_desk, treating, data):
    _post(as_desk, "/users/new/", data)
    _post(as_desk, f"/users/{treating.pk}/", data)


@FUZZ
@given(st.fixed_dictionaries({"username": maybe_text, "password": maybe_text}))
def test_the_login_form_never_fails(treating, data):
    _post(HttpClient(), "/accounts/login/", data)


@FUZZ
@given(st.fixed_dictionaries({"otp_token": maybe_text, "next": maybe_text}))
def test_the_two_factor_forms_never_fail(as_treating, data):
    _post(as_treating, "/accounts/2fa/", data)


@FUZZ
@given(st.fixed_dictionaries({k: maybe_text for k in ("old_password", "new_password1", "new_password2")}))
def test_the_password_change_form_never_fails(treating, data):
    http = HttpClient()
    http.force_login(treating)
    _post(http, "/accounts/password/", data)


@FUZZ
@given(
    st.fixed_dictionaries(
        {k: maybe_text for k in ("client", "user", "action", "date_from", "date_to", "order", "page")}
    )
)
def test_the_audit_filters_never_fail(as_desk, data):
    _get(as_desk, "/audit/", data)
    _get(as_desk, "/audit/export.csv", data)


@FUZZ
@given(st.fixed_dictionaries({k: maybe_text for k in ("q", "therapist", "status", "page")}))
def test_the_client_search_never_fails(as_treating, data):
    _get(as_treating, "/clients/", data)


@FUZZ
@given(
    st.fixed_dictionaries(
        {k: maybe_text for k in ("name", "address", "phone", "email", "website", "paper_size")}
    )
)
def test_the_clinic_profile_form_never_fails(as_desk, data):
    _post(as_desk, "/clinic/profile/", data)
