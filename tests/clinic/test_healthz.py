"""/healthz: for load balancers; no login, checks the database."""

from __future__ import annotations

import pytest
from django.db import DatabaseError


def test_healthz_answers_without_login_and_checks_the_database(anon, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = anon.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_reports_503_when_the_database_is_down(anon, db, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr("clinic.views.connection.cursor", broken_cursor)
        response = anon.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}
    assert b"connection refused" not in response.content


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_healthz_answers_only_get(anon, db, method):
    assert getattr(anon, method)("/healthz").status_code == 405
