"""TOTP two-factor sign-in: required for admins (including /admin/), offered to therapists (AUTH-3)."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from tests.trust.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def required(settings):
    settings.KC_ADMIN_2FA_REQUIRED = True


def _code(device: TOTPDevice, offset_steps: int = 0) -> str:
    """The code an authenticator app would show, now or some steps ahead."""
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits)
    generator.time = int(time.time()) + offset_steps * device.step
    return f"{generator.token():06d}"


def _enrol(http: HttpClient, user) -> list[str]:
    page = http.get("/accounts/2fa/")
    assert page.status_code == 200
    device = TOTPDevice(key=page.wsgi_request.session["kc_totp_pending_key"])
    response = http.post("/accounts/2fa/", {"otp_token": _code(device)})
    assert response.status_code == 200
    return response.context["codes"]


def test_the_setup_page_draws_the_qr_code_itself_as_svg(treating):
    http = HttpClient()
    login(http, "treating")
    page = http.get("/accounts/2fa/")
    body = page.content.decode()
    assert "<svg" in body
    assert "otpauth" not in body.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "https://" not in body.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")


def test_a_therapist_can_enrol_and_is_then_asked_for_a_code_at_sign_in(treating):
    http = HttpClient()
    login(http, "treating")
    codes = _enrol(http, treating)
    assert len(codes) == 10
    assert TOTPDevice.objects.get(user=treating).confirmed
    assert AuditEvent.objects.filter(action="mfa_enrol", actor=treating).exists()

    again = HttpClient()
    response = login(again, "treating")
    assert response["Location"].startswith("/accounts/2fa/verify/")
    assert again.get("/clients/").status_code == 302


def test_a_therapist_without_a_device_is_not_forced_to_enrol(treating, required):
    http = HttpClient()
    assert login(http, "treating")["Location"] == "/"
    assert http.get("/clients/").status_code == 200


def test_an_admin_with_the_password_only_reaches_nothing(desk, required):
    http = HttpClient()
    response = login(http, "desk")
    assert response["Location"].startswith("/accounts/2fa/")
    for path in ("/", "/clients/", "/users/", "/admin/", "/admin/clinic/client/"):
        response = http.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/2fa/"), path


def test_the_admin_site_login_page_is_not_a_bypass(desk, required):
    desk.is_staff = True
    desk.save()
    http = HttpClient()
    response = http.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    posted = http.post("/admin/login/", {"username": "desk", "password": "test-pass-1234!"})
    assert posted.status_code == 405
    assert "_auth_user_id" not in http.session


def test_an_admin_who_enrols_and_verifies_reaches_the_admin_site(desk, required):
    desk.is_staff = True
    desk.is_superuser = True
    desk.save()
    http = HttpClient()
    login(http, "desk")
    _enrol(http, desk)
    assert http.get("/admin/").status_code == 200
    assert http.get("/users/").status_code == 200


def test_a_totp_code_works_once_only(desk, required):
    http = HttpClient()
    login(http, "desk")
    _enrol(http, desk)
    device = TOTPDevice.objects.get(user=desk)
    code = _code(device, offset_steps=1)  # the next step, not yet used by enrolment
    first, second = HttpClient(), HttpClient()
    login(first, "desk")
    login(second, "desk")
    assert first.post("/accounts/2fa/verify/", {"otp_token": code})["Location"] == "/"
    replay = second.post("/accounts/2fa/verify/", {"otp_token": code})
    assert replay.status_code == 200
    assert second.get("/clients/").status_code == 302
    assert AuditEvent.objects.filter(action="mfa_fail", actor=desk).exists()


def test_a_recovery_code_works_once_only(desk, required):
    http = HttpClient()
    login(http, "desk")
    codes = _enrol(http, desk)
    first, second = HttpClient(), HttpClient()
    login(first, "desk")
    login(second, "desk")
    assert first.post("/accounts/2fa/verify/", {"otp_token": codes[0]}).status_code == 302
    assert first.get("/clients/").status_code == 200
    assert second.post("/accounts/2fa/verify/", {"otp_token": codes[0]}).status_code == 200
    assert StaticToken.objects.filter(token=codes[0]).count() == 0
    assert AuditEvent.objects.filter(action="mfa_verify", detail__method="recovery_code").count() == 1


def test_the_verify_page_only_redirects_to_local_addresses(treating):
    http = HttpClient()
    login(http, "treating")
    _enrol(http, treating)
    again = HttpClient()
    login(again, "treating")
    device = TOTPDevice.objects.get(user=treating)
    response = again.post(
        "/accounts/2fa/verify/?next=https://evil.example/", {"otp_token": _code(device, offset_steps=1)}
    )
    assert response["Location"] == "/"


def test_the_requirement_defaults_on_when_debug_is_off():
    import subprocess
    import sys

    env = {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "x" * 20 + "7Hq2-kP9_zR4@vW1!mN8#bT6$cY3&fJ5",
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-c", "from clinic import settings as s; print(s.KC_ADMIN_2FA_REQUIRED)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
        check=True,
    )
    assert out.stdout.strip() == "True"


def test_opening_the_setup_page_writes_no_device_and_a_wrong_code_saves_nothing(treating):
    http = HttpClient()
    login(http, "treating")
    http.get("/accounts/2fa/")
    response = http.post("/accounts/2fa/", {"otp_token": "000000"})
    assert response.status_code == 200
    assert "otp_token" in response.context["form"].errors
    assert not TOTPDevice.objects.exists()
