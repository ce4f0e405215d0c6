"""Soak test: gunicorn on loopback and simulated therapists writing the day's
records for a while, on SQLite and/or PostgreSQL.

    python scripts/soak.py --seconds 60 --users 16 --db sqlite --db postgres

Each run gets a fresh, migrated database. Therapists work in care teams of
four that share their clients (two per team, each with an issued home
program), so several therapists write for the same client at the same moment,
as in a real clinic. Every therapist signs in, then loops over the team's
clients: open the new-note page and start a visit note, autosave it a few
times (marked as a background request, as the browser does), record home
program adherence on it, record an assessment, and sign the note.

Afterwards the database is read back and every acknowledged write must be
there: notes started, the text of each note's last acknowledged autosave,
adherence rows, assessments and signatures. The report gives requests, server
errors (5xx), other unexpected answers and lost writes; the exit status is
non-zero on any of them, on a server traceback or on a broken audit chain.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PASSWORD = "soak-password-" + "x" * 8
AUTOSAVES_PER_NOTE = 3
TEAM_SIZE = 4
# Adherence on the note's own address, or on the program page's (--program-page-adherence).
NOTE_ADHERENCE = True
CLIENTS_PER_TEAM = 2


# --- HTML forms ----------------------------------------------------------------------


class FormParser(HTMLParser):
    """Collects each <form>'s action, method and field defaults."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {
                "action": a.get("action") or "",
                "method": (a.get("method") or "get").lower(),
                "hx_post": a.get("hx-post") or "",
                "fields": {},
                "selects": {},
                "radios": {},
            }
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind == "radio":
                self._form["radios"].setdefault(name, []).append(a.get("value", "on"))
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"][name] = a.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                self._form["fields"][name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self._form["selects"].setdefault(name, [])
        elif tag == "option" and self._select:
            value = a.get("value", "")
            self._form["selects"][self._select].append(value)
            if "selected" in a:
                self._form["fields"][self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self._form["fields"][name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data


def forms_in(html: str) -> list[dict]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


# --- one simulated therapist ----------------------------------------------------------


@dataclass
class Tally:
    requests: int = 0
    server_errors: int = 0  # answers of 500 and above (and dropped connections)
    errors: Counter = field(default_factory=Counter)
    notes: dict = field(default_factory=dict)  # note id -> last acknowledged chief complaint
    assessments: int = 0
    autosaves: int = 0
    adherence: set = field(default_factory=set)  # program items with acknowledged adherence
    signed: set = field(default_factory=set)  # note ids whose signing was acknowledged
    lock = threading.Lock()


class Therapist:
    def __init__(self, base: str, username: str, client_ids: list[int], tally: Tally):
        self.base = base
        self.username = username
        self.client_ids = client_ids
        self.client_id = client_ids[0]
        self.tally = tally
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def csrf(self) -> str:
        for cookie in self.jar:
            if cookie.name.endswith("csrftoken"):
                return cookie.value
        return ""

    def request(
        self, method: str, path: str, data: dict | None = None, headers: dict | None = None, expect=(200, 302)
    ) -> tuple[int, str, dict]:
        body = urllib.parse.urlencode(data or {}, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, method=method)
        req.add_header("Referer", self.base + path)
        if method == "POST":
            req.add_header("X-CSRFToken", self.csrf())
        for key, value in (headers or {}).items():
            req.add_header(key, value)
        with self.tally.lock:
            self.tally.requests += 1
        try:
            with self.opener.open(req, timeout=60) as resp:
                status, text, hdrs = resp.status, resp.read().decode("utf-8", "replace"), dict(resp.headers)
        except urllib.error.HTTPError as exc:
            status, text, hdrs = exc.code, exc.read().decode("utf-8", "replace"), dict(exc.headers)
        except OSError as exc:
            status, text, hdrs = 0, str(exc), {}
        if status not in expect:
            with self.tally.lock:
                self.tally.errors[f"{method} {re.sub(r'/[0-9]+/', '/<id>/', path)} -> {status}"] += 1
                if status >= 500 or status == 0:
                    self.tally.server_errors += 1
        return status, text, hdrs

    signed_in = False

    def login(self) -> bool:
        self.request("GET", "/accounts/login/")
        status, _, _ = self.request(
            "POST",
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf()},
            expect=(302,),
        )
        self.signed_in = status == 302
        return self.signed_in

    def note_cycle(self, n: int) -> None:
        path = f"/clients/{self.client_id}/notes/new/"
        status, html, _ = self.request("GET", path)
        form = next((f for f in forms_in(html) if "service_at" in f["fields"]), None)
        if status != 200 or form is None:
            return
        data = dict(form["fields"], csrfmiddlewaretoken=self.csrf())
        status, _, headers = self.request("POST", path, data, expect=(302,))
        match = re.search(r"/notes/(\d+)/", headers.get("Location", ""))
        if status != 302 or not match:
            return
        note_id = int(match.group(1))
        with self.tally.lock:
            self.tally.notes[note_id] = None
        form = None
        for k in range(AUTOSAVES_PER_NOTE):
            status, html, _ = self.request("GET", f"/notes/{note_id}/")
            forms = forms_in(html)
            form = next((f for f in forms if "version" in f["fields"]), None)
            if status != 200 or form is None:
                with self.tally.lock:
                    self.tally.errors["note page without an editable form"] += 1
                return
            text = f"soak {self.username} note {n} save {k}"
            data = dict(form["fields"], chief_complaint=text, csrfmiddlewaretoken=self.csrf())
            if k == AUTOSAVES_PER_NOTE - 1:
                data.update(SOAP)
            status, _, _ = self.request(
                "POST",
                f"/notes/{note_id}/autosave/",
                data,
                headers={"X-KC-Background": "1", "HX-Request": "true"},
                expect=(200,),
            )
            if status == 200:
                with self.tally.lock:
                    self.tally.notes[note_id] = text
                    self.tally.autosaves += 1
            else:
                return
        self.adherence(note_id, forms, n)
        self.assessment_cycle(n)
        self.sign(note_id)

    def adherence(self, note_id: int, forms: list[dict], n: int) -> None:
        """Home-program adherence for the client, from the note page's form. It goes to
        the note's address unless --program-page-adherence sends it to the program page's."""
        form = next((f for f in forms if "program-adherence" in f["action"]), None)
        if form is None:
            with self.tally.lock:
                self.tally.errors["note page without the adherence form"] += 1
            return
        data = dict(form["fields"], csrfmiddlewaretoken=self.csrf())
        items = []
        # The pain response is a set of buttons (radio inputs); older pages had a dropdown.
        choices = {**form["selects"], **form["radios"]}
        for name, options in choices.items():
            if name.startswith("pain_"):
                data[name] = next(o for o in options if o)
                data["days_" + name[len("pain_") :]] = str(n % 8)
                items.append(int(name[len("pain_") :]))
        path = form["action"] if NOTE_ADHERENCE else f"/clients/{self.client_id}/program/adherence/"
        status, _, _ = self.request("POST", path, data, expect=(302,))
        if status == 302:
            with self.tally.lock:
                self.tally.adherence.update(items)

    def sign(self, note_id: int) -> None:
        status, html, _ = self.request("GET", f"/notes/{note_id}/")
        form = next((f for f in forms_in(html) if "version" in f["fields"]), None)
        if status != 200 or form is None:
            with self.tally.lock:
                self.tally.errors["note page without an editable form"] += 1
            return
        data = dict(form["fields"], password=PASSWORD, csrfmiddlewaretoken=self.csrf())
        status, html, _ = self.request("POST", f"/notes/{note_id}/sign/", data, expect=(302,))
        if status == 400:
            # Name the refusal in the report (the page's "Not signed." alert).
            match = re.search(r"Not signed\.\s*(.{0,200}?\.)(?:\s|$)", re.sub(r"<[^>]+>|\s+", " ", html))
            with self.tally.lock:
                self.tally.errors[f"signing refused: {match.group(1).strip() if match else '?'}"] += 1
        if status == 302:
            with self.tally.lock:
                self.tally.signed.add(note_id)

    def assessment_cycle(self, n: int) -> None:
        path = f"/clients/{self.client_id}/assessments/new/"
        status, html, _ = self.request("GET", path)
        form = next((f for f in forms_in(html) if f["method"] == "post" and len(f["fields"]) > 3), None)
        if status != 200 or form is None:
            with self.tally.lock:
                self.tally.errors["assessment page without a form"] += 1
            return
        data = dict(form["fields"], csrfmiddlewaretoken=self.csrf())
        filled = 0
        for name in list(data):
            if re.search(r"knee_to_wall.*(value|_l$|_r$|_L$|_R$)", name) or name.endswith("knee_to_wall"):
                data[name] = str(8 + n % 5)
                filled += 1
        status, _, _ = self.request("POST", path, data, expect=(302,))
        if status == 302:
            with self.tally.lock:
                self.tally.assessments += 1

    def run(self, deadline: float) -> None:
        n = 0
        while time.monotonic() < deadline:
            # Team members start on different clients and then take turns with each.
            self.client_id = self.client_ids[n % len(self.client_ids)]
            self.note_cycle(n)
            n += 1


SOAP = {
    "subjective": "Reports less morning stiffness.",
    "objective": "Calf tone reduced; ankle dorsiflexion improved.",
    "analysis": "Responding to load management.",
    "plan_next": "Progress the heel raises next visit.",
    "goals": "First-step pain from 6/10 to 2/10 within 6 weeks.",
    "screen_changed": "no",
}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# --- database and server ----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cmd: list[str], env: dict) -> str:
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return result.stdout


SETUP = """
import json
from datetime import date
import django; django.setup()
from clinic import services
from clinic.models import User
from clinic.screening import QUESTIONS
from programs import services as programs
from programs.models import Exercise
admin = User.objects.create_user(username="soak-admin", password="{pw}", is_clinic_admin=True)
exercises = list(Exercise.objects.filter(is_active=True).order_by("id")[:2])
therapists = [
    User.objects.create_user(username=f"soak{{i}}", password="{pw}", is_therapist=True, first_name=f"T{{i}}")
    for i in range({users})
]
out = {{t.username: [] for t in therapists}}
for start in range(0, len(therapists), {team}):
    team = therapists[start : start + {team}]
    for k in range({per_team}):
        c = services.client_create(by=admin, care_team=team, data={{"first_name": "Soak",
            "last_name": f"Client{{start}}-{{k}}", "date_of_birth": date(1980, 1, 1 + (start + k) % 28),
            "primary_therapist": team[k % len(team)]}})
        # Treating and signing need a health screen with consent on file.
        services.health_screen_record(client=c, by=team[0], consent_given=True,
            answers={{q.code: (False, "") for q in QUESTIONS}})
        draft = programs.program_draft(client=c, by=team[0])
        for exercise in exercises:
            programs.program_item_add(draft=draft, exercise=exercise, by=team[0])
        programs.program_issue(version=draft, by=team[0])
        for j, t in enumerate(team):
            out[t.username].append(c.pk)
# Each member of a team starts on a different client.
for j, t in enumerate(therapists):
    ids = out[t.username]
    out[t.username] = ids[j % len(ids):] + ids[: j % len(ids)]
print(json.dumps(out))
"""

VERIFY = """
import json
import django; django.setup()
from django.apps import apps
VisitNote = apps.get_model("notes", "VisitNote")
Assessment = apps.get_model("assessments", "Assessment")
Adherence = apps.get_model("programs", "Adherence")
from audit.log import verify_chain
mine = {{"therapist__username__startswith": "soak"}}
notes = dict(VisitNote.objects.filter(**mine).values_list("id", "chief_complaint"))
signed = list(VisitNote.objects.filter(signed_at__isnull=False, **mine).values_list("id", flat=True))
assessments = Assessment.objects.filter(**mine).count()
adherence = sorted(set(Adherence.objects.values_list("item_id", flat=True)))
print(json.dumps({{"notes": notes, "signed": signed, "assessments": assessments, "adherence": adherence,
    "chain_problems": verify_chain()[:5]}}))
"""


def soak(kind: str, seconds: int, users: int, workers: int, pg_url: str, keep_log: str = "") -> dict:
    work = Path(tempfile.mkdtemp(prefix="kc-soak-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KC_", "DATABASE_URL"))}
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        KC_SSL_REDIRECT="false",
        KC_SECURE_COOKIES="false",
        KC_HSTS_SECONDS="0",
        KC_STATIC_ROOT=str(work / "static"),
        KC_MEDIA_ROOT=str(work / "media"),
        KC_LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="clinic.settings",
    )
    pg_name = None
    if kind == "sqlite":
        env["KC_SQLITE_PATH"] = str(work / "soak.sqlite3")
    else:
        pg_name = f"kc_soak_{secrets.token_hex(4)}"
        subprocess.run(["psql", f"{pg_url}/postgres", "-qc", f'CREATE DATABASE "{pg_name}"'], check=True)
        env["DATABASE_URL"] = f"{pg_url}/{pg_name}"
    server = None
    try:
        _run([PYTHON, "manage.py", "migrate", "--noinput"], env)
        _run([PYTHON, "manage.py", "collectstatic", "--noinput"], env)
        clients = json.loads(
            _run(
                [
                    PYTHON,
                    "-c",
                    SETUP.format(users=users, pw=PASSWORD, team=TEAM_SIZE, per_team=CLIENTS_PER_TEAM),
                ],
                env,
            )
            .strip()
            .splitlines()[-1]
        )
        port = _free_port()
        log = open(work / "gunicorn.log", "w")  # noqa: SIM115  (closed with the work folder)
        server = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "clinic.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--threads",
                "4",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        tally = Tally()
        therapists = [Therapist(base, name, ids, tally) for name, ids in clients.items()]
        # Sign everyone in first (Argon2 is deliberately slow), then start the clock.
        logins = [threading.Thread(target=t.login) for t in therapists]
        for t in logins:
            t.start()
        for t in logins:
            t.join()
        signed_in = [t for t in therapists if t.signed_in]
        deadline = time.monotonic() + seconds
        threads = [threading.Thread(target=t.run, args=(deadline,)) for t in signed_in]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        found = json.loads(_run([PYTHON, "-c", VERIFY.format()], env).strip().splitlines()[-1])
        stored = {int(k): v for k, v in found["notes"].items()}
        lost_notes = [n for n in tally.notes if n not in stored]
        lost_saves = [n for n, text in tally.notes.items() if text is not None and stored.get(n) != text]
        lost_assessments = max(0, tally.assessments - found["assessments"])
        # One row per exercise and day, updated by each later recording that day.
        lost_adherence = len(tally.adherence - set(found["adherence"]))
        lost_signatures = [n for n in tally.signed if n not in set(found["signed"])]
        server_log = (work / "gunicorn.log").read_text()
        server_errors = server_log.count("Traceback")
        deadlocks = server_log.count("DeadlockDetected")
        if keep_log and server_log:
            Path(keep_log).write_text(server_log)
        return {
            "database": kind,
            "therapists": len(clients),
            "signed_in": len(signed_in),
            "seconds": round(elapsed, 1),
            "requests": tally.requests,
            "requests_per_second": round(tally.requests / elapsed, 1),
            "server_errors_5xx": tally.server_errors,
            "errors": sum(tally.errors.values()),
            "error_kinds": dict(tally.errors.most_common(10)),
            "server_tracebacks": server_errors,
            "deadlocks_in_server_log": deadlocks,
            "notes_started": len(tally.notes),
            "autosaves_acknowledged": tally.autosaves,
            "adherence_exercises_acknowledged": len(tally.adherence),
            "assessments_acknowledged": tally.assessments,
            "notes_signed_acknowledged": len(tally.signed),
            "notes_found": len(stored),
            "adherence_exercises_found": len(found["adherence"]),
            "assessments_found": found["assessments"],
            "notes_signed_found": len(found["signed"]),
            "lost_writes": len(lost_notes)
            + len(lost_saves)
            + lost_assessments
            + lost_adherence
            + len(lost_signatures),
            "audit_chain_problems": found["chain_problems"],
        }
    finally:
        if server is not None and server.poll() is None:
            server.kill()
        if pg_name:
            subprocess.run(
                ["psql", f"{pg_url}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)']
            )
        shutil.rmtree(work, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--db", action="append", choices=["sqlite", "postgres"])
    parser.add_argument(
        "--pg-url", default=os.environ.get("KC_SOAK_PG_URL", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--server-log", default="", help="Keep the server's error log in this file.")
    parser.add_argument(
        "--program-page-adherence",
        action="store_true",
        help="Record adherence on the program page instead of on each visit note.",
    )
    args = parser.parse_args(argv)
    global NOTE_ADHERENCE
    NOTE_ADHERENCE = not args.program_page_adherence
    failed = False
    for kind in args.db or ["sqlite", "postgres"]:
        keep = f"{args.server_log}.{kind}" if args.server_log else ""
        report = soak(kind, args.seconds, args.users, args.workers, args.pg_url, keep)
        print(json.dumps(report, indent=2))
        if (
            report["server_errors_5xx"]
            or report["errors"]
            or report["lost_writes"]
            or report["server_tracebacks"]
            or report["audit_chain_problems"]
        ):
            failed = True
        exercised = (
            "notes_started",
            "assessments_acknowledged",
            "adherence_exercises_acknowledged",
            "notes_signed_acknowledged",
        )
        if not all(report[key] for key in exercised):
            print(
                f"{kind}: no notes, adherence, assessments or signatures were saved; the soak proves nothing",
                file=sys.stderr,
            )
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
