"""Browser-test harness: the real app on a free local port, driven by Chromium.

A session fixture migrates a fresh database (a temporary SQLite file, or a new
PostgreSQL database beside the one DATABASE_URL names), loads the demo data,
and serves the app with gunicorn on 127.0.0.1. Tests drive Debian's Chromium
through Playwright and leave a screenshot of their end state under
``test-output/browser/``.

Set ``KC_REQUIRE_BROWSER=1`` to turn a missing Chromium into a failure
instead of a skip (CI does).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEMO_PASSWORD = "kinetic-demo"
# The running app's environment (its database), for a test that must set up what no page
# can yet (a client link's token exists only when it is issued): ``manage_live("shell", ...)``.
LIVE_ENV: dict[str, str] = {}


def _require_browser() -> bool:
    return os.environ.get("KC_REQUIRE_BROWSER", "") in {"1", "true", "yes"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    parts = urlparse(url)
    admin_url = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """Base URL of a running Kinetic Chart with the demo data loaded."""
    workdir = tmp_path_factory.mktemp("live-app")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update({"DJANGO_DEBUG": "true", "KC_MEDIA_ROOT": str(workdir / "media"), "PYTHONUNBUFFERED": "1"})
    db_url = os.environ.get("DATABASE_URL", "")
    pg_name = None
    if db_url:
        pg_name = f"kc_browser_{uuid.uuid4().hex[:10]}"
        _pg_admin(db_url, f'CREATE DATABASE "{pg_name}"')
        env["DATABASE_URL"] = urlunparse(urlparse(db_url)._replace(path=f"/{pg_name}"))
    else:
        env["KC_SQLITE_PATH"] = str(workdir / "browser.sqlite3")
    python = sys.executable
    manage = [python, str(ROOT / "manage.py")]
    LIVE_ENV.clear()
    LIVE_ENV.update(env)
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "seed_demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    port = _free_port()
    log = open(workdir / "server.log", "w")  # noqa: SIM115 - closed at teardown
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "clinic.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--timeout", "60"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError(f"app server did not start; see {workdir / 'server.log'}")
        time.sleep(0.2)
    yield base
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()
    if pg_name:
        _pg_admin(db_url, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def manage_live(*args: str) -> str:
    """Run a management command against the running app's database; returns its output."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=LIVE_ENV,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module. Module scope keeps Playwright's event loop
    from outliving the module, so database tests that follow stay synchronous."""
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
        if _require_browser():
            pytest.fail(message)
        pytest.skip(message)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if _require_browser():
            pytest.fail("playwright is not installed")
        pytest.skip("playwright is not installed")
    from playwright.sync_api import expect

    # An assertion waits up to 10 s (Playwright's default is 5 s): on a busy two-core
    # machine a debounced search or an autosave can take longer to come back.
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_app, request):
    context = browser.new_context(
        base_url=live_app, viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    OUTPUT.mkdir(parents=True, exist_ok=True)
    name = request.node.name.replace("/", "_")
    try:
        page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def login(page):
    """``login("therapist")`` signs a demo user in on the current page."""

    def sign_in(username: str, password: str = DEMO_PASSWORD):
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit], input[type=submit]")
        page.wait_for_url("**/")
        return page

    return sign_in


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
