"""Shared fixtures: the four personas and builders that go through services.

Personas:
- ``treating``: the therapist on the client's care team;
- ``colleague``: a therapist who is not on that care team;
- ``desk``: a front-desk admin who is not a therapist;
- ``anon``: an anonymous visitor (a Django test client with nobody signed in).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.db import connection
from django.test import Client as HttpClient

from audit.log import lock_order_guard
from clinic import services
from clinic.models import Client, User
from clinic.screening import QUESTIONS


@pytest.fixture(autouse=True)
def _fast_tests(settings, tmp_path):
    # Test speed-ups only: real code paths use Argon2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    # Each test publishes audit heads to a file of its own, never to the project's backups/.
    settings.KC_AUDIT_HEAD_FILE = tmp_path / "audit-heads.log"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _cold_page_cache():
    """Each test starts with no cached page (clinic.page_cache): query counts and
    first renders are measured cold."""
    from django.core.cache import caches

    caches["pages"].clear()
    yield
    caches["pages"].clear()


@pytest.fixture(autouse=True)
def _audit_row_last(request):
    """Every transaction writes its audit row last: a statement that could lock rows
    after it fails the test (on PostgreSQL it could deadlock; see audit.log)."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    )
    if not uses_db:
        yield
        return
    request.getfixturevalue("_django_db_helper")
    with connection.execute_wrapper(lock_order_guard(base_depth=len(connection.atomic_blocks))):
        yield


def _user(username: str, *, therapist: bool = False, admin: bool = False, **extra) -> User:
    user = User.objects.create_user(
        username=username,
        password="test-pass-1234!",
        first_name=username.title(),
        is_therapist=therapist,
        is_clinic_admin=admin,
        **extra,
    )
    return user


@pytest.fixture
def treating(db) -> User:
    return _user("treating", therapist=True, credentials="RMT", last_name="Therapist")


@pytest.fixture
def colleague(db) -> User:
    return _user("colleague", therapist=True, last_name="Colleague")


@pytest.fixture
def desk(db) -> User:
    return _user("desk", admin=True, last_name="Desk")


@pytest.fixture
def records_officer(db) -> User:
    """A front-desk admin whom the clinic named records officer: may export any record."""
    return _user("officer", admin=True, last_name="Officer", is_records_officer=True)


@pytest.fixture
def owner(db) -> User:
    """The clinic owner: admin and therapist at once."""
    return _user("owner", therapist=True, admin=True, last_name="Owner")


def _http(user: User | None) -> HttpClient:
    http = HttpClient()
    if user is not None:
        http.force_login(user)
    return http


@pytest.fixture
def as_treating(treating) -> HttpClient:
    return _http(treating)


@pytest.fixture
def as_colleague(colleague) -> HttpClient:
    return _http(colleague)


@pytest.fixture
def as_desk(desk) -> HttpClient:
    return _http(desk)


@pytest.fixture
def as_records_officer(records_officer) -> HttpClient:
    return _http(records_officer)


@pytest.fixture
def anon() -> HttpClient:
    return HttpClient()


@pytest.fixture
def make_client(desk):
    """Builder: ``make_client(therapist, **fields)`` creates a client through the service."""
    counter = {"n": 0}

    def build(therapist: User, *, care_team=(), **fields) -> Client:
        counter["n"] += 1
        data = {
            "first_name": f"Client{counter['n']}",
            "last_name": "Example",
            "date_of_birth": date(1985, 5, 17),
            "involved_side": "L",
            "primary_therapist": therapist,
            **fields,
        }
        return services.client_create(by=desk, data=data, care_team=care_team)

    return build


@pytest.fixture
def client_record(make_client, treating) -> Client:
    """A client on the treating therapist's care team only."""
    return make_client(
        treating, first_name="Priya", last_name="Raman", email="priya@example.com", phone="07700 900123"
    )


@pytest.fixture
def screened(client_record, treating):
    """Builder: record a health screen with the given yes-answers."""

    def build(yes: dict[str, str] | None = None, client: Client | None = None):
        yes = yes or {}
        return services.health_screen_record(
            client=client or client_record,
            by=treating,
            answers={q.code: (q.code in yes, yes.get(q.code, "")) for q in QUESTIONS},
            consent_given=True,
            pregnancy_stage="t1" if "pregnancy" in yes else "",
        )

    return build


# Rough worker seconds of the longest test files (pytest --durations=80 on the 2-core CI
# machine); any other file counts a sixth of a second a test. pytest-xdist's "loadfile"
# hands out whole files in collection order (the Makefile turns off its own reordering by
# test count), so the longest go first and the short ones fill the end: without this, a
# long file picked up last keeps one worker busy while the other has nothing left to do.
LONG_FILES = {
    "tests/trust/test_backup_encryption.py": 340,
    "tests/trust/test_restore_drill.py": 255,
    "tests/clinic/test_seed_demo.py": 200,
    "tests/trust/test_signed_backups.py": 110,
    "tests/trust/test_query_parameter_sweep.py": 100,
    "tests/trust/test_layout_migration.py": 85,
    "tests/clinic/test_make_run.py": 75,
    "tests/trust/test_backup_restore.py": 70,
    "tests/trust/test_export_pdf_readable.py": 65,
    "tests/trust/test_data_integrity.py": 60,
    "tests/clinic/test_record_version.py": 45,
    "tests/trust/test_audit_chain_keys.py": 40,
    "tests/trust/test_form_fuzz.py": 40,
    "tests/trust/test_pdf_any_text.py": 35,
    "tests/previsit/test_demo.py": 30,
}
BROWSER_FILE_SECONDS = 50
SECONDS_A_TEST = 1 / 6


def _path(item) -> str:
    return item.nodeid.split("::", 1)[0]


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or "transactional_db" in item.fixturenames


def pytest_collection_modifyitems(config, items):
    # A transactional test empties every table when it ends, the rows the migrations
    # put there (techniques, regions, the exercise library) included. As Django's own
    # runner does, the files that hold one run last: xdist hands them out last, so no
    # test runs after them on their worker. Otherwise the longest files go first.
    # Stable: the tests of one file keep their order.
    tests_in = Counter(_path(item) for item in items)
    last = {_path(item) for item in items if _transactional(item)}

    def seconds(path: str) -> float:
        if path in LONG_FILES:
            return LONG_FILES[path]
        if path.startswith("tests/browser/"):
            return BROWSER_FILE_SECONDS
        return tests_in[path] * SECONDS_A_TEST

    items.sort(key=lambda item: (_path(item) in last, -seconds(_path(item))))
