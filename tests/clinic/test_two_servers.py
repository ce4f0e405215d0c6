"""Two app servers on one PostgreSQL database: a write through one shows on the next
read through the other. The record version comes from the database, so no cache is ever
trusted past a write. Run twice: each server with its own page cache (local memory), and
both sharing one in Redis (KC_CACHE_URL), when the redis package is installed and a
server answers at KC_TEST_REDIS_URL (default redis://127.0.0.1:6379/15)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
DB_URL = os.environ.get("DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not DB_URL.startswith(("postgres://", "postgresql://")),
    reason="two app servers share one database only on PostgreSQL",
)
REDIS_URL = os.environ.get("KC_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg(url: str, sql: str, *, fetch: bool = False):
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if fetch else None


def _redis_unavailable() -> str | None:
    """Why the Redis run cannot happen here, or None when it can."""
    try:
        import redis
    except ImportError:
        return "the redis package is not installed (pip install '.[redis]')"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return f"no Redis server answers at {REDIS_URL}: {exc}"
    return None


def _pages_in_redis(url: str) -> int:
    """How many page bodies the shared cache holds (0 without one)."""
    if not url:
        return 0
    import redis

    return sum(1 for _ in redis.Redis.from_url(url).scan_iter(match="*kc:page:*", count=1000))


class Browser:
    """One signed-in user talking to one server."""

    def __init__(self, base: str):
        self.base = base
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(cookies)

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict, *, form_page: str | None = None) -> int:
        token = TOKEN.search(self.get(form_page or path)).group(1)
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        with self.opener.open(request, timeout=30) as response:
            return response.status

    def sign_in(self, username: str) -> None:
        self.post("/accounts/login/", {"username": username, "password": "kinetic-demo"})
        assert 'name="password"' not in self.get("/"), "not signed in"


@pytest.fixture(scope="module", params=["local-memory", "redis"])
def two_servers(request, tmp_path_factory):
    cache_url = ""
    if request.param == "redis":
        reason = _redis_unavailable()
        if reason:
            pytest.skip(f"page cache in Redis not tried: {reason}")
        cache_url = REDIS_URL
    workdir = tmp_path_factory.mktemp("two-servers")
    name = f"{urlparse(DB_URL).path.lstrip('/')}_two_{uuid.uuid4().hex[:8]}"
    admin_url = urlunparse(urlparse(DB_URL)._replace(path="/postgres"))
    db_url = urlunparse(urlparse(DB_URL)._replace(path=f"/{name}"))
    _pg(admin_url, f'CREATE DATABASE "{name}"')
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "KC_CACHE_URL")}
    env.update({"DJANGO_DEBUG": "true", "DATABASE_URL": db_url, "KC_MEDIA_ROOT": str(workdir / "media")})
    if cache_url:
        env["KC_CACHE_URL"] = cache_url
    manage = [sys.executable, str(ROOT / "manage.py")]
    servers, logs = [], []
    try:
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run([*manage, "seed_demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        bases = []
        for n in range(2):
            port = _free_port()
            log = open(workdir / f"server{n}.log", "w")  # noqa: SIM115 - closed at teardown
            logs.append(log)
            servers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "clinic.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
                    env=env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
        for server, base in zip(servers, bases, strict=True):
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"app server did not start; see {workdir}")
                time.sleep(0.2)
        rows = _pg(
            db_url,
            "SELECT c.id FROM clinic_client c JOIN clinic_client_care_team t ON t.client_id = c.id "
            "JOIN clinic_user u ON u.id = t.user_id WHERE u.username = 'therapist' "
            "AND c.status = 'active' ORDER BY c.id LIMIT 1",
            fetch=True,
        )
        yield bases, rows[0][0], cache_url
    finally:
        for server in servers:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        for log in logs:
            log.close()
        _pg(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_write_through_one_server_shows_on_the_next_read_through_the_other(two_servers):
    (one, other), client_id, cache_url = two_servers
    writer, reader = Browser(one), Browser(other)
    writer.sign_in("therapist")
    reader.sign_in("therapist")
    chart = f"/clients/{client_id}/"
    pages_kept = _pages_in_redis(cache_url)
    # The reader's server renders the chart and keeps it; a second read is served from its cache.
    first = reader.get(chart)
    if cache_url:
        assert _pages_in_redis(cache_url) > pages_kept, "the chart was not kept in Redis"
    assert reader.get(chart).count("consent-withdrawn") == first.count("consent-withdrawn") == 0
    writer.get(chart)
    reason = f"Moving abroad {uuid.uuid4().hex[:6]}"
    writer.post(f"/clients/{client_id}/consent/withdraw/", {"reason": reason})
    after = reader.get(chart)
    assert 'id="consent-withdrawn"' in after and reason in after
    # The writer's server had the chart cached before the write too.
    assert reason in writer.get(chart)
