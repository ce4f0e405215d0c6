"""The benchmark's in-process half: runs inside Django against one database
(chosen by the environment, like the app itself) and prints one JSON object.

    python bench/inprocess.py status     # is the synthetic clinic loaded?
    python bench/inprocess.py prepare    # session cookies and the page paths to drive
    python bench/inprocess.py queries    # query count of each page (django.test.Client)
    python bench/inprocess.py render     # PDF render and full-export timings
    python bench/inprocess.py worst      # worst-case printouts only (no data set needed)
    python bench/inprocess.py timing     # 200 requests of each everyday page, one at a time
    python bench/inprocess.py cold       # each cached page right after a write that re-renders it

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
TIMED_REQUESTS = 7


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
    """The client's latest signed visit note with an assessment done at that visit
    (a note page's fullest everyday shape), so both data sets compare pages of one
    shape. Not a discharge note: the seeded ones carry no outcome table stored at
    signing (the product stores one; its printout then reads the client's outcome
    measures live, three queries more), and the small data set's client may have none."""
    note_model = _model("notes.VisitNote")
    notes = note_model.objects.filter(client=client, signed_at__isnull=False).order_by("-service_at", "-id")
    if any(f.name == "kind" for f in note_model._meta.get_fields()):
        notes = notes.exclude(kind="discharge")
    if any(f.name == "assessment" for f in note_model._meta.get_fields()):
        note = notes.filter(assessment__isnull=False).first() or notes.first()
    else:
        note = notes.first()
    if note is None:
        raise Unavailable("the client has no signed note")
    return note


def page_note(user, client) -> str:
    return _reverse(("note_detail", "notes:note_detail"), _latest_signed_note(client).pk)


def page_note_pdf(user, client) -> str:
    return _reverse(("note_pdf", "notes:note_pdf"), _latest_signed_note(client).pk)


def page_assessment_compare(user, client) -> str:
    """The client's latest assessment compared with the earlier ones."""
    assessment = _model("assessments.Assessment")
    if assessment.objects.filter(client=client).count() < 2:
        raise Unavailable("the client has fewer than two assessments")
    latest = assessment.objects.filter(client=client).order_by("-assessed_on", "-id").first()
    return _reverse(("assessment_compare", "assessments:assessment_compare"), latest.pk)


def page_assessment_detail(user, client) -> str:
    """The client's latest assessment."""
    assessment = _model("assessments.Assessment")
    latest = assessment.objects.filter(client=client).order_by("-assessed_on", "-id").first()
    if latest is None:
        raise Unavailable("the client has no assessment")
    return _reverse(("assessment_detail", "assessments:assessment_detail"), latest.pk)


def page_program(user, client) -> str:
    """The client's program page (the builder: the current program and the library)."""
    _model("programs.ProgramVersion")
    return _reverse(("builder", "programs:builder"), client.pk)


def page_handout_pdf(user, client) -> str:
    program = _model("programs.ProgramVersion")
    version = program.objects.filter(client=client, signed_at__isnull=False).order_by("-number").first()
    if version is None:
        raise Unavailable("the client has no issued program")
    return _reverse(("programs:version_handout", "version_handout"), version.pk)


def search_term(client: Client) -> str:
    """What the front desk types: the first three letters of a surname (one that
    exists in either data set, so the page lists results in both)."""
    return client.last_name[:3].lower()


def pages(user: User) -> list[dict]:
    """Every page the benchmark drives, in order; the floor first."""
    client = long_history_client(user)
    found = [
        {"name": "floor", "kind": "text", "path": reverse("ping")},
        {"name": "client_list", "kind": "html", "path": reverse("client_list")},
        {
            "name": "client_search",
            "kind": "html",
            "path": f"{reverse('client_list')}?q={search_term(client)}",
        },
        {"name": "client_chart", "kind": "html", "path": reverse("client_detail", args=[client.pk])},
    ]
    for name, kind, builder in (
        ("note", "html", page_note),
        ("assessment_compare", "html", page_assessment_compare),
        ("assessment_detail", "html", page_assessment_detail),
        ("program", "html", page_program),
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
            "full_scans": full_scans([q["sql"] for q in ctx.captured_queries]),
            # One request at a time, no HTTP server: the page's own cost.
            "median_ms": _median_ms(lambda path=page["path"]: http.get(path), TIMED_REQUESTS),
        }
    return out


def full_scans(statements: list[str]) -> list[str]:
    """Tables a page's SELECTs read end to end (no index): candidates for an index.
    Small lookup tables (the catalogues) are scanned by design and still listed."""
    found = []
    with connection.cursor() as cursor:
        for sql in statements:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            if " WHERE " not in sql and sql.rstrip().endswith("DESC LIMIT 1"):
                continue  # the audit chain's "latest row": a walk back from the end, by primary key
            try:
                if connection.vendor == "sqlite":
                    cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
                    plan = [row[-1] for row in cursor.fetchall()]
                    scans = [line for line in plan if line.startswith("SCAN") and "USING" not in line]
                else:
                    cursor.execute(f"EXPLAIN {sql}")
                    plan = [row[0] for row in cursor.fetchall()]
                    scans = [line.strip() for line in plan if "Seq Scan" in line]
            except Exception:  # a statement that cannot be explained as captured
                continue
            found.extend(f"{scan}  <-  {sql[:120]}" for scan in scans)
    return found


def _median_ms(func, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 2)


def render_handout(*, user, client):
    """The pure handout renderer on an issued 8-exercise program (data fetched first)."""
    try:
        from programs.handout import render_handout as render
        from programs.models import ProgramVersion
        from programs.pages import handout_data
    except ImportError as exc:
        raise Unavailable(f"programs offers no handout renderer: {exc}") from None
    from django.db.models import Count

    version = (
        ProgramVersion.objects.issued()
        .filter(client__in=Client.objects.clinical_for(user))
        .annotate(n=Count("items"))
        .filter(n=8)
        .select_related("client", "signed_by")
        .order_by("id")
        .first()
    )
    if version is None:
        raise Unavailable("no issued program with 8 exercises")
    data = handout_data([version])
    pdf = render(data)
    return (lambda: render(data)), 50, {"exercises": len(data.programs[0].exercises), "bytes": len(pdf)}


def render_note(*, user, client):
    """The pure note renderer on the long-history client's latest signed note."""
    try:
        from notes import pages
        from notes.pdf import render_note_pdf
    except ImportError as exc:
        raise Unavailable(f"notes offers no note renderer: {exc}") from None
    note = _latest_signed_note(client)
    data = pages.note_pdf_data(pages.note_page(note))
    pdf = render_note_pdf(data)
    return (lambda: render_note_pdf(data)), 50, {"bytes": len(pdf)}


def _export_target(user):
    """A client with about 100 visits (the issue's figure), on the user's list."""
    target = (
        Client.objects.clinical_for(user)
        .annotate(n=Count("visit_notes"))
        .filter(n__gte=90, n__lte=130)
        .order_by("n", "id")
        .first()
    )
    if target is None:
        raise Unavailable("no client with about 100 visits")
    return target


def _export_parts():
    try:
        from trust.export import collect_client_export, collect_pdf_parts, render_json, render_pdf
    except ImportError:
        raise Unavailable("no full-record export in the code base yet") from None
    return collect_client_export, render_json, render_pdf, collect_pdf_parts


def render_export(*, user, client):
    """The full-record export (JSON) of a client with about 100 visits: gathering
    every record and rendering the document, as the download view does."""
    collect, render_json, _render_pdf, _parts = _export_parts()
    target = _export_target(user)
    admin = User.objects.get(username="bench-admin")
    visits = _model("notes.VisitNote").objects.filter(client=target).count()
    body = render_json(collect(client=target, by=admin))
    return (lambda: render_json(collect(client=target, by=admin))), 5, {"visits": visits, "bytes": len(body)}


def render_export_pdf(*, user, client):
    """The same export as a PDF."""
    from clinic.models import ClinicProfile
    from core.pdf import Letterhead

    collect, _render_json, render_pdf, collect_parts = _export_parts()
    target = _export_target(user)
    admin = User.objects.get(username="bench-admin")
    letterhead = Letterhead.from_profile(ClinicProfile.load())
    visits = _model("notes.VisitNote").objects.filter(client=target).count()

    def run():
        # As the download view prints it: the chart-like layout with each app's part.
        return render_pdf(
            collect(client=target, by=admin),
            letterhead=letterhead,
            parts=collect_parts(client=target, by=admin),
        )

    return run, 3, {"visits": visits, "bytes": len(run())}


def cmd_render() -> dict:
    """PDF render time of the pure render functions, and the full-record export."""
    user = bench_user()
    client = long_history_client(user)
    out = {}
    for name, prepare in (
        ("handout_pdf_8_exercises", render_handout),
        ("note_pdf", render_note),
        ("export_100_visits", render_export),
        ("export_100_visits_pdf", render_export_pdf),
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
    out.update(cmd_worst())
    return out


# --- Worst-case printouts: the longest text a field accepts, and far longer stored text ---------


def _letter(size: int, *, words: bool) -> str:
    """A pasted letter without line breaks: words, or one unbroken run (the slowest to lay out)."""
    unit = "thank you for seeing this client again " if words else "thankyouforseeingthisclientagain"
    return (unit * (size // len(unit) + 1))[:size]


def _worst_note(size: int, *, words: bool):
    from datetime import UTC, date, datetime

    from core.pdf import Letterhead
    from notes.pages import NotePdfData, PdfAmendment, PdfTreatment
    from notes.pdf import render_note_pdf

    text = _letter(size, words=words)
    data = NotePdfData(
        letterhead=Letterhead(name="Bench Clinic", address=_letter(6_000, words=False)),
        client_name="Bench Client",
        client_dob=date(1980, 1, 2),
        service_at=datetime(2026, 11, 2, 9, 30, tzinfo=UTC),
        duration_minutes=45,
        therapist="Bench Therapist",
        kind="Follow-up",
        status="Signed",
        in_error=False,
        error_reason="",
        sections=[("S · Subjective", [("Notes", text)]), ("A · Assessment", [("", "Settling.")])],
        treatments=[PdfTreatment("Sports massage", "Calf", "Left", 10, 3, "eased", text)],
        palpation=[],
        assessment=None,
        signed=True,
        signature_line="Bench Therapist",
        signed_at=datetime(2026, 11, 2, 11, 0, tzinfo=UTC),
        late_entry=False,
        content_hash="ab" * 32,
        amendments=[
            PdfAmendment("Addendum", "Bench Therapist", datetime(2026, 11, 3, tzinfo=UTC), "Letter", text)
        ],
        flags=[],
    )
    return lambda: render_note_pdf(data)


def _worst_handout(count: int, steps: int):
    from datetime import date

    from core.pdf import Letterhead
    from programs.handout import HandoutData, HandoutExercise, HandoutProgram, render_handout

    step = _letter(steps, words=False)
    exercises = [
        HandoutExercise(name=f"Exercise {n}", steps=[step], sets=2, reps=10, frequency="Daily")
        for n in range(1, count + 1)
    ]
    program = HandoutProgram(
        client_name="Bench Client",
        client_dob=date(1980, 1, 2),
        therapist="Bench Therapist",
        issued_on=date(2026, 11, 2),
        start_date=date(2026, 11, 2),
        review_date=None,
        version_number=1,
        exercises=exercises,
    )
    data = HandoutData(letterhead=Letterhead(name="Bench Clinic"), programs=[program])
    return lambda: render_handout(data)


def cmd_worst() -> dict:
    """Render time of printouts at their worst: a note whose free text (in a SOAP
    field, a treatment note and an addendum) is one unbroken run of the longest
    length a field accepts (10,000) or of far longer text stored before the limits;
    handouts of 60 exercises with 5,000-character steps. Pure renderers, no queries."""
    cases = [
        ("note_pdf_10k_unbroken", _worst_note(10_000, words=False), 5, {"chars": 3 * 10_000}),
        ("note_pdf_10k_words", _worst_note(10_000, words=True), 5, {"chars": 3 * 10_000}),
        ("note_pdf_100k_unbroken", _worst_note(100_000, words=False), 1, {"chars": 3 * 100_000}),
        ("note_pdf_1m_unbroken", _worst_note(1_000_000, words=False), 1, {"chars": 3 * 1_000_000}),
        ("handout_pdf_25_exercises", _worst_handout(25, 200), 3, {"exercises": 25}),
        ("handout_pdf_60_exercises_5k_steps", _worst_handout(60, 5_000), 1, {"exercises": 60}),
    ]
    out = {}
    for name, func, runs, detail in cases:
        pages = _pages(func())
        out[name] = {
            "median_ms": _median_ms(func, runs),
            "cpu_ms": _median_cpu_ms(func, runs),
            "runs": runs,
            "pages": pages,
            **detail,
        }
    return out


def _median_cpu_ms(func, runs: int) -> float:
    """Processor time, which a busy shared machine does not inflate as it does wall time."""
    times = []
    for _ in range(runs):
        start = time.process_time()
        func()
        times.append((time.process_time() - start) * 1000)
    return round(statistics.median(times), 2)


def _pages(pdf: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


TIMING_PAGES = ("floor", "client_list", "client_search", "client_chart", "note")
TIMING_REQUESTS = int(os.environ.get("BENCH_TIMING_REQUESTS", "200"))


def cmd_timing() -> dict:
    """Each everyday page requested TIMING_REQUESTS times in a row by one signed-in
    therapist (django.test.Client, no HTTP server): median and mean wall time, and the
    median as a multiple of the floor's; and the median processor time of this process."""
    user = bench_user()
    http = HttpClient()
    http.force_login(user)
    out: dict = {"vendor": connection.vendor, "requests": TIMING_REQUESTS}
    for page in pages(user):
        if page["name"] not in TIMING_PAGES or not page["path"]:
            continue
        path = page["path"]
        assert http.get(path).status_code == 200, path
        times, cpu = [], []
        for _ in range(TIMING_REQUESTS):
            start, start_cpu = time.perf_counter(), time.process_time()
            http.get(path)
            cpu.append((time.process_time() - start_cpu) * 1000)
            times.append((time.perf_counter() - start) * 1000)
        out[page["name"]] = {
            "median_ms": round(statistics.median(times), 2),
            "mean_ms": round(statistics.fmean(times), 2),
            # This process's processor time: what a busy shared machine inflates least
            # (the database server's own work is not in it on PostgreSQL).
            "median_cpu_ms": round(statistics.median(cpu), 2),
        }
    floor = out["floor"]["median_ms"]
    for name in TIMING_PAGES:
        if name in out:
            out[name]["x_floor"] = round(out[name]["median_ms"] / floor, 2)
    return out


# --- Cold pages: the first view after a write -------------------------------------------------

# The pages kept in the page cache (clinic.page_cache) or whose total is kept per care-team
# version (the client list); the search keeps nothing and is measured the same way.
COLD_PAGES = (
    "client_list",
    "client_search",
    "client_chart",
    "note",
    "assessment_compare",
    "assessment_detail",
    "program",
)
LIST_PAGES = ("client_list", "client_search")
COLD_REQUESTS = int(os.environ.get("BENCH_COLD_REQUESTS", "15"))


def _record_version(client_pk: int) -> int:
    return Client.objects.values_list("record_version", flat=True).get(pk=client_pk)


def _care_team_version() -> int | None:
    from clinic.models import CareTeamVersion

    return CareTeamVersion.objects.values_list("version", flat=True).filter(pk=1).first()


class RecordWriter:
    """A real edit of the client's record through the product's service
    (``clinic.services.client_update``): the occupation is changed on one call and put
    back on the next. The database's trigger bumps the client's record version, so
    every cached page about the client is rendered afresh on its next view."""

    def __init__(self, client: Client, by: User):
        self.pk, self.by = client.pk, by
        self.original = Client.objects.get(pk=client.pk).occupation
        limit = Client._meta.get_field("occupation").max_length or 100
        self.other = self.original + "." if len(self.original) < limit else self.original[:-1]
        self.writes = 0

    def write(self) -> None:
        from clinic.services import client_update

        before = _record_version(self.pk)
        current = Client.objects.get(pk=self.pk)
        value = self.other if self.writes % 2 == 0 else self.original
        client_update(client=current, by=self.by, data={"occupation": value}, version=current.version)
        self.writes += 1
        if _record_version(self.pk) <= before:
            raise RuntimeError("the write did not move the client's record version")

    def restore(self) -> None:
        if self.writes % 2:
            self.write()


class ListWriter:
    """A real change to who is on the list (``clinic.services.client_set_status``): a
    client of the user's, not the one whose pages are measured, archived on one call and
    restored on the next. The database's trigger bumps the care-team version, which
    the list's cached total is kept by."""

    def __init__(self, client: Client, by: User):
        other = Client.objects.clinical_for(by).exclude(pk=client.pk).filter(status="active").order_by("id")
        toggled = other.first()
        if toggled is None:
            raise Unavailable("the user has no other active client to archive and restore")
        self.pk, self.by = toggled.pk, by
        self.statuses = (Client.Status.ARCHIVED, Client.Status.ACTIVE)
        self.writes = 0

    def write(self) -> None:
        from clinic.services import client_set_status

        before = _care_team_version()
        status = self.statuses[self.writes % 2]
        client_set_status(client=Client.objects.get(pk=self.pk), by=self.by, status=status)
        self.writes += 1
        after = _care_team_version()
        if before is None or after is None or after <= before:
            raise RuntimeError("the write did not move the care-team version")

    def restore(self) -> None:
        if self.writes % 2:
            self.write()


def cold_figures(http, path: str, write, runs: int) -> dict:
    """Warm: the page requested again with nothing written (median of ``runs``). Cold:
    ``runs`` times a write then one request; only the request is timed."""
    assert http.get(path).status_code == 200, path
    warm = []
    for _ in range(runs):
        start = time.perf_counter()
        http.get(path)
        warm.append((time.perf_counter() - start) * 1000)
    cold, statuses = [], set()
    for _ in range(runs):
        write()
        start = time.perf_counter()
        response = http.get(path)
        cold.append((time.perf_counter() - start) * 1000)
        statuses.add(response.status_code)
    return {
        "path": path,
        "runs": runs,
        "warm_ms": round(statistics.median(warm), 2),
        "cold_ms": round(statistics.median(cold), 2),
        "status": sorted(statuses),
    }


def cmd_cold() -> dict:
    """Each cached page one request at a time (django.test.Client, no HTTP server), warm
    and cold: cold is the first view after a real write through the product's services
    that moves the version the page is kept by (the client's record version for the
    pages about the client; the care-team version for the list). The floor is measured
    in the same run; the ratios are to its median."""
    from django.conf import settings

    user = bench_user()
    client = long_history_client(user)
    http = HttpClient()
    http.force_login(user)
    found = {page["name"]: page for page in pages(user)}
    floor_path = found["floor"]["path"]
    http.get(floor_path)
    out: dict = {
        "requests": COLD_REQUESTS,
        "cache_backend": settings.CACHES["pages"]["BACKEND"].rsplit(".", 1)[-1],
        "pages": {},
    }
    record, listing = RecordWriter(client, user), None
    try:
        listing = ListWriter(client, user)
    except Unavailable as exc:
        list_unavailable = str(exc)
    try:
        for name in COLD_PAGES:
            page = found.get(name)
            if page is None or not page.get("path"):
                out["pages"][name] = {"unavailable": page["unavailable"] if page else "not driven"}
                continue
            if name in LIST_PAGES and listing is None:
                out["pages"][name] = {"unavailable": list_unavailable}
                continue
            writer = listing if name in LIST_PAGES else record
            out["pages"][name] = {
                "write": "client_set_status" if name in LIST_PAGES else "client_update",
                **cold_figures(http, page["path"], writer.write, COLD_REQUESTS),
            }
    finally:
        record.restore()
        if listing is not None:
            listing.restore()
    out["floor_ms"] = _median_ms(lambda: http.get(floor_path), max(COLD_REQUESTS, 15))
    for row in out["pages"].values():
        if "cold_ms" in row and out["floor_ms"]:
            row["warm_x_floor"] = round(row["warm_ms"] / out["floor_ms"], 2)
            row["cold_x_floor"] = round(row["cold_ms"] / out["floor_ms"], 2)
    return out


COMMANDS = {
    "status": cmd_status,
    "prepare": cmd_prepare,
    "queries": cmd_queries,
    "render": cmd_render,
    "worst": cmd_worst,
    "timing": cmd_timing,
    "cold": cmd_cold,
}

if __name__ == "__main__":
    print(json.dumps(COMMANDS[sys.argv[1]](), default=str))
