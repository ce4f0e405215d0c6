"""Server-side idle logoff, absolute lifetime and logout (SES-1..SES-5)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client as HttpClient

from audit.models import AuditEvent
from tests.trust.conftest import login

pytestmark = pytest.mark.django_db

MINUTE = 60


def _signed_in(clock, username="treating"):
    http = HttpClient()
    assert login(http, username).status_code == 302
    return http


def test_sessions_are_stored_server_side():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.SESSION_IDLE_SECONDS == 15 * MINUTE
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 3600


def test_signing_in_issues_a_new_session_id(treating):
    http = HttpClient()
    http.get("/accounts/login/")
    http.cookies[settings.SESSION_COOKIE_NAME] = "attacker-chosen-session-id"
    login(http, "treating")
    assert http.cookies[settings.SESSION_COOKIE_NAME].value != "attacker-chosen-session-id"


def test_fourteen_idle_minutes_keep_the_session(treating, clock):
    http = _signed_in(clock)
    clock.advance(14 * MINUTE)
    assert http.get("/ping").status_code == 200


def test_sixteen_idle_minutes_end_the_session_on_the_server(treating, clock):
    http = _signed_in(clock)
    key = http.session.session_key
    clock.advance(16 * MINUTE)
    response = http.get("/clients/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Session.objects.filter(session_key=key).exists()
    assert AuditEvent.objects.filter(action="session_timeout", actor=treating).exists()


def test_background_requests_do_not_keep_an_idle_session_alive(treating, clock):
    http = _signed_in(clock)
    for _ in range(20):  # autosave every minute for 20 minutes
        clock.advance(MINUTE)
        response = http.get("/ping", HTTP_X_KC_BACKGROUND="1", HTTP_HX_REQUEST="true")
        if response.status_code != 200:
            break
    # Cut off once 15 minutes passed since the last real request.
    assert response.status_code == 401
    assert response["HX-Redirect"].startswith("/accounts/login/")
    assert "_auth_user_id" not in http.session


def test_a_real_page_request_resets_the_idle_clock(treating, clock):
    http = _signed_in(clock)
    for _ in range(3):
        clock.advance(10 * MINUTE)
        assert http.get("/ping").status_code == 200
    clock.advance(10 * MINUTE)
    assert http.get("/ping", HTTP_X_KC_BACKGROUND="1").status_code == 200


def test_the_absolute_limit_ends_even_an_active_session(treating, clock):
    http = _signed_in(clock)
    for _ in range(12 * 12):  # a request every 5 minutes for 12 hours
        clock.advance(5 * MINUTE)
        http.get("/ping")
    clock.advance(5 * MINUTE)
    response = http.get("/ping")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert AuditEvent.objects.filter(action="session_timeout", detail__reason="absolute").exists()


def test_logout_destroys_the_session_and_the_old_cookie_gets_the_login_page(treating):
    http = HttpClient()
    login(http, "treating")
    old_cookie = http.cookies[settings.SESSION_COOKIE_NAME].value
    response = http.post("/accounts/logout/")
    assert response.status_code == 302
    assert "cache" in response["Clear-Site-Data"]
    assert AuditEvent.objects.filter(action="logout", actor=treating).exists()
    replay = HttpClient()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    assert replay.get("/clients/").status_code == 302


def test_logout_by_get_is_refused(treating):
    http = HttpClient()
    login(http, "treating")
    assert http.get("/accounts/logout/").status_code == 405
    assert http.get("/ping").status_code == 200


def test_a_password_change_needs_the_current_password_and_ends_other_sessions(treating):
    phone, desk_pc = HttpClient(), HttpClient()
    login(phone, "treating")
    login(desk_pc, "treating")
    new = "a long passphrase with spaces in it"
    refused = desk_pc.post(
        "/accounts/password/",
        {"old_password": "not-my-password", "new_password1": new, "new_password2": new},
    )
    assert refused.status_code == 200
    assert "old_password" in refused.context["form"].errors
    ok = desk_pc.post(
        "/accounts/password/",
        {"old_password": "test-pass-1234!", "new_password1": new, "new_password2": new},
    )
    assert ok.status_code == 302
    assert desk_pc.get("/ping").status_code == 200
    assert phone.get("/ping").status_code == 302
    assert AuditEvent.objects.filter(action="password_change", actor=treating).exists()


def test_deactivating_a_user_ends_their_sessions(treating):
    http = HttpClient()
    login(http, "treating")
    treating.is_active = False
    treating.save()
    assert http.get("/ping").status_code == 302
