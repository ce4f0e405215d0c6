"""The benchmark's in-process half: runs inside Django against one database
(chosen by the environment, like the app itself) and prints one JSON object.

    python bench/inprocess.py status     # is the synthetic clinic loaded?
    python bench/inprocess.py prepare    # session cookies and the page paths to drive
    python bench/inprocess.py queries    # query count of each page (django.test.Client)
    python bench/inprocess.py render     # PDF render and full-export timings

Pages in apps that do not offer them yet are reported as unavailable, with
the reason, instead of failing the run.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from clinic.models import Client, User  # noqa: E402

BENCH_USER = "bench-t1"
SESSIONS = 8  # one per simulated user at concurrency 8
SEARCH_TERM = "pat"  # matches Patel, Patrick, ...: a typical front-desk prefix


class Unavailable(Exception):
    pass


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        raise Unavailable(f"{label} does not exist yet") from None


def _reverse(names: tuple[str, ...], *args) -> str:
    for name in names:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    raise Unavailable(f"no URL named {' or '.join(names)}")


def bench_user() -> User:
    return User.objects.get(username=BENCH_USER)


def long_history_client(user: User) -> Client:
    """The client on the user's list with the longest history (most visit notes)."""
    clients = Client.objects.clinical_for(user)
    try:
        _model("notes.VisitNote")
    except Unavailable:
        return clients.order_by("id").first()
    return clients.annotate(n=Count("visit_notes")).order_by("-n", "id").first()


def _latest_signed_note(client: Client):
    note_model = _model("notes.VisitNote")
    note = note_model.objects.filter(client=client, signed_at__isnull=False).order_by("-service_at").first()
    if note is None:
        raise Unavailable("the client has no signed note")
    return note


def page_note(user, client) -> str:
    return _reverse(("note_detail", "notes:note_detail"), _latest_signed_note(client).pk)


def page_note_pdf(user, client) -> str:
    return _reverse(("note_pdf", "notes:note_pdf"), _latest_signed_note(client).pk)


def page_assessment_compare(user, client) -> str:
    assessment = _model("assessments.Assessment")
    if assessment.objects.filter(client=client).count() < 2:
        raise Unavailable("the client has fewer than two assessments")
    return _reverse(("assessment_compare", "assessments:assessment_compare"), client.pk)


def page_handout_pdf(user, client) -> str:
    program = _model("programs.ProgramVersion")
    version = program.objects.filter(client=client, signed_at__isnull=False).order_by("-number").first()
    if version is None:
        raise Unavailable("the client has no issued program")
    return _reverse(("programs:handout_pdf", "handout_pdf", "programs:program_handout"), version.pk)


def pages(user: User) -> list[dict]:
    """Every page the benchmark drives, in order; the floor first."""
    client = long_history_client(user)
    found = [
        {"name": "floor", "kind": "text", "path": reverse("ping")},
        {"name": "client_list", "kind": "html", "path": reverse("client_list")},
        {"name": "client_search", "kind": "html", "path": f"{reverse('client_list')}?q={SEARCH_TERM}"},
        {"name": "client_chart", "kind": "html", "path": reverse("client_detail", args=[client.pk])},
    ]
    for name, kind, builder in (
        ("note", "html", page_note),
        ("assessment_compare", "html", page_assessment_compare),
        ("handout_pdf", "pdf", page_handout_pdf),
        ("note_pdf", "pdf", page_note_pdf),
    ):
        try:
            found.append({"name": name, "kind": kind, "path": builder(user, client)})
        except Unavailable as exc:
            found.append({"name": name, "kind": kind, "path": None, "unavailable": str(exc)})
    return found


def cmd_status() -> dict:
    user = User.objects.filter(username=BENCH_USER).first()
    counts = {"clients": Client.objects.count()}
    for label in ("notes.VisitNote", "assessments.Assessment", "programs.ProgramVersion"):
        try:
            counts[label] = _model(label).objects.count()
        except Unavailable:
            counts[label] = None
    return {"seeded": user is not None, "counts": counts, "vendor": connection.vendor}


def cmd_prepare() -> dict:
    user = bench_user()
    cookies = []
    for _ in range(SESSIONS):
        http = HttpClient()
        http.force_login(user)
        cookies.append(f"sessionid={http.cookies['sessionid'].value}")
    return {"user": user.username, "cookies": cookies, "pages": pages(user)}


def cmd_queries() -> dict:
    user = bench_user()
    http = HttpClient()
    http.force_login(user)
    out = {}
    for page in pages(user):
        if not page["path"]:
            out[page["name"]] = {"unavailable": page["unavailable"]}
            continue
        http.get(page["path"])  # warm: first-request work (session clocks, caches) is not the page's
        with CaptureQueriesContext(connection) as ctx:
            response = http.get(page["path"])
        out[page["name"]] = {
            "path": page["path"],
            "status": response.status_code,
            "queries": len(ctx.captured_queries),
            "sql": [q["sql"][:300] for q in ctx.captured_queries],
        }
    return out


def _median_ms(func, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 2)


def render_handout(*, user, client):
    raise Unavailable("programs offers no handout render function yet")


def render_note(*, user, client):
    raise Unavailable("notes offers no note render function yet")


def render_export(*, user, client):
    raise Unavailable("no full-record export yet")


def cmd_render() -> dict:
    """PDF render time of the pure render functions, and the full-record export."""
    user = bench_user()
    client = long_history_client(user)
    out = {}
    for name, prepare in (
        ("handout_pdf_8_exercises", render_handout),
        ("note_pdf", render_note),
        ("export_100_visits", render_export),
    ):
        try:
            func, runs, detail = prepare(user=user, client=client)
        except Unavailable as exc:
            out[name] = {"unavailable": str(exc)}
            continue
        except Exception as exc:  # report, do not hide: the figure is then missing
            out[name] = {"unavailable": f"{type(exc).__name__}: {exc}"}
            continue
        out[name] = {"median_ms": _median_ms(func, runs), "runs": runs, **detail}
    return out


COMMANDS = {"status": cmd_status, "prepare": cmd_prepare, "queries": cmd_queries, "render": cmd_render}

if __name__ == "__main__":
    print(json.dumps(COMMANDS[sys.argv[1]](), default=str))
