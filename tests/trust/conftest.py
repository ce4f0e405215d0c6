from __future__ import annotations

import pytest
from django.test import Client as HttpClient

PASSWORD = "test-pass-1234!"


class FakeClock:
    """Stands in for the ``time`` module inside clinic.middleware."""

    def __init__(self, start: float = 1_800_000_000.0):
        self.now = start

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr("clinic.middleware.time", fake)
    return fake


def login(http: HttpClient, username: str, password: str = PASSWORD, ip: str = "10.0.0.1", **extra):
    return http.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, **extra
    )
