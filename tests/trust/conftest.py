from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from tests.trust import tempdb

PASSWORD = "test-pass-1234!"


class FakeClock:
    """Stands in for the ``time`` module inside trust.middleware."""

    def __init__(self, start: float = 1_800_000_000.0):
        self.now = start

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr("trust.middleware.time", fake)
    return fake


def login(http: HttpClient, username: str, password: str = PASSWORD, ip: str = "10.0.0.1", **extra):
    return http.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, **extra
    )


@pytest.fixture(scope="session")
def template_db(tmp_path_factory, django_db_blocker):
    with django_db_blocker.unblock():
        db = tempdb.migrated_template(tmp_path_factory.mktemp("kc-template"))
    yield db
    with django_db_blocker.unblock():
        tempdb.drop(db)


@pytest.fixture
def scratch_db(template_db, tmp_path, django_db_blocker):
    with django_db_blocker.unblock():
        db = tempdb.clone(template_db, tmp_path)
    yield db
    with django_db_blocker.unblock():
        tempdb.drop(db)


@pytest.fixture
def world(client_record, treating, colleague, desk, owner):
    """One client on the treating therapist's care team, with one object of every
    kind the object-scoped routes address (built through each app's services)."""
    from tests.trust import objects

    built = objects.build_all(client=client_record, therapist=treating)
    built["client"] = client_record.pk
    built["user"] = treating.pk
    return built


@pytest.fixture
def restore_target(tmp_path, django_db_blocker):
    with django_db_blocker.unblock():
        db = tempdb.empty_database(tmp_path)
    yield db
    with django_db_blocker.unblock():
        tempdb.drop(db)
