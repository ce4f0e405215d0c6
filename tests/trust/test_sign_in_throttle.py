"""Per-account sign-in throttle across addresses: guessing at one account from
many addresses is slowed, the account and the admins are told, and no stranger
can lock a colleague out (the right password works after the wait, and at once
from a browser the account has used before)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import Client as HttpClient
from django.utils import timezone

from audit.models import AuditEvent
from tests.trust.conftest import login
from trust import throttle
from trust.models import SignInThrottle

pytestmark = pytest.mark.django_db

ADDRESSES = [f"198.51.100.{n}" for n in range(1, 13)]


class CountingHasher(MD5PasswordHasher):
    """Counts every time a password is hashed or checked."""

    algorithm = "counting_md5"
    calls = 0

    def encode(self, password, salt):
        type(self).calls += 1
        return super().encode(password, salt)


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.trust.test_sign_in_throttle.CountingHasher"]
    CountingHasher.calls = 0
    return CountingHasher


@pytest.fixture(autouse=True)
def throttle_settings(settings):
    settings.KC_LOGIN_ACCOUNT_FREE_FAILURES = 5
    settings.KC_LOGIN_ACCOUNT_DELAY_SECONDS = 30
    settings.KC_LOGIN_ACCOUNT_MAX_DELAY_SECONDS = 900
    settings.KC_LOGIN_ACCOUNT_WINDOW_MINUTES = 60


@pytest.fixture
def emailed(treating, desk):
    treating.email = "treating@clinic.example"
    treating.save(update_fields=["email"])
    desk.email = "desk@clinic.example"
    desk.save(update_fields=["email"])
    return treating


def _let_the_wait_pass(username="treating"):
    row = SignInThrottle.objects.get(username=username)
    assert row.next_attempt_at is not None
    row.next_attempt_at = timezone.now() - timedelta(seconds=1)
    row.save(update_fields=["next_attempt_at"])


def _spray(username="treating", per_address=4):
    """The reported attack: 4 wrong passwords from each of 12 addresses (48), each
    address staying under django-axes' per-address limit."""
    return [
        login(HttpClient(), username, f"guess-{ip}-{n}", ip=ip).status_code
        for ip in ADDRESSES
        for n in range(per_address)
    ]


def test_48_wrong_passwords_from_12_addresses_are_slowed_after_the_free_ones(treating, counting_hasher):
    statuses = _spray()
    assert statuses[:5] == [200] * 5  # the free attempts: password checked, refused
    assert statuses[5:] == [429] * 43  # then refused during the wait
    # Refused attempts never reach the password hasher.
    assert counting_hasher.calls == 5
    row = SignInThrottle.objects.get(username="treating")
    assert row.failures == 5
    assert AuditEvent.objects.filter(action="login_throttled", outcome="denied").count() == 43
    # The right password from yet another address waits too (same answer).
    response = login(HttpClient(), "treating", ip="192.0.2.77")
    assert response.status_code == 429
    assert int(response["Retry-After"]) <= 30
    assert "_auth_user_id" not in HttpClient().session


def test_the_right_password_works_after_the_wait(treating):
    _spray()
    _let_the_wait_pass()
    http = HttpClient()
    response = login(http, "treating", ip="192.0.2.77")
    assert response.status_code == 302
    assert http.session["_auth_user_id"] == str(treating.pk)
    # A success from a new browser ends the run.
    row = SignInThrottle.objects.get(username="treating")
    assert (row.failures, row.next_attempt_at) == (0, None)


def test_attempts_during_the_wait_do_not_lengthen_it(treating):
    _spray(per_address=1)  # 12 attempts: 5 checked, 7 refused
    row = SignInThrottle.objects.get(username="treating")
    before = row.next_attempt_at
    for ip in ADDRESSES:
        assert login(HttpClient(), "treating", "another-guess", ip=ip).status_code == 429
    row.refresh_from_db()
    assert row.next_attempt_at == before
    assert row.failures == 5


def test_each_failure_after_the_wait_doubles_it_up_to_the_ceiling(treating):
    _spray(per_address=1)
    waits = []
    for n in range(8):
        _let_the_wait_pass()
        assert login(HttpClient(), "treating", "wrong-again", ip=f"192.0.2.{n}").status_code == 200
        row = SignInThrottle.objects.get(username="treating")
        waits.append(round((row.next_attempt_at - row.last_failure_at).total_seconds()))
    assert waits == [60, 120, 240, 480, 900, 900, 900, 900]
    assert [throttle.delay_after(n) for n in range(4, 8)] == [0, 30, 60, 120]


def test_a_stranger_cannot_keep_the_user_out_of_a_browser_they_have_used(treating):
    clinic_pc = HttpClient()
    assert login(clinic_pc, "treating").status_code == 302
    clinic_pc.post("/accounts/logout/")
    # A stranger keeps guessing from many addresses, for as long as they like.
    for _ in range(3):
        _spray(per_address=2)
        _let_the_wait_pass()
    assert login(HttpClient(), "treating", ip="192.0.2.9").status_code in (200, 302, 429)
    # The therapist's own computer is not slowed, with the right password.
    response = login(clinic_pc, "treating", ip="10.0.0.1")
    assert response.status_code == 302
    assert clinic_pc.session["_auth_user_id"] == str(treating.pk)


def test_a_forged_or_foreign_device_cookie_does_not_exempt(treating, colleague):
    _spray()
    forged = HttpClient()
    forged.cookies[throttle.device_cookie_name()] = "treating"
    assert login(forged, "treating", ip="192.0.2.3").status_code == 429
    other = HttpClient()
    assert login(other, "colleague").status_code == 302  # known for colleague, not for treating
    other.post("/accounts/logout/")
    assert login(other, "treating", ip="192.0.2.4").status_code == 429


def test_guessing_from_a_known_browser_loses_its_exemption(treating):
    stolen = HttpClient()
    assert login(stolen, "treating").status_code == 302
    stolen.post("/accounts/logout/")
    statuses = [login(stolen, "treating", "wrong", ip=ip).status_code for ip in ADDRESSES[:8]]
    assert statuses[:5] == [200] * 5
    assert statuses[5:] == [429] * 3


def test_only_one_attempt_gets_through_each_time_the_wait_ends(treating):
    _spray(per_address=1)
    _let_the_wait_pass()
    # Two servers asking at the same moment: one takes the slot, the other waits.
    assert throttle.seconds_to_wait("treating", known_device=False) == 0
    assert throttle.seconds_to_wait("treating", known_device=False) > 0


def test_a_quiet_hour_ends_the_run(treating):
    _spray(per_address=1)
    SignInThrottle.objects.filter(username="treating").update(
        last_failure_at=timezone.now() - timedelta(minutes=61)
    )
    assert login(HttpClient(), "treating", "wrong", ip="192.0.2.5").status_code == 200
    assert SignInThrottle.objects.get(username="treating").failures == 1


def test_unknown_and_real_account_names_are_throttled_alike(treating):
    real = _spray("treating", per_address=1)
    made_up = _spray("nobody-here", per_address=1)
    assert real == made_up
    a = login(HttpClient(), "treating", "x", ip="192.0.2.8")
    b = login(HttpClient(), "nobody-here", "x", ip="192.0.2.8")
    assert a.status_code == b.status_code == 429
    assert re.sub(r"\d+", "N", a.context["throttle_message"]) == re.sub(
        r"\d+", "N", b.context["throttle_message"]
    )


def test_the_account_and_the_admins_are_emailed_once_per_run(
    emailed, desk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _spray()
    to = sorted(tuple(m.to) for m in mail.outbox)
    assert to == [("desk@clinic.example",), ("treating@clinic.example",)]
    to_user = next(m for m in mail.outbox if m.to == ["treating@clinic.example"])
    assert "5 failed attempts to sign in to your account since" in to_user.body
    assert "guess-" not in to_user.body  # no typed password ever leaves the server


def test_made_up_names_email_nobody(emailed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _spray("nobody-here")
    assert mail.outbox == []


def test_the_account_is_told_at_its_next_sign_in(treating):
    _spray(per_address=1)  # 12 attempts, 5 checked
    for n in range(9):
        _let_the_wait_pass()
        assert login(HttpClient(), "treating", "wrong", ip=f"192.0.2.{n}").status_code == 200
    _let_the_wait_pass()
    http = HttpClient()
    response = login(http, "treating", ip="10.0.0.1")
    assert response.status_code == 302
    page = http.get("/")
    text = page.content.decode()
    assert "There were 14 failed attempts to sign in to your account since" in text
    # Told once.
    http.post("/accounts/logout/")
    login(http, "treating", ip="10.0.0.1")
    assert "failed attempts to sign in" not in http.get("/").content.decode()


def test_the_admins_home_page_shows_slowed_accounts(treating, as_desk, as_treating):
    _spray()
    _spray("nobody-here", per_address=2)
    page = as_desk.get("/").content.decode()
    assert 'id="sign-in-slowed"' in page
    assert "treating: 5 failed attempts" in page
    assert "nobody-here (no such account)" in page
    assert 'id="sign-in-slowed"' not in as_treating.get("/").content.decode()


def test_the_admins_home_page_notices_cost_three_queries(desk, as_desk, django_assert_num_queries):
    from trust.notices import admin_security_notices

    _spray()
    with django_assert_num_queries(3):
        notices = admin_security_notices()
    assert [row["username"] for row in notices["slowed"]] == ["treating"]


# --- the same answer and the same work for unknown names ------------------------------


def test_unknown_and_existing_names_get_the_same_message(treating):
    unknown = login(HttpClient(), "nobody-here", "wrong-password")
    wrong = login(HttpClient(), "treating", "wrong-password")
    assert unknown.status_code == wrong.status_code == 200
    assert unknown.context["form"].errors == wrong.context["form"].errors


def test_the_password_hasher_runs_for_unknown_names(treating, counting_hasher):
    login(HttpClient(), "nobody-here", "wrong-password")
    unknown_calls = counting_hasher.calls
    counting_hasher.calls = 0
    login(HttpClient(), "treating", "wrong-password")
    assert unknown_calls == counting_hasher.calls == 1


def test_names_quiet_for_months_are_forgotten(treating):
    login(HttpClient(), "made-up-name", "wrong", ip="192.0.2.10")
    SignInThrottle.objects.filter(username="made-up-name").update(
        last_failure_at=timezone.now() - timedelta(days=throttle.FORGET_AFTER_DAYS + 1)
    )
    login(HttpClient(), "treating", "wrong", ip="192.0.2.11")
    assert list(SignInThrottle.objects.values_list("username", flat=True)) == ["treating"]


@pytest.mark.django_db
def test_a_nul_in_the_account_name_is_refused_like_any_wrong_name():
    """PostgreSQL text cannot hold a NUL: the throttle's lookup must not send one."""
    for password in ("", "wrong-password-1234"):
        response = HttpClient().post("/accounts/login/", {"username": "a\x00b", "password": password})
        assert response.status_code in (200, 400)
    assert throttle.account_key("A\x00b ") == "a\ufffdb"
