"""Concurrent writers, optimistic locking, atomic services, a killed worker,
and SQLite's durability settings (DATA-1, DATA-4, DATA-5, DATA-6)."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.db import connection

from audit.models import AuditEvent
from clinic import services
from clinic.models import Client
from tests.trust import tempdb

WRITERS = 16
CLIENTS_PER_WRITER = 12


def _spawn_writer(db: tempdb.TempDatabase, worker: int) -> dict:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.trust.dbtool",
            "write",
            "--worker",
            str(worker),
            "--count",
            str(CLIENTS_PER_WRITER),
        ],
        cwd=tempdb.BASE,
        env=db.env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_sixteen_concurrent_writers_lose_nothing_and_never_see_a_locked_database(scratch_db):
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        reports = list(pool.map(lambda n: _spawn_writer(scratch_db, n), range(WRITERS)))
    errors = [e for r in reports for e in r["errors"]]
    assert errors == []  # no "database is locked", no other write error
    created = sorted(pk for r in reports for pk in r["created"])
    assert len(created) == WRITERS * CLIENTS_PER_WRITER
    found = scratch_db.tool("summary")
    assert found["client_ids"] == created  # every acknowledged write is in the database
    # Each client: create + update, each with one history row and one audit row.
    assert found["history"] == 2 * len(created)
    assert found["audit"] == 2 * len(created)
    assert found["chain_problems"] == []  # concurrent appends did not fork the hash chain
    assert found["chain_head_at_newest"]


def test_a_worker_killed_mid_request_leaves_no_half_written_record(scratch_db):
    result = scratch_db.run("-m", "tests.trust.dbtool", "die-midway", check=False)
    assert result.returncode == -9  # SIGKILL: no clean-up ran
    found = scratch_db.tool("summary")
    assert found["clients"] == 0
    assert found["history"] == 0
    assert found["audit"] == 0
    if scratch_db.vendor == "sqlite":
        import sqlite3

        with sqlite3.connect(scratch_db.sqlite_path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_sqlite_file_databases_run_wal_with_full_sync_and_foreign_keys(scratch_db):
    if scratch_db.vendor != "sqlite":
        pytest.skip("SQLite pragmas")
    code = (
        "import django, json; django.setup(); from django.db import connection as c; cur = c.cursor();"
        "print(json.dumps([cur.execute(f'PRAGMA {p}').fetchone()[0] for p in "
        "('journal_mode', 'synchronous', 'foreign_keys', 'busy_timeout')]))"
    )
    out = scratch_db.run("-c", code)
    journal, synchronous, foreign_keys, busy = json.loads(out.stdout)
    assert journal == "wal"
    assert synchronous == 2  # FULL: a power cut cannot roll back a committed note
    assert foreign_keys == 1
    assert busy >= 5000
    from django.conf import settings

    assert (
        settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        or connection.vendor != "sqlite"
    )


@pytest.mark.django_db
def test_a_stale_client_save_is_refused_and_overwrites_nothing(client_record, desk, treating):
    opened_at = client_record.version
    services.client_update(client=client_record, by=treating, data={"occupation": "Nurse"}, version=opened_at)
    with pytest.raises(services.StaleEdit):
        services.client_update(client=client_record, by=desk, data={"occupation": "Pilot"}, version=opened_at)
    client_record.refresh_from_db()
    assert client_record.occupation == "Nurse"
    assert client_record.version == opened_at + 1


@pytest.mark.django_db
def test_a_stale_edit_form_gets_a_clear_conflict_message(as_treating, as_desk, client_record):
    page = as_treating.get(f"/clients/{client_record.pk}/edit/")
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "care_team"}
    data.update(
        {
            "date_of_birth": client_record.date_of_birth.isoformat(),
            "primary_therapist": client_record.primary_therapist_id,
            "version": client_record.version,
        }
    )
    first = as_treating.post(f"/clients/{client_record.pk}/edit/", {**data, "occupation": "First"})
    assert first.status_code == 302
    second = as_treating.post(f"/clients/{client_record.pk}/edit/", {**data, "occupation": "Second"})
    assert second.status_code in (200, 409)
    assert "Someone else saved this record" in second.content.decode()
    client_record.refresh_from_db()
    assert client_record.occupation == "First"


@pytest.mark.django_db
def test_a_service_that_fails_midway_leaves_nothing(monkeypatch, treating, desk):
    def broken_audit(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        services.client_create(
            by=desk,
            data={
                "first_name": "Half",
                "last_name": "Done",
                "date_of_birth": date(1990, 1, 1),
                "primary_therapist": treating,
            },
            care_team=[treating],
        )
    assert not Client.objects.filter(last_name="Done").exists()
    assert Client.history.count() == 0
    assert AuditEvent.objects.count() == 0
