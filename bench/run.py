"""`make bench`: Kinetic Chart's pages at clinic-chain scale, against Django's floor.

Steps (each prints what it does and how long it took):
1. Build, or reuse, two data sets with ``manage.py seed_scale``: the full one
   and a small one of the same shape (for the query-count comparison).
2. In-process (django.test.Client): the query count of each page on both data
   sets, the PDF render and full-export timings, and each cached page warm and
   cold (the first view after a real write that re-renders it).
3. gunicorn, 2 sync workers on loopback, DEBUG off; wrk drives each page at
   concurrency 8 for a fixed time, the floor view (/ping) in the same run.
4. Each worker's RSS before and after 10,000 requests of a page mix.

Figures go to the terminal, to bench-output/bench-<db>.json and bench-output/bench-<db>.md.

Environment:
  BENCH_DB=sqlite|postgres   which database (default sqlite)
  BENCH_DURATION=15          seconds of load per page
  BENCH_RSS_REQUESTS=10000   requests of the memory check
  BENCH_REBUILD=1            rebuild the data sets even when they look current
  BENCH_SCALE_ARGS="..."     extra seed_scale arguments for the full set (e.g. smaller counts)
  BENCH_PG_URL=postgres://postgres@127.0.0.1:5432   server for BENCH_DB=postgres
  BENCH_PORT=8765
  BENCH_OUT=bench-output     where the data sets and figures go (relative to the checkout)
  BENCH_PG_PREFIX=kinetic_bench   name of the PostgreSQL databases (<prefix> and <prefix>_small)
  BENCH_CACHE_URL=redis://127.0.0.1:6379/15   page cache in Redis (KC_CACHE_URL) for the
                             server and the in-process half; unset: local memory
  BENCH_COLD_REQUESTS=15     write-then-request rounds of each cold page
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / os.environ.get("BENCH_OUT", "bench-output")
BENCH = ROOT / "bench"
PY = sys.executable
BIN = Path(PY).parent

DB = os.environ.get("BENCH_DB", "sqlite")
DURATION = int(os.environ.get("BENCH_DURATION", "15"))
RSS_REQUESTS = int(os.environ.get("BENCH_RSS_REQUESTS", "10000"))
REBUILD = os.environ.get("BENCH_REBUILD", "") in ("1", "true", "yes")
SCALE_ARGS = shlex.split(os.environ.get("BENCH_SCALE_ARGS", ""))
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
PG_PREFIX = os.environ.get("BENCH_PG_PREFIX", "kinetic_bench")
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "")
CONCURRENCY = 8
WARM_REQUESTS = 20

# Targets from the issue: a benchmark's goals, reported, not asserted.
# p50 under load as a multiple of the floor's p50, per page.
TARGET_RATIOS = {
    "client_list": 3.0,
    "client_search": 3.0,
    "client_chart": 3.0,
    "note": 3.0,
    "assessment_compare": 4.0,
    "assessment_detail": 4.0,
    "program": 4.0,
}
TARGET_COLD_RATIO = 10.0  # the first view after a write, in-process, against the in-process floor
TARGET_DEMO_RATIO = 5.0  # every HTML page on the demo data set, in-process, against the floor
TARGET_HANDOUT_MS = 15.0
TARGET_EXPORT_PDF_MS = 1000.0  # the complete record of a client with about 100 visits, as a PDF
TARGET_RSS_GROWTH = 0.10


def say(text: str) -> None:
    print(text, flush=True)


class Step:
    def __init__(self, title: str):
        self.title = title

    def __enter__(self):
        say(f"== {self.title}")
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            say(f"   done in {time.monotonic() - self.started:.1f} s")


# --- environment -------------------------------------------------------------------


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KC_SQLITE_PATH")}
    env.update(
        {
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": SECRET_KEY,
            # testserver: the in-process django.test.Client half of the run.
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
            "KC_SSL_REDIRECT": "false",
            "KC_SECURE_COOKIES": "false",
            "KC_HSTS_SECONDS": "0",
            "KC_STATIC_ROOT": str(OUT / "static"),
            "KC_MEDIA_ROOT": str(OUT / "media"),
            # The run is longer than the idle limit; sessions must not time out mid-run.
            "KC_SESSION_IDLE_SECONDS": "86400",
            "KC_LOG_LEVEL": "ERROR",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    if CACHE_URL:
        # The page cache in Redis, for the server and the in-process half alike.
        env["KC_CACHE_URL"] = CACHE_URL
    return env


SECRET_KEY = "bench-" + secrets.token_urlsafe(40)


class Dataset:
    def __init__(self, name: str, seed_args: list[str]):
        self.name = name
        self.seed_args = seed_args
        suffix = "" if name == "full" else f"-{name}"
        self.sqlite_path = OUT / f"bench{suffix}.sqlite3"
        self.pg_name = f"{PG_PREFIX}{suffix.replace('-', '_')}"
        self.marker = OUT / f"bench-{DB}{suffix}.seeded"

    def env(self) -> dict[str, str]:
        env = base_env()
        if DB == "postgres":
            env["DATABASE_URL"] = f"{PG_URL}/{self.pg_name}"
        else:
            env["KC_SQLITE_PATH"] = str(self.sqlite_path)
        return env

    def label(self) -> str:
        return self.pg_name if DB == "postgres" else shown(self.sqlite_path)

    def fingerprint(self) -> dict:
        seeder = (ROOT / "bench/seed_scale.py").read_text()
        version = re.search(r"^SEED_VERSION = (\d+)", seeder, re.MULTILINE)
        return {"args": self.seed_args, "seed_version": int(version.group(1)) if version else 0}

    def recreate(self) -> None:
        if DB == "postgres":
            import psycopg

            with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{self.pg_name}"')
        else:
            for extra in ("", "-wal", "-shm"):
                Path(f"{self.sqlite_path}{extra}").unlink(missing_ok=True)

    def ensure(self) -> dict:
        """Migrate, and seed unless a current copy is already there."""
        fingerprint = self.fingerprint()
        current = (
            not REBUILD
            and self.marker.exists()
            and json.loads(self.marker.read_text()) == fingerprint
            and (DB == "postgres" or self.sqlite_path.exists())
        )
        if current:
            manage(["migrate", "--noinput", "-v0"], self.env())
            status = inprocess("status", self.env())
            if status["seeded"]:
                say(f"   reusing {self.label()} ({status['counts']})")
                return {"reused": True, "counts": status["counts"]}
        self.marker.unlink(missing_ok=True)
        self.recreate()
        manage(["migrate", "--noinput", "-v0"], self.env())
        started = time.monotonic()
        manage(["seed_scale", *self.seed_args], self.env(), echo=True)
        seconds = round(time.monotonic() - started, 1)
        self.marker.write_text(json.dumps(fingerprint))
        status = inprocess("status", self.env())
        return {"reused": False, "seed_seconds": seconds, "counts": status["counts"]}


def manage(args: list[str], env: dict[str, str], *, echo: bool = False) -> str:
    proc = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=not echo, text=True, check=False
    )
    if proc.returncode != 0:
        say(proc.stdout or "")
        say(proc.stderr or "")
        raise SystemExit(f"manage.py {' '.join(args)} failed")
    return proc.stdout or ""


def inprocess(command: str, env: dict[str, str]) -> dict:
    proc = subprocess.run(
        [PY, str(BENCH / "inprocess.py"), command], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        say(proc.stderr)
        raise SystemExit(f"bench/inprocess.py {command} failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- the server -------------------------------------------------------------------------


class Server:
    def __init__(self, env: dict[str, str]):
        self.env = env
        self.pidfile = OUT / "gunicorn.pid"

    def __enter__(self):
        self.pidfile.unlink(missing_ok=True)
        self.log = open(OUT / f"gunicorn-{DB}.log", "w")  # noqa: SIM115 - closed in __exit__
        self.proc = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "clinic.wsgi:application",
                "--workers=2",
                "--worker-class=sync",
                f"--bind=127.0.0.1:{PORT}",
                f"--pid={self.pidfile}",
                "--timeout=120",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.log.name}")
            try:
                if get("/healthz")[0] == 200 and len(self.workers()) == 2:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit("gunicorn did not answer /healthz within 60 s")

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        return sorted(int(pid) for pid in children)

    def rss_kb(self) -> dict[int, int]:
        out = {}
        for pid in self.workers():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out[pid] = int(line.split()[1])
        return out


def get(path: str, cookie: str | None = None) -> tuple[int, str, int]:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        body = response.read()
        return response.status, response.getheader("Content-Type", ""), len(body)
    finally:
        conn.close()


def settle(cookie: str) -> None:
    """Wait until the requests queued by the last run are served, so each page
    starts on idle workers."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        started = time.monotonic()
        get("/ping", cookie)
        if time.monotonic() - started < 0.5:
            return
    say("   warning: the server did not settle within 300 s")


def drive_mix(paths: list[str], cookies: list[str], total: int) -> dict:
    """Exactly ``total`` requests from 8 concurrent clients cycling through the
    pages (wrk runs for a time, not a count). Each client is one session."""
    import itertools
    import threading

    counter = itertools.count()
    errors: list[int] = []
    started = time.monotonic()

    def client(cookie: str) -> None:
        while (n := next(counter)) < total:
            status = get(paths[n % len(paths)], cookie)[0]
            if status != 200:
                errors.append(status)

    threads = [threading.Thread(target=client, args=(cookies[i % len(cookies)],)) for i in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"requests": total, "seconds": round(time.monotonic() - started, 1), "errors_status": len(errors)}


def wrk(script: str, url: str, env_extra: dict[str, str], duration: int) -> dict:
    env = {**os.environ, **env_extra}
    cmd = ["wrk", "-t1", f"-c{CONCURRENCY}", f"-d{duration}s", "--timeout", "60s", "-s", script, url]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith("KC_BENCH "):
            return json.loads(line[len("KC_BENCH ") :])
    raise SystemExit(f"wrk gave no figures:\n{proc.stdout}\n{proc.stderr}")


# --- the run ----------------------------------------------------------------------------------


def machine() -> dict:
    meminfo = dict(
        line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines() if ":" in line
    )
    free = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False).stdout
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "cpus": len(os.sched_getaffinity(0)),
        "cpu_model": next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        ),
        "memory_total": meminfo.get("MemTotal", "").strip(),
        "free_h": free,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "commit": commit,
        "wrk": subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0],
    }


def _terminate(signum, frame):
    # Ends the run through the normal exits, so gunicorn is stopped too.
    raise SystemExit(f"stopped by signal {signum}")


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (make bench installs it: apt-get install wrk)")
    if CACHE_URL:
        try:
            import redis
        except ImportError:
            raise SystemExit("BENCH_CACHE_URL needs the redis package: pip install '.[redis]'") from None
        try:
            redis.Redis.from_url(CACHE_URL, socket_connect_timeout=5).ping()
        except redis.RedisError as exc:
            raise SystemExit(f"no Redis server answers at {redacted(CACHE_URL)}: {exc}") from None
    OUT.mkdir(parents=True, exist_ok=True)
    result: dict = {
        "database": DB,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {
            "duration_s": DURATION,
            "concurrency": CONCURRENCY,
            "rss_requests": RSS_REQUESTS,
            "page_cache": redacted(CACHE_URL) if CACHE_URL else "local memory",
        },
    }
    load = result["machine"]["load_average_at_start"][0]
    say(f"Kinetic Chart benchmark on {DB}: {result['machine']['cpus']} CPUs, load average {load}")
    if load > 0.5 * result["machine"]["cpus"]:
        say("   note: the machine is busy; figures are noisy")

    full = Dataset("full", SCALE_ARGS)
    small = Dataset("small", ["--small"])
    with Step(f"Data sets ({DB})"):
        result["datasets"] = {"full": full.ensure(), "small": small.ensure()}

    with Step("Static files (DEBUG off serves them from the manifest)"):
        manage(["collectstatic", "--noinput", "-v0"], full.env())

    with Step("Query counts in-process (small and full data set)"):
        counts_small = inprocess("queries", small.env())
        counts_full = inprocess("queries", full.env())
    with Step("PDF render and export timings in-process (full data set)"):
        result["in_process"] = inprocess("render", full.env())
    with Step("Cold pages in-process: each the first view after a write (full data set)"):
        result["cold"] = inprocess("cold", full.env())

    prepared = inprocess("prepare", full.env())
    cookies = " ".join(prepared["cookies"])
    pages = prepared["pages"]
    rows: dict[str, dict] = {}
    with Server(full.env()) as server, Step("Load: gunicorn 2 sync workers, wrk at concurrency 8"):
        for page in pages:
            name = page["name"]
            if not page.get("path"):
                rows[name] = {"unavailable": page["unavailable"]}
                continue
            status, ctype, size = get(page["path"], prepared["cookies"][0])
            if status != 200:
                rows[name] = {"path": page["path"], "error": f"HTTP {status} before the run"}
                continue
            for _ in range(WARM_REQUESTS):
                get(page["path"], prepared["cookies"][0])
            rows[name] = {"path": page["path"], "kind": page["kind"], "content_type": ctype, "bytes": size}
        rss_warm = server.rss_kb()
        for page in pages:
            row = rows[page["name"]]
            if "error" in row or "unavailable" in row:
                continue
            figures = wrk(
                str(BENCH / "report.lua"), f"http://127.0.0.1:{PORT}{row['path']}",
                {"KC_BENCH_COOKIES": cookies}, DURATION,
            )  # fmt: skip
            figures["rps"] = round(figures["requests"] / (figures["duration_us"] / 1e6), 1)
            if not figures["requests"]:
                row["error"] = f"no response completed within {DURATION} s"
                say(f"   {page['name']:<20} {row['error']}")
            else:
                row.update(figures)
                say(f"   {page['name']:<20} p50 {figures['p50_ms']:8.2f} ms  {figures['rps']:7.1f} req/s")
            settle(prepared["cookies"][0])

        paths = " ".join(row["path"] for row in rows.values() if "p50_ms" in row)
        rss_before = server.rss_kb()
        say(f"   memory check: {RSS_REQUESTS:,} requests cycling through {len(paths.split())} pages")
        mix = drive_mix(paths.split(), prepared["cookies"], RSS_REQUESTS)
        rss_after = server.rss_kb()
    result["pages"] = rows
    result["memory"] = memory_report(rss_warm, rss_before, rss_after, mix)
    result["query_counts"] = {
        name: {
            "small": counts_small.get(name, {}).get("queries"),
            "full": counts_full.get(name, {}).get("queries"),
            "status_small": counts_small.get(name, {}).get("status"),
            "status_full": counts_full.get(name, {}).get("status"),
            "single_ms_small": counts_small.get(name, {}).get("median_ms"),
            "single_ms_full": counts_full.get(name, {}).get("median_ms"),
        }
        for name in counts_full
    }
    result["full_scans"] = {
        "small": {name: v.get("full_scans") for name, v in counts_small.items() if v.get("full_scans")},
        "full": {name: v.get("full_scans") for name, v in counts_full.items() if v.get("full_scans")},
    }
    result["query_sql"] = {
        "small": {name: v.get("sql") for name, v in counts_small.items()},
        "full": {name: v.get("sql") for name, v in counts_full.items()},
    }
    result["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    result["targets"] = targets(result)
    out = OUT / f"bench-{DB}.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    out.with_suffix(".md").write_text(markdown(result))
    print_report(result)
    say(f"\nFigures written to {shown(out)}")


def shown(path: Path) -> str:
    """A path as the report prints it: relative to the checkout when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def redacted(url: str) -> str:
    """A cache address without its password, for the report."""
    return re.sub(r"//[^@/]*@", "//***@", url)


def memory_report(warm: dict, before: dict, after: dict, mix: dict) -> dict:
    workers = []
    for pid in sorted(set(before) | set(after)):
        b, a = before.get(pid), after.get(pid)
        workers.append(
            {
                "pid": pid,
                "rss_after_warmup_kb": warm.get(pid),
                "rss_before_kb": b,
                "rss_after_kb": a,
                "growth": round((a - b) / b, 4) if a and b else None,
            }
        )
    return {
        "requests": mix["requests"],
        "errors_status": mix["errors_status"],
        "workers_restarted": set(before) != set(after),
        "workers": workers,
    }


def _target(goal: str, met: bool | None, figure: str) -> dict:
    return {"goal": goal, "met": met, "figure": figure}


def targets(result: dict) -> dict:
    """Each of the issue's targets: what it asks, whether this run met it (None: not
    measured) and the figure it was judged on."""
    floor = result["pages"].get("floor", {}).get("p50_ms")
    for row in result["pages"].values():
        if "p50_ms" in row and floor:
            row["ratio_to_floor"] = round(row["p50_ms"] / floor, 2)
    out = {}
    for name, limit in TARGET_RATIOS.items():
        row = result["pages"].get(name)
        if row is None:
            continue
        ratio = row.get("ratio_to_floor")
        figure = (
            f"{ratio:.1f}x ({row['p50_ms']:.1f} ms / floor {floor:.1f} ms)"
            if ratio is not None
            else (row.get("unavailable") or row.get("error") or "not measured")
        )
        out[f"{name}_p50_within_{limit:g}x_floor"] = _target(
            f"{name} p50 under load <= {limit:g}x the floor's",
            ratio <= limit if ratio is not None else None,
            figure,
        )
    cold = result.get("cold", {})
    cold_floor = cold.get("floor_ms")
    for name, row in cold.get("pages", {}).items():
        ratio = row.get("cold_x_floor")
        figure = (
            f"{ratio:.1f}x ({row['cold_ms']:.1f} ms / floor {cold_floor:.1f} ms in-process)"
            if ratio is not None
            else row.get("unavailable", "not measured")
        )
        out[f"{name}_cold_within_{TARGET_COLD_RATIO:g}x_floor"] = _target(
            f"{name} cold (first view after a write) <= {TARGET_COLD_RATIO:g}x the floor, in-process",
            ratio <= TARGET_COLD_RATIO if ratio is not None else None,
            figure,
        )
    counts = result["query_counts"]
    demo_floor = counts.get("floor", {}).get("single_ms_small")
    demo = {
        name: c["single_ms_small"] / demo_floor
        for name, c in counts.items()
        if result["pages"].get(name, {}).get("kind") == "html" and c.get("single_ms_small") and demo_floor
    }
    worst = max(demo, key=demo.__getitem__) if demo else None
    out[f"demo_pages_within_{TARGET_DEMO_RATIO:g}x_floor"] = _target(
        f"every HTML page on the demo data set <= {TARGET_DEMO_RATIO:g}x the floor, in-process",
        all(r <= TARGET_DEMO_RATIO for r in demo.values()) if demo else None,
        f"worst {worst} {demo[worst]:.1f}x (floor {demo_floor:.1f} ms); "
        + ", ".join(f"{n} {r:.1f}x" for n, r in demo.items())
        if worst
        else "not measured",
    )
    measured = {n: c for n, c in counts.items() if c["full"] is not None}
    unequal = [f"{n} {c['small']}/{c['full']}" for n, c in measured.items() if c["small"] != c["full"]]
    failed = [f"{n} HTTP {c['status_full']}" for n, c in measured.items() if c["status_full"] != 200]
    out["query_counts_equal"] = _target(
        "query counts equal at demo and full scale",
        not unequal and not failed if measured else None,
        "; ".join(unequal + failed) or f"equal on all {len(measured)} pages",
    )
    handout = result["in_process"].get("handout_pdf_8_exercises", {}).get("median_ms")
    out[f"handout_within_{TARGET_HANDOUT_MS:g}ms"] = _target(
        f"8-exercise handout PDF <= {TARGET_HANDOUT_MS:g} ms in-process",
        handout <= TARGET_HANDOUT_MS if handout is not None else None,
        f"{handout:.1f} ms" if handout is not None else "not measured",
    )
    export = result["in_process"].get("export_100_visits_pdf", {})
    out["export_pdf_under_1s"] = _target(
        f"complete-record PDF of a ~100-visit client < {TARGET_EXPORT_PDF_MS / 1000:g} s",
        export["median_ms"] < TARGET_EXPORT_PDF_MS if "median_ms" in export else None,
        f"{export['median_ms']:.0f} ms ({export.get('visits')} visits)"
        if "median_ms" in export
        else export.get("unavailable", "not measured"),
    )
    memory = result["memory"]
    growth = [w["growth"] for w in memory["workers"] if w["growth"] is not None]
    out["rss_growth_under_10pct"] = _target(
        f"worker RSS grows < {TARGET_RSS_GROWTH:.0%} over the memory check",
        (max(growth) < TARGET_RSS_GROWTH and not memory["workers_restarted"]) if growth else None,
        ", ".join(f"{g * 100:+.1f}%" for g in growth)
        + (" (a worker restarted)" if memory["workers_restarted"] else "")
        if growth
        else "not measured",
    )
    return out


def _verdict(met: bool | None) -> str:
    return "met" if met else ("not measured" if met is None else "NOT met")


def _cold(result: dict, name: str) -> tuple[str, str]:
    """(warm / cold ms, cold / floor) of a page, in-process, or dashes."""
    row = result.get("cold", {}).get("pages", {}).get(name, {})
    if "cold_ms" not in row:
        return "-", "-"
    return f"{row['warm_ms']:.1f}/{row['cold_ms']:.1f}", f"{row['cold_x_floor']:.1f}"


def print_report(result: dict) -> None:
    say(f"\nPages at concurrency {CONCURRENCY}, {DURATION} s each ({DB}):")
    say(
        f"{'page':<20} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} {'req/s':>8} {'x floor':>8} "
        f"{'queries':>9} {'single ms':>15} {'warm/cold ms':>14} {'cold x':>7}"
    )
    for name, row in result["pages"].items():
        warm_cold, cold_x = _cold(result, name)
        counts = result["query_counts"].get(name, {})
        q = f"{counts.get('small')}/{counts.get('full')}" if counts.get("full") is not None else "-"
        single = (
            f"{counts['single_ms_small']:.1f}/{counts['single_ms_full']:.1f}"
            if counts.get("single_ms_full") is not None
            else "-"
        )
        if "p50_ms" in row:
            say(
                f"{name:<20} {row['p50_ms']:9.2f} {row['p95_ms']:9.2f} {row['p99_ms']:9.2f} "
                f"{row['rps']:8.1f} {row.get('ratio_to_floor', 0):8.2f} {q:>9} {single:>15} "
                f"{warm_cold:>14} {cold_x:>7}"
            )
        else:
            say(
                f"{name:<20} not available: {row.get('unavailable') or row.get('error')}  {q:>9} {single:>15}"
            )
    say("(queries and single: small data set / full data set; single = one request at a time in-process)")
    cold = result.get("cold")
    if cold:
        say(
            f"(warm/cold: full data set, in-process, median of {cold['requests']}; cold = the first request "
            f"after a write through the services that moves the page's version; cold x = cold / the "
            f"in-process floor, {cold['floor_ms']:.2f} ms; page cache: {cold['cache_backend']})"
        )
    say("\nIn-process:")
    for name, row in result["in_process"].items():
        if "median_ms" in row:
            extra = ", ".join(f"{k} {v}" for k, v in row.items() if k not in ("median_ms",))
            say(f"  {name:<26} median {row['median_ms']:.1f} ms ({extra})")
        else:
            say(f"  {name:<26} not available: {row['unavailable']}")
    memory = result["memory"]
    say(f"\nWorker RSS over {memory['requests']:,} requests (page mix):")
    for w in memory["workers"]:
        growth = f"{w['growth'] * 100:+.1f}%" if w["growth"] is not None else "n/a"
        say(
            f"  pid {w['pid']}: after warm-up {w['rss_after_warmup_kb']} kB, "
            f"before {w['rss_before_kb']} kB, after {w['rss_after_kb']} kB ({growth})"
        )
    if memory["workers_restarted"]:
        say("  a worker restarted during the run: the RSS comparison does not hold")
    say("\nTargets:")
    for target in result["targets"].values():
        say(f"  {_verdict(target['met']):<12} {target['goal']}: {target['figure']}")


def markdown(result: dict) -> str:
    """The figures as Markdown tables, for docs/benchmarks.md."""
    cold = result.get("cold", {})
    cache = result.get("settings", {}).get("page_cache", "local memory")
    lines = [
        f"Run {result['started_at']} on {result['database']}, commit {result['machine']['commit']}, "
        f"load average at start {result['machine']['load_average_at_start'][0]}, page cache: {cache}.",
        "",
        "| page | p50 ms | p95 ms | p99 ms | req/s | p50 / floor | queries demo / full "
        "| one request ms demo / full | one request warm / cold ms | cold / floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in result["pages"].items():
        warm_cold, cold_x = _cold(result, name)
        warm_cold = warm_cold.replace("/", " / ")
        counts = result["query_counts"].get(name, {})
        q = f"{counts.get('small')} / {counts.get('full')}" if counts.get("full") is not None else "-"
        single = (
            f"{counts['single_ms_small']:.1f} / {counts['single_ms_full']:.1f}"
            if counts.get("single_ms_full") is not None
            else "-"
        )
        if "p50_ms" in row:
            lines.append(
                f"| {name} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} | {row['p99_ms']:.1f} "
                f"| {row['rps']:.1f} | {row.get('ratio_to_floor', 0):.1f} | {q} | {single} "
                f"| {warm_cold} | {cold_x} |"
            )
        else:
            reason = row.get("unavailable") or row.get("error")
            lines.append(f"| {name} | {reason} | | | | | {q} | {single} | {warm_cold} | {cold_x} |")
    if cold:
        lines += [
            "",
            f"Warm and cold are one request at a time in-process on the full data set, median of "
            f"{cold['requests']}; cold is the first request after a write through the product's services "
            f"that moves the version the page is kept by (the client's record for the pages about a client, "
            f"the care team for the list and search), the write not timed; cold / floor is against the "
            f"in-process floor of the same run ({cold['floor_ms']:.2f} ms).",
        ]
    lines += ["", "| in-process | median ms | detail |", "|---|---:|---|"]
    for name, row in result["in_process"].items():
        if "median_ms" in row:
            detail = ", ".join(f"{k} {v}" for k, v in row.items() if k != "median_ms")
            lines.append(f"| {name} | {row['median_ms']:.1f} | {detail} |")
        else:
            lines.append(f"| {name} | - | {row['unavailable']} |")
    memory = result["memory"]
    lines += [
        "",
        f"Worker RSS over {memory['requests']:,} requests of the page mix"
        f"{' (a worker restarted: not comparable)' if memory['workers_restarted'] else ''}:",
        "",
        "| worker | after warm-up kB | before kB | after kB | growth |",
        "|---|---:|---:|---:|---:|",
    ]
    for n, w in enumerate(memory["workers"], start=1):
        growth = f"{w['growth'] * 100:+.1f}%" if w["growth"] is not None else "n/a"
        lines.append(
            f"| {n} | {w['rss_after_warmup_kb']} | {w['rss_before_kb']} | {w['rss_after_kb']} | {growth} |"
        )
    targets = result.get("targets", {})
    if targets and all(isinstance(t, dict) for t in targets.values()):
        lines += ["", "| target | result | figure |", "|---|---|---|"]
        for target in targets.values():
            lines.append(f"| {target['goal']} | {_verdict(target['met'])} | {target['figure']} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--markdown":
        print(markdown(json.loads(Path(sys.argv[2]).read_text())))
    else:
        main()
