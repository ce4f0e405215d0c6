"""Synthetic clinic-chain data for the benchmark: ten years of a busy practice.

    python manage.py seed_scale            # 20,000 clients, 200,000 visit notes, ...
    python manage.py seed_scale --small    # a few hundred rows, same shape (tests)

The command (bench/management/commands/seed_scale.py) only reads its options and
calls ``seed_scale`` here. The bench app is installed only where the bench folder is
(a checkout, not an installed package), so the shipped apps carry no benchmark code.

Rows go in with executemany in batches, with primary keys handed out by the
command, one transaction per chunk of clients, so the full default set loads
in minutes on two cores, on SQLite and PostgreSQL alike. Simple-history rows
are not written (real use would have them); each client gets the one "create"
audit row the app writes when a client is registered, so the audit table is
not empty.

Signed records and the lock triggers: a trigger refuses a child row (treatment
row, measurement) under a signed parent, and refuses any change to a signed
row. So each chunk inserts its parents unsigned, then their children, then
signs the parents, which the triggers allow while a row is still unsigned.

The clinical apps' models are reached by name (``apps.get_model``); an app
whose models are missing is skipped with a message.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction
from django.db.models import (
    Case,
    DateTimeField,
    ExpressionWrapper,
    Max,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Now
from django.utils import timezone

from assessments.catalogue import GRADE_VALUES, MEASURES
from audit import chain_head
from audit.log import GENESIS_HASH, current_key, sign_event
from audit.models import AuditEvent
from clinic import care_team_version
from clinic.models import Client, Consent, HealthScreen, ScreenAnswer, User
from clinic.screening import CONSENT_TEXT_VERSION, QUESTIONS

# Bump when the shape of the data changes, so `make bench` rebuilds its data sets.
SEED_VERSION = 2
BENCH_PASSWORD = "kinetic-bench"
BATCH = 2000
CHUNK_CLIENTS = 400

FULL = {"clients": 20_000, "notes": 200_000, "assessments": 100_000, "programs": 50_000}
SMALL = {"clients": 60, "notes": 400, "assessments": 120, "programs": 40}

# A handful of therapists; the first ones are the busy ones (share of primary clients).
THERAPISTS = [
    ("bench-t1", "Jordan", "Hale", 0.30, "RMT, BSc Sports Therapy"),
    ("bench-t2", "Casey", "Moreno", 0.22, "RMT"),
    ("bench-t3", "Riley", "Nakamura", 0.18, "RMT, MSc"),
    ("bench-t4", "Avery", "Osei", 0.12, "RMT"),
    ("bench-t5", "Quinn", "Larsen", 0.10, "LMT"),
    ("bench-t6", "Rowan", "Duarte", 0.08, "RMT"),
]
ADMIN = ("bench-admin", "Taylor", "Brennan")


def _words(text: str) -> list[str]:
    return text.split()


FIRST = _words(
    "Aaliyah Aaron Abdul Ada Adam Aiden Alex Alice Amara Amelia Ana Andrew Anna Arjun Ava Ben Bella "
    "Caleb Camila Carlos Chloe Chris Claire Daniel David Diego Dylan Ella Elena Eli Emily Emma Ethan "
    "Eva Farah Felix Finn Freya Gabriel Grace Hana Harper Harry Hugo Ibrahim Isaac Isla Ivy Jack Jade "
    "James Jasmine Jay Jin John Jonas Julia Kai Kate Kenji Kofi Laila Lara Leo Liam Lily Lucas Lucy "
    "Maya Mei Mia Mila Mohammed Nadia Nathan Noah Nora Olivia Omar Oscar Priya Rafael Rosa Ruby Ryan "
    "Sara Sean Sofia Tariq Theo Tom Uma Victor Yusuf Zara Zoe"
)
LAST = _words(
    "Abbott Adams Ahmed Ali Allen Anderson Bailey Baker Banks Barnes Bell Bennett Brooks Brown Campbell "
    "Carter Chen Clarke Cole Collins Cook Cooper Cox Davies Dixon Edwards Evans Fisher Fletcher Foster "
    "Garcia Gray Green Hall Harris Hayes Hill Hughes Hussain Jackson James Jenkins Johnson Jones Kaur "
    "Kelly Khan Kim King Knight Lee Lewis Lopez Marshall Martin Mason Mills Mitchell Moore Morgan Murphy "
    "Murray Nguyen Novak O'Brien Owen Palmer Parker Patel Perez Phillips Price Reid Reyes Richards "
    "Roberts Robinson Rossi Russell Sanchez Scott Shaw Silva Singh Smith Stewart Taylor Thomas Thompson "
    "Turner Walker Ward Watson White Williams Wilson Wood Wright Young"
)
OCCUPATIONS = (
    "Nurse",
    "Teacher",
    "Software engineer",
    "Warehouse operative",
    "Chef",
    "Postal worker",
    "Retail assistant",
    "Retired",
    "Student",
    "Electrician",
    "Accountant",
    "Dancer",
)
SPORTS = ("Road running", "Trail running", "Football", "Netball", "Hiking", "Cycling", "Gym", "Tennis", "")


@dataclass
class Scale:
    clients: int
    notes: int
    assessments: int
    programs: int
    seed: int = 7
    rng: random.Random = field(init=False)

    def __post_init__(self):
        self.rng = random.Random(self.seed)


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def seed_scale(
    *,
    small: bool = False,
    clients: int | None = None,
    notes: int | None = None,
    assessments: int | None = None,
    programs: int | None = None,
    seed: int = 7,
    say=print,
) -> str:
    """Load the synthetic clinic into an empty database; return what it loaded, in words.
    Counts left as None take the full (or, with ``small``, the tiny) default."""
    base = SMALL if small else FULL
    given = {"clients": clients, "notes": notes, "assessments": assessments, "programs": programs}
    scale = Scale(**{key: given[key] if given[key] is not None else base[key] for key in base}, seed=seed)
    if scale.clients < 1 or min(scale.notes, scale.assessments, scale.programs) < 0:
        raise CommandError("Counts must be positive (and at least one client).")
    if User.objects.filter(username=THERAPISTS[0][0]).exists():
        raise CommandError("This database already holds the synthetic clinic; use a fresh database.")
    seeder = Seeder(scale, say)
    seeder.run()
    return seeder.summary()


class Seeder:
    def __init__(self, scale: Scale, say):
        self.scale = scale
        self.rng = scale.rng
        self.say = say
        self.now = timezone.now().replace(microsecond=0)
        self.counts: dict[str, int] = {}
        self.next_ids: dict[type, int] = {}
        self.apps = AppModels()

    # --- helpers ----------------------------------------------------------
    def _count(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def summary(self) -> str:
        return ", ".join(f"{n:,} {name}" for name, n in self.counts.items())

    def new_id(self, model) -> int:
        """Primary keys are handed out here, so rows go in without a round trip
        to learn their ids; sequences are moved past them at the end."""
        if model not in self.next_ids:
            self.next_ids[model] = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        value = self.next_ids[model]
        self.next_ids[model] = value + 1
        return value

    def insert(self, model, rows: list[dict], name: str) -> None:
        """INSERT rows with executemany. Each row is a dict keyed by attname
        (``note_id``); a missing field takes the model default, timestamps now.

        Building a model instance and running Django's insert compiler cost
        several times the database's own work here, so rows skip both."""
        if not rows:
            return
        fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in rows[0]]
        unknown = set(rows[0]) - {f.attname for f in fields}
        if unknown:
            raise CommandError(f"{model._meta.label} has no field {', '.join(sorted(unknown))}")
        defaults = {}
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                defaults[f.attname] = self.now
            else:
                defaults[f.attname] = f.get_default()
        prepared = {"DateTimeField", "DateField", "DecimalField", "JSONField"}
        plan = [(f.attname, f if f.get_internal_type() in prepared else None) for f in fields]
        # Defaults (the timestamps above all) are converted once, not per row.
        missing = object()
        for attname, model_field in plan:
            if model_field is not None and defaults[attname] is not None:
                defaults[attname] = model_field.get_db_prep_save(defaults[attname], connection)
        params = []
        for row in rows:
            values = []
            for attname, model_field in plan:
                value = row.get(attname, missing)
                if value is missing:
                    value = defaults[attname]
                elif model_field is not None and value is not None:
                    value = model_field.get_db_prep_save(value, connection)
                values.append(value)
            params.append(values)
        qn = connection.ops.quote_name
        sql = (
            f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY: one stream per table chunk, no statement to parse or plan
                # per row (PostgreSQL's own bulk-load path).
                columns = ", ".join(qn(f.column) for f in fields)
                with cursor.cursor.copy(f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
                    for values in params:
                        copy.write_row(values)
            else:
                for start in range(0, len(params), BATCH):
                    cursor.executemany(sql, params[start : start + BATCH])
        self._count(name, len(rows))

    # --- the run ----------------------------------------------------------
    def run(self) -> None:
        if connection.vendor == "postgresql":
            self._bulk_load_mode()
        self.staff()
        for missing in self.apps.missing():
            self.say(f"  {missing}: models not available yet, skipped")
        plan = self.plan_clients()
        for start in range(0, len(plan), CHUNK_CLIENTS):
            with transaction.atomic():
                self.chunk(plan[start : start + CHUNK_CLIENTS])
            done = min(start + CHUNK_CLIENTS, len(plan))
            if done % (CHUNK_CLIENTS * 10) == 0 or done == len(plan):
                self.say(f"  {done:,}/{len(plan):,} clients ({self.summary()})")
        # PostgreSQL: move each sequence past the ids handed out here.
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.next_ids))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
            # Planner statistics for the new rows, as autovacuum (PostgreSQL) or a
            # periodic ANALYZE (SQLite) would have them: without them PostgreSQL
            # still believes the tables empty and picks nested loops over scans.
            # PostgreSQL: VACUUM as well, as autovacuum would after a load. Rows loaded
            # after a GIN index was built wait in its pending list, which every search
            # reads end to end until a vacuum merges it: the trigram indexes of the
            # client search then cost more than reading the table (measured: 29 ms for
            # a three-letter search at 20,000 clients, 1.4 ms once merged).
            # (Inside a transaction, as in the tests, VACUUM cannot run: ANALYZE alone.)
            vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")
        # What the skipped triggers would have kept: the audit chain's head row and the
        # care-team version (the client list's cached total).
        chain_head.resync()
        care_team_version.bump()

    def _bulk_load_mode(self) -> None:
        """On PostgreSQL, load as a restore does: with ``session_replication_role``
        set to replica, row triggers (the record locks) and foreign-key checks are
        skipped for this session only. Rows are written in the order the locks
        demand anyway, and ids are handed out here, so nothing they would catch
        can happen; they cost most of the load time (the lock trigger alone about
        28 us a child row). Without the privilege, the load runs with them."""
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
        except DatabaseError:
            self.say("  (no privilege to defer triggers; loading with them, which is slower)")
            return
        self.say("  bulk load: triggers and foreign-key checks deferred for this session")

    def staff(self) -> None:
        password = make_password(BENCH_PASSWORD)
        with transaction.atomic():
            for username, first, last, _share, creds in THERAPISTS:
                User.objects.create(
                    username=username,
                    first_name=first,
                    last_name=last,
                    is_therapist=True,
                    credentials=creds,
                    email=f"{username}@bench.example",
                    password=password,
                )
            User.objects.create(
                username=ADMIN[0],
                first_name=ADMIN[1],
                last_name=ADMIN[2],
                is_clinic_admin=True,
                email=f"{ADMIN[0]}@bench.example",
                password=password,
            )
        self._count("users", len(THERAPISTS) + 1)
        self.therapists = list(
            User.objects.filter(username__in=[t[0] for t in THERAPISTS]).order_by("username")
        )
        self.lines = {t.pk: t.signature_line for t in self.therapists}
        self.admin = User.objects.get(username=ADMIN[0])
        self.shares = [t[3] for t in THERAPISTS]

    def plan_clients(self) -> list[dict]:
        """How many notes, assessments and program versions each client gets.

        Most clients come a few times; a quarter are regulars; one in twenty has
        a long history; and a few have come weekly for most of the ten years."""
        rng, scale = self.rng, self.scale
        kinds = rng.choices(["occasional", "regular", "long"], weights=[70, 25, 5], k=scale.clients)
        weight = {"occasional": 1.0, "regular": 6.0, "long": 40.0}
        weights = [weight[k] * rng.uniform(0.5, 1.5) for k in kinds]
        # A few decade-long clients (about 450 visits each at full scale), all
        # on the busiest therapist's list so the chart page has a worst case.
        decade = min(5, max(1, scale.clients // 4000))
        decade_visits = min(450, scale.notes // 20) if scale.notes else 0
        remaining = max(0, scale.notes - decade * decade_visits)
        visits = [0] * scale.clients
        for index in rng.choices(range(scale.clients), weights=weights, k=remaining):
            visits[index] += 1
        for index in range(decade):
            visits[index] += decade_visits
            kinds[index] = "decade"

        def spread(total: int) -> list[int]:
            # Assessments and programs follow visits: busier clients have more of each.
            out = [0] * scale.clients
            eligible = [i for i in range(scale.clients) if visits[i]]
            if not eligible or not total:
                return out
            for index in rng.choices(eligible, weights=[visits[i] for i in eligible], k=total):
                out[index] += 1
            return [min(out[i], visits[i]) for i in range(scale.clients)]

        assessments = spread(scale.assessments)
        programs = spread(scale.programs)
        plan = []
        for i in range(scale.clients):
            primary = 0 if kinds[i] == "decade" else rng.choices(range(len(self.therapists)), self.shares)[0]
            team = {primary}
            if rng.random() < 0.15 or kinds[i] == "decade":
                team.add(rng.randrange(len(self.therapists)))
            plan.append(
                {
                    "kind": kinds[i],
                    "primary": primary,
                    "team": sorted(team),
                    "visits": visits[i],
                    "assessments": assessments[i],
                    "programs": programs[i],
                }
            )
        return plan

    def chunk(self, plan: list[dict]) -> None:
        clients = self.clients(plan)
        self.intake(clients, plan)
        self.audit_created(clients)
        if self.apps.notes_ready():
            self.apps.seed_clinical(self, clients, plan)

    # --- clinic -----------------------------------------------------------
    def clients(self, plan: list[dict]) -> list[dict]:
        rng = self.rng
        rows = []
        for entry in plan:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            years = {"decade": 10, "long": rng.randint(3, 10)}.get(entry["kind"], rng.randint(0, 9))
            entry["first_visit"] = self.now - timedelta(days=365 * years + rng.randint(20, 300))
            rows.append(
                {
                    "id": self.new_id(Client),
                    "first_name": first,
                    "last_name": last,
                    "date_of_birth": date(rng.randint(1945, 2008), rng.randint(1, 12), rng.randint(1, 28)),
                    "sex": rng.choice("FFMMXU"),
                    "email": f"{first}.{last}{rng.randint(1, 9999)}@example.com".lower().replace("'", ""),
                    "phone": f"07700 {rng.randint(900000, 999999)}",
                    "occupation": rng.choice(OCCUPATIONS),
                    "sports": rng.choice(SPORTS),
                    "weekly_volume": f"{rng.randint(5, 80)} km/week",
                    "goals": "Train without pain",
                    "referral_source": rng.choice(("GP", "Word of mouth", "Running club", "")),
                    "involved_side": rng.choice("LRB"),
                    "primary_therapist_id": self.therapists[entry["primary"]].pk,
                    "status": Client.Status.ARCHIVED if rng.random() < 0.12 else Client.Status.ACTIVE,
                }
            )
        self.insert(Client, rows, "clients")
        self.insert(
            Client.care_team.through,
            [
                {"client_id": client["id"], "user_id": self.therapists[t].pk}
                for client, entry in zip(rows, plan, strict=True)
                for t in entry["team"]
            ],
            "care-team links",
        )
        return rows

    def intake(self, clients: list[dict], plan: list[dict]) -> None:
        rng = self.rng
        screens, answers, consents = [], [], []
        for client, entry in zip(clients, plan, strict=True):
            therapist_id = self.therapists[entry["primary"]].pk
            screen_id = self.new_id(HealthScreen)
            screens.append(
                {
                    "id": screen_id,
                    "client_id": client["id"],
                    "taken_at": entry["first_visit"],
                    "recorded_by_id": therapist_id,
                    "medications": "None",
                }
            )
            yes = {rng.choice(QUESTIONS).code} if rng.random() < 0.2 else set()
            answers.extend(
                {
                    "screen_id": screen_id,
                    "question": q.code,
                    "answer": q.code in yes,
                    "details": "Reported at intake" if q.code in yes else "",
                }
                for q in QUESTIONS
            )
            consents.append(
                {
                    "client_id": client["id"],
                    "given_at": entry["first_visit"],
                    "recorded_by_id": therapist_id,
                    "text_version": CONSENT_TEXT_VERSION,
                }
            )
        self.insert(HealthScreen, screens, "health screens")
        self.insert(ScreenAnswer, answers, "screen answers")
        self.insert(Consent, consents, "consents")

    def audit_created(self, clients: list[dict]) -> None:
        """One "create" row per client, chained and signed like the real ones."""
        prev = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS_HASH
        key = current_key()
        rows = []
        for client in clients:
            event = AuditEvent(
                at=self.now,
                actor=self.admin,
                actor_username=self.admin.username,
                client_id=client["id"],
                action="create",
                object_type="clinic.client",
                object_id=str(client["id"]),
                detail={"synthetic": True},
            )
            sign_event(event, prev, key)
            prev = event.hash
            rows.append({f.attname: getattr(event, f.attname) for f in AuditEvent._meta.concrete_fields})
            rows[-1]["id"] = self.new_id(AuditEvent)
        self.insert(AuditEvent, rows, "audit events")

    def visit_times(self, entry: dict) -> list[datetime]:
        """Visit times from the client's first visit up to an hour ago, ordered."""
        n = entry["visits"]
        if not n:
            return []
        rng = self.rng
        start = entry["first_visit"]
        span = (self.now - timedelta(days=1) - start).total_seconds()
        if entry["kind"] in ("occasional", "regular") and n < 30:
            # A course of care: visits one to three weeks apart from a start date.
            begin = start + timedelta(seconds=rng.uniform(0, max(0.0, span - n * 21 * 86400)))
            times, t = [], begin
            for _ in range(n):
                times.append(t)
                t += timedelta(days=rng.randint(7, 21))
        else:
            times = sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(n))
        # Clinic hours, on the hour or half hour, and never later than an hour ago.
        latest = self.now - timedelta(hours=1)
        out = []
        for t in times:
            t = min(t, latest).replace(
                hour=rng.randint(8, 18), minute=rng.choice((0, 30)), second=0, microsecond=0
            )
            while t > latest:
                t -= timedelta(days=1)
            out.append(t)
        return sorted(out)


class AppModels:
    """The clinical apps' models, looked up by name, and the rows each visit adds.

    Looked up in the app registry, so the seeder still loads a database whose
    schema lacks one of them (it says so and skips it)."""

    CORE = ("knee_to_wall", "heel_raise_reps", "nprs_first_step", "nprs_worst_24h")
    COMPLAINTS = (
        "Heel pain first thing in the morning, eases after ten minutes of walking.",
        "Tight calves after long runs; left worse than right.",
        "Ache along the inside of the shin during runs over 10 km.",
        "Hip aches after standing all shift.",
        "Plantar heel pain on the first steps after sitting.",
    )

    def __init__(self):
        self.note = _model("notes.VisitNote")
        self.treatment = _model("notes.Treatment")
        self.palpation = _model("notes.PalpationFinding")
        self.technique = _model("notes.Technique")
        self.region = _model("notes.BodyRegion")
        self.assessment = _model("assessments.Assessment")
        self.measurement = _model("assessments.Measurement")
        self.program = _model("programs.ProgramVersion")
        self.item = _model("programs.ProgramItem")
        self.exercise = _model("programs.Exercise")
        self.adherence = _model("programs.Adherence")
        self._catalogues_loaded = False
        self.children: dict[int, tuple[list[dict], list[dict]]] = {}

    def missing(self) -> list[str]:
        names = {
            "notes.VisitNote": self.note,
            "assessments.Assessment": self.assessment,
            "programs.ProgramVersion": self.program,
        }
        return [name for name, model in names.items() if model is None]

    def notes_ready(self) -> bool:
        return self.note is not None

    @staticmethod
    def has_field(model, name: str) -> bool:
        return model is not None and any(f.name == name for f in model._meta.get_fields())

    def _load_catalogues(self) -> None:
        if self._catalogues_loaded:
            return
        self.techniques = list(self.technique.objects.filter(active=True)) if self.technique else []
        self.regions = [r.pk for r in self.region.objects.filter(active=True)] if self.region else []
        self.exercises = list(self.exercise.objects.filter(is_active=True)) if self.exercise else []
        self.measures = {m.code: m for m in MEASURES}
        self.grade_values = GRADE_VALUES
        self._catalogues_loaded = True

    # --- per chunk ------------------------------------------------------------------
    def seed_clinical(self, seeder: Seeder, clients: list[dict], plan: list[dict]) -> None:
        """Assessments, notes and programs of one chunk of clients.

        Order matters for the lock triggers: parents go in unsigned, then their
        children, then one UPDATE signs the parents (allowed while unsigned)."""
        self._load_catalogues()
        rng = seeder.rng
        visits = []  # (client id, entry, index, time, therapist id, assessed?, draft?)
        for client, entry in zip(clients, plan, strict=True):
            times = seeder.visit_times(entry)
            team = [seeder.therapists[t].pk for t in entry["team"]]
            primary = seeder.therapists[entry["primary"]].pk
            assessed = set()
            if times and entry["assessments"] and self.assessment is not None:
                assessed = {0} | set(rng.sample(range(len(times)), min(len(times), entry["assessments"])))
                while len(assessed) > entry["assessments"]:
                    assessed.discard(max(assessed))
            # The latest visit of one client in twenty is still a draft (the home page's "unsigned").
            draft = len(times) - 1 if rng.random() < 0.05 else None
            for index, when in enumerate(times):
                therapist = primary if rng.random() < 0.9 else rng.choice(team)
                visits.append(
                    (client["id"], entry, index, when, therapist, index in assessed, index == draft)
                )
        if not visits:
            return
        assessments = self.assessments(seeder, visits)
        notes = self.notes(seeder, visits, assessments)
        self.programs(seeder, clients, plan, notes)
        self.sign(seeder, notes, assessments)

    # --- assessments --------------------------------------------------------------------
    def assessments(self, seeder: Seeder, visits: list) -> dict:
        if self.assessment is None:
            return {}
        rng = seeder.rng
        by_key, measurements = {}, []
        for client_id, _entry, index, when, therapist, assessed, draft in visits:
            if not assessed:
                continue
            row = {
                "id": seeder.new_id(self.assessment),
                "client_id": client_id,
                "therapist_id": therapist,
                "assessed_on": when.date(),
                "findings": {"foot": "Tender medial calcaneal tubercle"} if index == 0 else {},
                "draft": draft,
            }
            if not draft:
                row["signed_by_id"] = therapist
                row["signature_line"] = seeder.lines[therapist]
            by_key[(client_id, index)] = row
            if self.measurement is not None:
                measurements.extend(self.measurements_for(rng, row["id"]))
        seeder.insert(self.assessment, [_db(row) for row in by_key.values()], "assessments")
        seeder.insert(self.measurement, measurements, "measurements")
        return by_key

    def measurements_for(self, rng: random.Random, assessment_id: int) -> list:
        measures = self.measures
        if not measures:
            return []
        codes = [c for c in self.CORE if c in measures]
        others = [c for c in measures if c not in codes]
        codes += rng.sample(others, min(len(others), rng.randint(2, 5)))
        rows = []
        for code in codes:
            measure = measures[code]
            # Measures with test positions are compared only within one position.
            position = measure.positions[0][0] if getattr(measure, "positions", ()) else ""
            for side in ("L", "R") if measure.per_side else ("",):
                rows.append(
                    {
                        "assessment_id": assessment_id,
                        "code": code,
                        "side": side,
                        "position": position,
                        **self.value(rng, measure),
                    }
                )
        return rows

    def value(self, rng: random.Random, measure) -> dict:
        kind = measure.value_type
        if kind in ("posneg", "choice"):
            return {"choice": rng.choice(measure.choices)[0]}
        if kind == "grade":
            choice = rng.choice([c for c, _label in measure.choices if c in self.grade_values] or ["4"])
            return {"choice": choice, "value": self.grade_values.get(choice, Decimal(4))}
        if kind == "domains":
            poor = rng.sample([c for c, _label in measure.choices], rng.randint(0, 2))
            return {"value": Decimal(len(poor)), "detail": ",".join(poor)}
        if kind == "count_of":  # monofilament: sites felt of sites tested
            return {"value": Decimal(rng.randint(2, 3)), "detail": "3"}
        if measure.code.startswith("nprs"):
            return {"value": Decimal(rng.randint(0, 7))}
        low = measure.min_value if measure.min_value is not None else Decimal(0)
        high = measure.max_value if measure.max_value is not None else Decimal(10)
        raw = float(low) + float(high - low) * rng.uniform(0.3, 0.7)
        return {"value": Decimal(f"{raw:.1f}") if kind == "decimal" else Decimal(round(raw))}

    # --- notes ----------------------------------------------------------------------------
    def notes(self, seeder: Seeder, visits: list, assessments: dict) -> dict:
        rng = seeder.rng
        link = self.has_field(self.note, "assessment")
        by_key, treatments, palpation = {}, [], []
        for client_id, entry, index, when, therapist, _assessed, draft in visits:
            row = {
                "id": seeder.new_id(self.note),
                "client_id": client_id,
                "therapist_id": therapist,
                "service_at": when,
                "duration_minutes": rng.choice((30, 45, 60, 60, 60, 90)),
                "kind": "initial"
                if index == 0
                else ("discharge" if index == entry["visits"] - 1 else "follow_up"),
                "chief_complaint": rng.choice(self.COMPLAINTS),
                "focus": "Calf and plantar fascia; hip strength",
                "nprs_first_step": rng.randint(0, 8),
                "nprs_rest": rng.randint(0, 4),
                "nprs_worst_24h": rng.randint(1, 9),
                "change_since_last": ""
                if index == 0
                else rng.choice(("better", "same", "much_better", "worse")),
                "subjective": "Reports " + rng.choice(self.COMPLAINTS).lower() + " Working full shifts.",
                "objective": "Increased tone gastrocnemius medial head; tender MCT on palpation. "
                "Gait: mild overstride.",
                "analysis": "Findings: calf and plantar fascia tender after the rise in running volume.",
                "plan_next": "Review heel-raise capacity; progress loading if pain stays at or below 3/10 "
                "the next morning.",
                "frequency": "Weekly for four weeks",
                "goals": "First-step pain at or below 2/10 within six weeks.",
                "draft": draft,
            }
            if not draft:
                row["signed_by_id"] = therapist
                row["signature_line"] = seeder.lines[therapist]
            if link and (client_id, index) in assessments:
                row["assessment_id"] = assessments[(client_id, index)]["id"]
            by_key[(client_id, index)] = row
            if self.treatment is not None and self.techniques and self.regions:
                for order in range(rng.randint(2, 4)):
                    technique = rng.choice(self.techniques)
                    treatments.append(
                        {
                            "note_id": row["id"],
                            "technique_id": technique.pk,
                            "region_id": rng.choice(self.regions),
                            "side": rng.choice("LRB"),
                            "minutes": rng.choice((5, 10, 10, 15, 20)),
                            "pressure": rng.randint(2, 4),
                            "grade": rng.choice(("I", "II", "III")) if technique.has_grade else "",
                            "response": rng.choice(("eased", "eased", "tolerated", "tender")),
                            "order": order,
                        }
                    )
            if self.palpation is not None and self.regions and rng.random() < 0.6:
                palpation.append(
                    {
                        "note_id": row["id"],
                        "region_id": rng.choice(self.regions),
                        "side": rng.choice("LR"),
                        "tone": rng.choice(("increased", "normal", "guarding")),
                        "tenderness": rng.randint(0, 3),
                        "trigger_points": rng.random() < 0.3,
                    }
                )
        seeder.insert(self.note, [_db(row) for row in by_key.values()], "visit notes")
        seeder.insert(self.treatment, treatments, "treatment rows")
        seeder.insert(self.palpation, palpation, "palpation rows")
        # Each note's rows, in the order its signature takes them: treatments by
        # (order, id) and palpation by id, as inserted here.
        self.children = {row["id"]: ([], []) for row in by_key.values()}
        for treatment in treatments:
            self.children[treatment["note_id"]][0].append(treatment)
        for finding in palpation:
            self.children[finding["note_id"]][1].append(finding)
        return by_key

    # --- programs ----------------------------------------------------------------------------
    def programs(self, seeder: Seeder, clients: list[dict], plan: list[dict], notes: dict) -> None:
        """Program versions issued at visits, each with 4-8 exercises.

        Version n of a client is based on version n-1; all are issued (signed)
        once their items are in, and the newest stays the current program."""
        if self.program is None or self.item is None or not self.exercises:
            return
        rng = seeder.rng
        at_visit = self.has_field(self.program, "issued_at_visit")
        versions, items, issues = [], [], {}
        for client, entry in zip(clients, plan, strict=True):
            n = min(entry["programs"], entry["visits"])
            previous = None
            for number, visit_index in enumerate(sorted(rng.sample(range(entry["visits"]), n)), start=1):
                note = notes[(client["id"], visit_index)]
                day = note["service_at"].date()
                row = {
                    "id": seeder.new_id(self.program),
                    "client_id": client["id"],
                    "created_by_id": note["therapist_id"],
                    "based_on_id": previous,
                    "number": number,
                    "start_date": day,
                    "review_date": day + timedelta(weeks=4),
                    "signed_by_id": note["therapist_id"],
                    "signature_line": seeder.lines[note["therapist_id"]],
                    "issued": note["service_at"] + timedelta(minutes=50),
                }
                if at_visit:
                    row["issued_at_visit_id"] = note["id"]
                versions.append(row)
                previous = row["id"]
                chosen = rng.sample(self.exercises, min(len(self.exercises), rng.randint(4, 8)))
                item_ids = []
                for position, exercise in enumerate(chosen):
                    item_ids.append(seeder.new_id(self.item))
                    items.append(
                        {
                            "id": item_ids[-1],
                            "version_id": row["id"],
                            "exercise_id": exercise.pk,
                            "position": position,
                            "sets": exercise.sets,
                            "reps": exercise.reps,
                            "hold_seconds": exercise.hold_seconds,
                            "tempo": exercise.tempo,
                            "frequency": exercise.frequency,
                            "side": rng.choice(("", "L", "R", "B")),
                        }
                    )
                issues.setdefault(client["id"], []).append((visit_index, item_ids))
        # A client may hold one draft at a time and items may not go in under an
        # issued version: so versions go in unsigned, in rounds with one version
        # per client, each round followed by its items and then its issue.
        for batch in _rounds(versions, key="client_id"):
            seeder.insert(self.program, [_db(row, drop=("issued",)) for row in batch], "program versions")
            ids = {row["id"] for row in batch}
            seeder.insert(self.item, [i for i in items if i["version_id"] in ids], "program items")
            self.sign_rows(self.program, batch, lambda row: row["issued"])
        self.adherence_rows(seeder, notes, issues)

    def sign_rows(self, model, rows: list[dict], when) -> None:
        """signed_at per row, in one UPDATE per batch (CASE on id)."""
        for start in range(0, len(rows), 500):
            batch = rows[start : start + 500]
            whens = [When(pk=row["id"], then=Value(when(row))) for row in batch]
            model.objects.filter(pk__in=[row["id"] for row in batch], signed_at__isnull=True).update(
                signed_at=Case(*whens, output_field=DateTimeField())
            )

    def adherence_rows(self, seeder: Seeder, notes: dict, issues: dict) -> None:
        """At about half the visits after a program was issued, the client reports
        how each exercise of the current version went (before the note is signed)."""
        if self.adherence is None:
            return
        rng = seeder.rng
        at_visit = self.has_field(self.adherence, "visit")
        visits_by_client: dict[int, list] = {}
        for (client_id, index), note in notes.items():
            visits_by_client.setdefault(client_id, []).append((index, note))
        rows, seen = [], set()
        for client_id, pending in issues.items():
            current = None
            pending = sorted(pending, key=lambda pair: pair[0])
            for index, note in sorted(visits_by_client[client_id], key=lambda pair: pair[0]):
                if current is not None and rng.random() < 0.5:
                    day = note["service_at"].date()
                    for item_id in current:
                        if (item_id, day) in seen:
                            continue
                        seen.add((item_id, day))
                        row = {
                            "client_id": client_id,
                            "item_id": item_id,
                            "recorded_on": day,
                            "recorded_by_id": note["therapist_id"],
                            "days_per_week": rng.randint(0, 7),
                            "pain_response": rng.choice(("green", "green", "amber", "red")),
                        }
                        if at_visit:
                            row["visit_id"] = note["id"]
                        rows.append(row)
                while pending and pending[0][0] <= index:
                    current = pending.pop(0)[1]
        seeder.insert(self.adherence, rows, "adherence rows")

    # --- signing ---------------------------------------------------------------------------------
    def sign(self, seeder: Seeder, notes: dict, assessments: dict) -> None:
        """Sign every note that is not a draft, and its visit's assessment with it
        (as note signing does), an hour after the visit.

        A note is signed as the product signs it: with the content hash of its
        fields, treatments and palpation rows, its signer and signing time, so a
        signed note's page finds its content intact (no mismatch warning, no
        security audit row). The hash is taken here from the rows this seeder
        inserted, and set in the same UPDATE as signed_at (the lock trigger
        refuses any later change to a signed row)."""
        signed = [row for row in notes.values() if not row["draft"]]
        self.sign_notes(signed)
        seeder._count("visit notes signed", len(signed))
        if assessments:
            signed = [row for row in assessments.values() if not row["draft"]]
            link = self.has_field(self.note, "assessment")
            visit = self.note.objects.filter(assessment=OuterRef("pk")).values("service_at")[:1]
            self.sign_range(self.assessment, signed, Subquery(visit) if link else Now())
            seeder._count("assessments signed", len(signed))

    def sign_notes(self, rows: list[dict]) -> None:
        """signed_at and content_hash per note, in one UPDATE per batch joined to a
        VALUES list (a CASE on id costs the database a scan of its arms per row)."""
        signed_at_field = self.note._meta.get_field("signed_at")
        hashes = self.note_hashes(rows)
        qn = connection.ops.quote_name
        table, pk, signed_at, content_hash = (
            qn(self.note._meta.db_table),
            qn(self.note._meta.pk.column),
            qn(signed_at_field.column),
            qn(self.note._meta.get_field("content_hash").column),
        )
        with connection.cursor() as cursor:
            for start in range(0, len(rows), BATCH):
                batch = rows[start : start + BATCH]
                params = []
                for row in batch:
                    when, digest = hashes[row["id"]]
                    params += [row["id"], signed_at_field.get_db_prep_save(when, connection), digest]
                cursor.execute(
                    f"UPDATE {table} SET {signed_at} = v.column2, {content_hash} = v.column3 "
                    f"FROM (VALUES {', '.join(['(%s, %s, %s)'] * len(batch))}) AS v "
                    f"WHERE {table}.{pk} = v.column1 AND {table}.{signed_at} IS NULL",
                    params,
                )

    def note_hashes(self, rows: list[dict]) -> dict[int, tuple[datetime, str]]:
        """(signed_at, content hash) per note id, from unsaved instances built from
        the inserted rows: what ``note_content_hash`` gives on the rows read back."""
        from notes.services import note_content_hash

        out = {}
        for row in rows:
            signed_at = row["service_at"] + timedelta(hours=1)
            note = self.note(**_db(row), signed_at=signed_at)
            treatments, palpation = self.children[row["id"]]
            out[row["id"]] = (
                signed_at,
                note_content_hash(
                    note,
                    [self.treatment(**t) for t in treatments],
                    [self.palpation(**p) for p in palpation],
                ),
            )
        return out

    def sign_range(self, model, rows: list[dict], expression) -> None:
        ids = [row["id"] for row in rows]
        for start in range(0, len(ids), BATCH):
            model.objects.filter(pk__in=ids[start : start + BATCH], signed_at__isnull=True).update(
                signed_at=ExpressionWrapper(expression, output_field=DateTimeField())
            )


def _db(row: dict, drop: tuple[str, ...] = ()) -> dict:
    """A row without the seeder's own bookkeeping keys."""
    return {k: v for k, v in row.items() if k not in ("draft", *drop)}


def _rounds(rows: list[dict], *, key: str):
    """Split rows into batches in which no two rows share ``key`` (keeping order)."""
    seen: dict = {}
    rounds: list[list[dict]] = []
    for row in rows:
        n = seen.get(row[key], 0)
        seen[row[key]] = n + 1
        if n == len(rounds):
            rounds.append([])
        rounds[n].append(row)
    yield from rounds
