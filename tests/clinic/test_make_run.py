"""`make run` serves the demo the way a clinic would run it: gunicorn, DEBUG off, the product's
own error pages, and signing in over plain http://127.0.0.1 works for any HTTP client."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# `make run` serves the embedded SQLite database whatever DATABASE_URL says, so the PostgreSQL
# pass of the suite would only repeat this module.
pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="make run uses SQLite; covered by the SQLite pass"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    work = tmp_path_factory.mktemp("demo")
    (work / "secret").write_text("a-test-secret-key-" + "x" * 40)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KC_", "DATABASE_URL"))}
    port = _free_port()
    env.update(
        PORT=str(port),
        WORKERS="1",
        KC_SQLITE_PATH=str(work / "demo.sqlite3"),
        KC_STATIC_ROOT=str(work / "static"),
        KC_MEDIA_ROOT=str(work / "media"),
        DJANGO_SECRET_KEY_FILE=str(work / "secret"),
    )
    log = open(work / "out.log", "w")  # noqa: SIM115  (closed below)
    server = subprocess.Popen(
        ["./scripts/run_demo.sh"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail("make run stopped:\n" + (work / "out.log").read_text()[-3000:])
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("make run did not answer /healthz in time")
        yield base, work / "out.log"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


def _opener():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar


def test_prints_the_demo_logins(demo_server):
    _, log = demo_server
    text = log.read_text()
    assert "http://127.0.0.1:" in text
    for login in ("admin", "therapist", "therapist2", "kinetic-demo"):
        assert login in text


def test_signing_in_over_plain_http_works(demo_server):
    base, _ = demo_server
    opener, jar = _opener()
    page = opener.open(base + "/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "therapist", "password": "kinetic-demo"}
    ).encode()
    request = urllib.request.Request(base + "/accounts/login/", data=data, headers={"Referer": base + "/"})
    home = opener.open(request)
    assert home.status == 200
    assert home.geturl().rstrip("/") == base
    assert "Sign out" in home.read().decode()
    assert all(not cookie.secure for cookie in jar)


def test_runs_with_debug_off_and_the_products_error_pages(demo_server):
    base, _ = demo_server
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(base + "/no-such-page/")
    body = caught.value.read().decode()
    assert caught.value.code == 404
    assert "Page not found" in body
    assert "Django tried these URL patterns" not in body
    assert "Strict-Transport-Security" not in caught.value.headers


def test_static_files_are_served_by_the_app(demo_server):
    base, _ = demo_server
    page = urllib.request.urlopen(base + "/accounts/login/").read().decode()
    css = re.search(r'href="(/static/bootstrap/css/bootstrap[^"]*\.css)"', page).group(1)
    assert re.search(r"bootstrap\.min\.[0-9a-f]{12}\.css", css), "hashed file names: DEBUG is off"
    response = urllib.request.urlopen(base + css)
    assert response.status == 200
    assert "max-age" in response.headers.get("Cache-Control", "")
