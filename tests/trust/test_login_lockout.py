"""Brute-force lockout by (username, IP) with time-based unlock (AUTH-4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client as HttpClient

from audit.models import AuditEvent
from tests.trust.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db


def _fail(http, username, n, ip="10.0.0.1", **extra):
    return [login(http, username, "wrong-password", ip=ip, **extra).status_code for _ in range(n)]


def test_lockout_settings_key_on_username_and_ip_with_a_cool_off():
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert timedelta(minutes=1) <= settings.AXES_COOLOFF_TIME
    assert settings.AXES_FAILURE_LIMIT <= 10


def test_correct_password_signs_in_and_is_audited(treating):
    http = HttpClient()
    response = login(http, "treating")
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="login").get()
    assert event.actor_id == treating.pk
    assert event.ip == "10.0.0.1"


def test_after_the_failure_limit_even_the_right_password_is_refused(treating):
    http = HttpClient()
    limit = settings.AXES_FAILURE_LIMIT
    statuses = _fail(http, "treating", limit)
    assert statuses[:-1] == [200] * (limit - 1)
    response = login(http, "treating", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in http.session
    assert AuditEvent.objects.filter(action="login_failed", outcome="denied").count() == limit - 1
    assert AuditEvent.objects.filter(action="lockout", outcome="denied").exists()


def test_the_lock_lifts_by_itself_after_the_cool_off(treating):
    http = HttpClient()
    _fail(http, "treating", settings.AXES_FAILURE_LIMIT)
    assert login(http, "treating").status_code == 429
    # Let the cool-off elapse: every recorded attempt moves into the past.
    past = AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=past)
    response = login(http, "treating")
    assert response.status_code == 302
    assert http.session["_auth_user_id"] == str(treating.pk)


def test_failures_from_another_address_do_not_lock_the_user_out_here(treating):
    attacker = HttpClient()
    _fail(attacker, "treating", settings.AXES_FAILURE_LIMIT + 2, ip="203.0.113.9")
    assert login(attacker, "treating", ip="203.0.113.9").status_code == 429
    clinic_pc = HttpClient()
    assert login(clinic_pc, "treating", ip="10.0.0.1").status_code == 302


def test_a_forged_x_forwarded_for_does_not_reset_the_counter(treating):
    http = HttpClient()
    for n in range(20):
        login(http, "treating", "wrong-password", ip="198.51.100.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    response = login(http, "treating", ip="198.51.100.7", HTTP_X_FORWARDED_FOR="192.0.2.250")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}
    assert set(AuditEvent.objects.exclude(ip=None).values_list("ip", flat=True)) == {"198.51.100.7"}


def test_unknown_user_and_wrong_password_get_the_same_answer(treating):
    unknown = login(HttpClient(), "nobody-here", "wrong-password")
    wrong = login(HttpClient(), "treating", "wrong-password")
    assert unknown.status_code == wrong.status_code == 200
    assert unknown.context["form"].errors == wrong.context["form"].errors


def test_a_control_character_in_a_typed_username_is_not_logged_raw(treating):
    login(HttpClient(), "evil\nadmin logged in", "wrong-password")
    event = AuditEvent.objects.get(action="login_failed")
    assert "\n" not in event.detail["username"]
    assert event.detail["username"].startswith("evil?admin")


def test_no_password_ends_up_in_the_audit_log(treating):
    http = HttpClient()
    login(http, "treating", "Sup3r-secret-guess")
    login(http, "treating")
    dump = " ".join(str(e.detail) for e in AuditEvent.objects.all())
    assert "Sup3r-secret-guess" not in dump
    assert PASSWORD not in dump


def test_one_address_spraying_many_usernames_hits_the_hourly_ceiling(settings, treating):
    settings.KC_LOGIN_IP_HOURLY_LIMIT = 10
    sprayer = HttpClient()
    for n in range(10):
        assert login(sprayer, f"user{n}", "Summer2026!", ip="203.0.113.50").status_code == 200
    response = login(sprayer, "treating", ip="203.0.113.50")
    assert response.status_code == 429
    assert AuditEvent.objects.filter(action="lockout", detail__scope="ip").exists()
    assert login(HttpClient(), "treating", ip="10.0.0.1").status_code == 302  # other addresses unaffected
