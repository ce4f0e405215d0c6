"""Security headers, CSP without inline script, no-store on client data, and the
production settings that `check --deploy` demands (IO-2, SES-6/7, CFG-1..3)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

BASE = Path(settings.BASE_DIR)


def _csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


class ScriptAudit(HTMLParser):
    """Collects inline scripts and inline event-handler attributes."""

    def __init__(self):
        super().__init__()
        self.inline_scripts: list[str] = []
        self.handlers: list[str] = []
        self._in_script = False
        self._script_type = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.handlers += [f"{tag}.{name}" for name in attrs if name.startswith("on")]
        if tag == "script":
            self._in_script = "src" not in attrs
            self._script_type = attrs.get("type", "")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip() and self._script_type != "application/json":
            self.inline_scripts.append(data.strip()[:80])


def _assert_no_inline_script(html: str):
    audit = ScriptAudit()
    audit.feed(html)
    assert audit.inline_scripts == []
    assert audit.handlers == []


@pytest.mark.parametrize("who", ["anon", "as_treating", "as_desk"])
def test_every_response_carries_a_strict_csp(request, who, client_record):
    http = request.getfixturevalue(who)
    for path in ("/accounts/login/", "/", "/clients/", f"/clients/{client_record.pk}/", "/no-such-page/"):
        response = http.get(path)
        csp = _csp(response)
        assert csp["object-src"] == "object-src 'none'", path
        assert csp["base-uri"] == "base-uri 'none'", path
        assert csp["frame-ancestors"] == "frame-ancestors 'none'", path
        assert "'unsafe-inline'" not in csp["script-src"], path
        assert "'unsafe-inline'" not in csp["style-src"], path


def test_the_admin_site_gets_the_csp_too(owner):
    from django.test import Client as HttpClient

    owner.is_staff = owner.is_superuser = True
    owner.save()
    http = HttpClient()
    http.force_login(owner)
    response = http.get("/admin/clinic/client/")
    assert response.status_code == 200
    assert "object-src 'none'" in response["Content-Security-Policy"]
    _assert_no_inline_script(response.content.decode())


def test_pages_have_no_inline_script_and_turn_off_htmx_inline_styles(as_treating, anon, client_record):
    login_page = anon.get("/accounts/login/").content.decode()
    _assert_no_inline_script(login_page)
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in login_page
    for path in ("/", "/clients/", f"/clients/{client_record.pk}/", "/accounts/2fa/"):
        _assert_no_inline_script(as_treating.get(path).content.decode())


def test_templates_hold_no_inline_script():
    offenders = []
    for template in (BASE / "templates").rglob("*.html"):
        audit = ScriptAudit()
        audit.feed(template.read_text())
        if audit.inline_scripts or audit.handlers:
            offenders.append(str(template.relative_to(BASE)))
    assert offenders == []


def test_framing_sniffing_and_referrer_headers(as_treating, client_record):
    response = as_treating.get(f"/clients/{client_record.pk}/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_client_data_pages_are_not_cached(as_treating, as_desk, client_record):
    for http, path in (
        (as_treating, f"/clients/{client_record.pk}/"),
        (as_treating, "/clients/"),
        (as_desk, f"/clients/{client_record.pk}/edit/"),
        (as_desk, "/audit/"),
        (as_desk, "/audit/export.csv"),
    ):
        assert "no-store" in http.get(path)["Cache-Control"], path


def _production_env(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KC_"))}
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="clinic.example",
        **extra,
    )
    return env


def test_check_deploy_passes_with_the_documented_production_environment():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE,
        env=_production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_turn_on_https_only_cookies_and_hsts():
    code = (
        "import json; from clinic import settings as s; print(json.dumps({k: getattr(s, k) for k in ("
        "'SECURE_HSTS_SECONDS','SECURE_SSL_REDIRECT','SESSION_COOKIE_SECURE','CSRF_COOKIE_SECURE',"
        "'SESSION_COOKIE_HTTPONLY','SESSION_COOKIE_NAME','SESSION_COOKIE_SAMESITE','KC_ADMIN_2FA_REQUIRED',"
        "'SILENCED_SYSTEM_CHECKS') if hasattr(s, k)}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE,
        env=_production_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    values = json.loads(out.stdout)
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["KC_ADMIN_2FA_REQUIRED"] is True
    assert values.get("SILENCED_SYSTEM_CHECKS", []) == []


def test_production_refuses_to_start_without_a_secret_key():
    env = _production_env()
    del env["DJANGO_SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "-c", "import clinic.settings"], cwd=BASE, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_with_production_transport_settings_http_redirects_and_https_carries_hsts(settings, treating):
    from django.test import Client as HttpClient

    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = True
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    http = HttpClient()
    plain = http.get("/accounts/login/")
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")
    assert http.get("/healthz").status_code == 200  # load balancers may probe over HTTP
    secure = http.get("/accounts/login/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
    signed_in = http.post(
        "/accounts/login/", {"username": "treating", "password": "test-pass-1234!"}, secure=True
    )
    cookie = signed_in.cookies["__Host-sessionid"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert not cookie["domain"]
