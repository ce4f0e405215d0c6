"""The scheduled restore drill (DATA-3): the newest backup is restored into a
scratch copy and proven usable; a stale, tampered or corrupted backup fails the
drill, and the live database is never touched."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.trust import tempdb
from trust.backups import backup_taken_at, latest_backup, scratch_pg_name

SEED = (
    "import django; django.setup();"
    "from datetime import date; from clinic import services; from clinic.models import User;"
    "from tests.trust import objects;"
    "u = User.objects.create_user(username='drill', password='x' * 16, is_therapist=True);"
    "c = services.client_create(by=u, data={'first_name': 'Dana', 'last_name': 'Drill',"
    " 'date_of_birth': date(1985, 5, 5), 'primary_therapist': u});"
    "built = objects.build_all(client=c, therapist=u);"
    "assert not built['errors'], built['errors'];"
    # The client logs a pain score on their link: the drill counts the links and the log.
    "import uuid; from django.utils import timezone; from portal import services as portal;"
    "from portal.models import ClientLink;"
    "portal.log_entry_record(link=ClientLink.objects.get(pk=built['client_link']), data={"
    "'entry_id': uuid.uuid4(), 'kind': 'pain', 'pain': 4, 'done_on': timezone.localdate()})"
)
RESIGN = (
    "import django; django.setup(); from pathlib import Path;"
    "from trust.backups import write_checksum_file; write_checksum_file(Path({path!r}))"
)
AUDIT_OF_DRILLS = (
    "import django, json; django.setup(); from audit.models import AuditEvent;"
    "print(json.dumps(list(AuditEvent.objects.filter(action='restore_drill').order_by('id')"
    ".values_list('detail', flat=True))))"
)


def _ext(db: tempdb.TempDatabase) -> str:
    return "sqlite3" if db.vendor == "sqlite" else "dump"


def _drill(db: tempdb.TempDatabase, *args: str, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "manage.py", "restore_drill", *args],
        cwd=tempdb.BASE,
        env={**db.env, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _drill_audit(db: tempdb.TempDatabase) -> list[dict]:
    return json.loads(db.run("-c", AUDIT_OF_DRILLS).stdout.strip().splitlines()[-1])


def _scratch_left_behind(db: tempdb.TempDatabase, tmpdir) -> list[str]:
    if db.vendor == "postgresql":
        import psycopg

        with psycopg.connect(tempdb._pg_admin_url() + "/postgres") as conn:
            row = conn.execute(
                "SELECT datname FROM pg_database WHERE datname = %s", [scratch_pg_name(db.pg_name)]
            ).fetchone()
        return [row[0]] if row else []
    return [p.name for p in tmpdir.iterdir()]


@pytest.fixture
def backups(tmp_path):
    path = tmp_path / "backups"
    path.mkdir()
    return path


@pytest.fixture
def tmpdir_env(tmp_path):
    """A private TMPDIR for the drill, to see that its scratch copy is removed."""
    path = tmp_path / "tmp"
    path.mkdir()
    return path, {"TMPDIR": str(path)}


def _live_clients(db: tempdb.TempDatabase) -> int:
    if db.vendor == "postgresql":
        import psycopg

        with psycopg.connect(db.env["DATABASE_URL"]) as conn:
            return conn.execute("SELECT count(*) FROM clinic_client").fetchone()[0]
    conn = sqlite3.connect(db.sqlite_path)
    try:
        return conn.execute("SELECT count(*) FROM clinic_client").fetchone()[0]
    finally:
        conn.close()


def test_drill_with_a_fresh_backup_passes_while_a_writer_keeps_inserting(scratch_db, backups, tmpdir_env):
    scratch_db.run("-c", SEED)
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.trust.dbtool", "write", "--worker", "7", "--count", "5000"],
        cwd=tempdb.BASE,
        env=scratch_db.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while _live_clients(scratch_db) < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
        result = _drill(scratch_db, "--take-backup", "--backup-dir", str(backups), env=tmpdir_env[1])
        still_writing = writer.poll() is None
    finally:
        writer.terminate()
        writer.wait(timeout=60)
    assert still_writing

    assert result.returncode == 0, result.stdout + result.stderr
    report = result.stdout
    assert "Restore drill PASSED" in report
    assert "(achieved RTO)" in report
    assert "migrations all applied" in report
    assert "chain intact" in report
    assert "note PDF" in report and "handout PDF" in report and "progress report PDF" in report
    assert "none to render" not in report
    assert "tables identical to the live database at backup time" in report
    assert len(list(backups.glob(f"kinetic-*.{_ext(scratch_db)}"))) == 1
    assert _scratch_left_behind(scratch_db, tmpdir_env[0]) == []

    [detail] = _drill_audit(scratch_db)
    assert detail["result"] == "passed"
    assert detail["problems"] == []
    assert detail["restore_seconds"] > 0
    assert detail["rpo_hours"] == 24
    assert detail["counts"]["notes"] >= 1 and detail["counts"]["issued programs"] == 1
    assert "assessments" in detail["counts"]  # every domain app registers its restore check
    # The client's link and what the client logged on it came back with the restore.
    assert detail["counts"]["client links"] == 1 and detail["counts"]["client links still working"] == 1
    assert detail["counts"]["client's own log entries"] == 1
    assert detail["pdf_bytes"]["note PDF"] > 1000 and detail["pdf_bytes"]["handout PDF"] > 1000
    # The comparison was exact although the live database went on changing after the snapshot.
    assert detail["counts"]["clients"] >= 4
    assert _live_clients(scratch_db) > detail["counts"]["clients"]


def test_drill_leaves_the_live_database_untouched_apart_from_its_audit_event(scratch_db, backups, tmpdir_env):
    scratch_db.run("-m", "tests.trust.dbtool", "write", "--worker", "1", "--count", "5")
    scratch_db.manage("backup", "--output", str(backups / f"kinetic-backup.{_ext(scratch_db)}"))
    before = scratch_db.tool("checksums")

    result = _drill(scratch_db, "--backup-dir", str(backups), env=tmpdir_env[1])

    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 clients, 0 assessments, 0 notes" in result.stdout
    assert "note PDF none to render" in result.stdout
    after = scratch_db.tool("checksums", "--skip-audit-action", "restore_drill")
    assert after == before
    assert _scratch_left_behind(scratch_db, tmpdir_env[0]) == []


def test_a_backup_older_than_the_rpo_fails_the_drill(scratch_db, backups):
    stale = backups / f"kinetic-20200101T000000Z.{_ext(scratch_db)}"
    scratch_db.manage("backup", "--output", str(stale))

    result = _drill(scratch_db, "--backup-dir", str(backups))

    assert result.returncode != 0
    assert "older than the RPO of 24 h" in result.stderr
    assert "Restore drill FAILED" in result.stdout
    [detail] = _drill_audit(scratch_db)
    assert detail["result"] == "failed"
    assert "older than the RPO" in detail["problems"][0]


def test_the_rpo_comes_from_the_setting_and_an_unstamped_backup_is_aged_by_its_file_time(scratch_db, backups):
    copied = backups / f"nightly.{_ext(scratch_db)}"
    scratch_db.manage("backup", "--output", str(copied))
    two_hours_ago = time.time() - 2 * 3600
    os.utime(copied, (two_hours_ago, two_hours_ago))

    assert _drill(scratch_db, "--file", str(copied)).returncode == 0
    result = _drill(scratch_db, "--file", str(copied), env={"KC_BACKUP_RPO_HOURS": "1"})

    assert result.returncode != 0
    assert "older than the RPO of 1 h" in result.stderr


def test_no_backup_at_all_fails_the_drill(scratch_db, backups):
    result = _drill(scratch_db, "--backup-dir", str(backups))
    assert result.returncode != 0
    assert "no backup found" in result.stderr


def test_a_tampered_backup_fails_its_checksum_and_nothing_is_restored(scratch_db, backups, tmpdir_env):
    backup = backups / f"kinetic-backup.{_ext(scratch_db)}"
    scratch_db.manage("backup", "--output", str(backup))
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0xFF
    backup.write_bytes(bytes(data))

    result = _drill(scratch_db, "--backup-dir", str(backups), env=tmpdir_env[1])

    assert result.returncode != 0
    assert "does not match its .sha256" in result.stderr
    assert "restore " not in result.stdout
    assert _scratch_left_behind(scratch_db, tmpdir_env[0]) == []


def test_a_backup_without_its_sha256_fails_the_drill(scratch_db, backups):
    backup = backups / f"kinetic-backup.{_ext(scratch_db)}"
    scratch_db.manage("backup", "--output", str(backup))
    (backups / f"{backup.name}.sha256").unlink()

    result = _drill(scratch_db, "--backup-dir", str(backups))

    assert result.returncode != 0
    assert ".sha256 is missing" in result.stderr


def test_a_corrupted_backup_with_a_matching_checksum_fails_the_restore(scratch_db, backups, tmpdir_env):
    backup = backups / f"kinetic-backup.{_ext(scratch_db)}"
    scratch_db.manage("backup", "--output", str(backup))
    data = bytearray(backup.read_bytes())
    if scratch_db.vendor == "sqlite":
        page = (len(data) // 4096) // 2
        data[page * 4096 : (page + 1) * 4096] = b"\xa5" * 4096
    else:
        data = data[: len(data) * 2 // 3]
    backup.write_bytes(bytes(data))
    # Damaged before its checksum was recorded (and signed): only the restore itself can tell.
    scratch_db.run("-c", RESIGN.format(path=str(backup)))

    result = _drill(scratch_db, "--backup-dir", str(backups), env=tmpdir_env[1])

    assert result.returncode != 0
    expected = "integrity_check failed" if scratch_db.vendor == "sqlite" else "pg_restore failed"
    assert expected in result.stderr
    assert _scratch_left_behind(scratch_db, tmpdir_env[0]) == []


def test_a_backup_with_unapplied_migrations_fails_the_drill(scratch_db, backups):
    scratch_db.manage("migrate", "programs", "0001", "--noinput")
    scratch_db.manage("backup", "--output", str(backups / f"kinetic-backup.{_ext(scratch_db)}"))

    result = _drill(scratch_db, "--backup-dir", str(backups))

    assert result.returncode != 0
    assert "migration(s) not applied: programs.0002_seed_library" in result.stdout


def test_the_newest_backup_is_chosen_by_the_time_in_its_name(tmp_path):
    from django.db import connection

    ext, other = ("sqlite3", "dump") if connection.vendor == "sqlite" else ("dump", "sqlite3")
    older = tmp_path / f"kinetic-20260101T020000Z.{ext}"
    newer = tmp_path / f"kinetic-20260102T020000Z.{ext}"
    for path in (newer, older):  # the older one is written last, so it has the newer file time
        path.write_bytes(b"x")
        time.sleep(0.01)
    (tmp_path / f"kinetic-20260103T020000Z.{ext}.sha256").write_text("x")
    (tmp_path / f"kinetic-20260104T020000Z.{other}").write_bytes(b"x")

    assert latest_backup(tmp_path) == newer
    assert backup_taken_at(newer) == datetime(2026, 1, 2, 2, 0, tzinfo=UTC)
    assert latest_backup(tmp_path / "missing") is None
    unstamped = tmp_path / f"copy.{ext}"
    unstamped.write_bytes(b"x")
    assert datetime.now(UTC) - backup_taken_at(unstamped) < timedelta(minutes=1)


def test_a_backup_whose_audit_events_the_live_log_lacks_fails_the_drill(
    scratch_db, template_db, backups, tmp_path, django_db_blocker
):
    scratch_db.run("-m", "tests.trust.dbtool", "write", "--worker", "1", "--count", "2")
    backup = backups / f"kinetic-backup.{_ext(scratch_db)}"
    scratch_db.manage("backup", "--output", str(backup))
    with django_db_blocker.unblock():
        other = tempdb.clone(template_db, tmp_path)
    try:
        result = _drill(other, "--file", str(backup))
    finally:
        with django_db_blocker.unblock():
            tempdb.drop(other)

    assert result.returncode != 0
    assert "the live audit log no longer holds event" in result.stderr


def test_table_checksums_see_a_changed_row(tmp_path):
    from trust.backups import sqlite_table_checksums
    from trust.management.commands.restore_drill import _compare_checksums

    def database(name: str, occupation: str) -> dict:
        conn = sqlite3.connect(tmp_path / name)
        conn.execute("CREATE TABLE client (id INTEGER PRIMARY KEY, occupation TEXT)")
        conn.execute("CREATE TABLE note (id INTEGER PRIMARY KEY)")
        conn.executemany("INSERT INTO client VALUES (?, ?)", [(1, "runner"), (2, occupation)])
        conn.commit()
        try:
            return sqlite_table_checksums(conn)
        finally:
            conn.close()

    live = database("live.sqlite3", "rower")
    assert _compare_checksums(live, database("same.sqlite3", "rower")) == []
    assert _compare_checksums(live, database("edited.sqlite3", "cyclist")) == [
        "client: differs (2 live rows, 2 restored)"
    ]
    assert _compare_checksums(live, {"client": live["client"]}) == ["note: missing from the restored copy"]
