"""A backup's checksum is signed with the audit key (DATA-2, AUD-5): a backup altered
offline, with its .sha256 recomputed, is refused by restore and by the restore drill;
an unsigned one needs --allow-unsigned. Every backup publishes the audit log's head,
and a restore checks the restored chain against the heads it holds."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.log import current_key
from audit.models import AuditEvent
from tests.trust import tempdb
from trust.backups import BackupError, UnsignedBackup, check_backup_file, sha256_file, write_checksum_file

NOTE_TEXT = "Left heel pain after the marathon"
FORGED_TEXT = "No complaint; client discharged"
SEED = (
    "import django; django.setup();"
    "from datetime import date, timedelta; from django.utils import timezone;"
    "from clinic import services; from clinic.models import User; from notes import services as notes;"
    "u = User.objects.create_user(username='sig', password='x' * 16, is_therapist=True);"
    "c = services.client_create(by=u, data={'first_name': 'Sven', 'last_name': 'Signe',"
    " 'date_of_birth': date(1981, 2, 3), 'primary_therapist': u});"
    "n = notes.note_create(client=c, by=u, service_at=timezone.now() - timedelta(hours=1),"
    " copy_forward=False);"
    f"notes.note_update(note=n, by=u, data={{'chief_complaint': {NOTE_TEXT!r}}}, version=n.version)"
)
RESTORES = (
    "import django, json; django.setup(); from audit.models import AuditEvent;"
    "print(json.dumps(list(AuditEvent.objects.filter(action='restore_backup').order_by('id')"
    ".values_list('outcome', 'detail'))))"
)


def _json(db: tempdb.TempDatabase, code: str):
    return json.loads(db.run("-c", code).stdout.strip().splitlines()[-1])


def _ext(db: tempdb.TempDatabase) -> str:
    return "sqlite3" if db.vendor == "sqlite" else "dump"


def _drill(db: tempdb.TempDatabase, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "restore_drill", *args],
        cwd=tempdb.BASE,
        env=db.env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def seeded(scratch_db):
    scratch_db.run("-c", SEED)
    return scratch_db


def _forge(db: tempdb.TempDatabase, backup, sql: str) -> None:
    """The attacker's offline edit of a backup file: change the data, write the file
    back in its own format, and recompute its .sha256 (without the key, the signature
    line can only stay as it was)."""
    if db.vendor == "sqlite":
        conn = sqlite3.connect(backup)
        with conn:
            conn.execute(sql)
        conn.close()
    else:
        import psycopg

        name = f"kc_forge_{uuid.uuid4().hex[:10]}"
        url = f"{tempdb._pg_admin_url()}/{name}"
        tempdb._pg_execute(f'CREATE DATABASE "{name}"')
        try:
            subprocess.run(
                ["pg_restore", "--no-owner", "-d", url, str(backup)], check=True, capture_output=True
            )
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(sql)
            subprocess.run(
                ["pg_dump", "-Fc", "--no-owner", "-f", str(backup), url], check=True, capture_output=True
            )
        finally:
            tempdb._pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    sidecar = backup.parent / f"{backup.name}.sha256"
    signature = sidecar.read_text().splitlines()[1]
    sidecar.write_text(f"{sha256_file(backup)}  {backup.name}\n{signature}\n")


def test_a_backup_is_signed_publishes_the_head_and_restores_with_its_heads_checked(scratch_db, tmp_path):
    backup = tmp_path / "backups" / f"kinetic-backup.{_ext(scratch_db)}"
    out = scratch_db.manage("backup", "--output", str(backup)).stdout
    assert "checksum signed with the audit key" in out
    checksum, signature = (backup.parent / f"{backup.name}.sha256").read_text().splitlines()
    assert checksum == f"{sha256_file(backup)}  {backup.name}"
    comment, scheme, key_id, mac, name = signature.split()
    assert (comment, scheme, len(key_id), len(mac), name) == ("#", "hmac-sha256", 12, 64, backup.name)
    # sha256sum skips the signature line (a comment), so the file still checks by hand.
    if shutil.which("sha256sum"):
        by_hand = subprocess.run(["sha256sum", "--strict", "-c", f"{backup.name}.sha256"], cwd=backup.parent)
        assert by_hand.returncode == 0
    # The head, the backup's own audit row included, was published before the snapshot.
    heads = Path(scratch_db.env["KC_AUDIT_HEAD_FILE"])
    assert len(heads.read_text().splitlines()) == 1 and " audit-head id=" in heads.read_text()

    # The clinic works on and publishes a newer head; then the backup is restored.
    scratch_db.run("-m", "tests.trust.dbtool", "write", "--worker", "4", "--count", "2")
    scratch_db.manage("audit_publish_head")
    restored = scratch_db.manage("restore", str(backup), "--yes")

    assert f"audit chain intact; signed with the audit key (key {key_id})" in restored.stdout
    [(outcome, detail)] = _json(scratch_db, RESTORES)
    assert outcome == "allowed"
    assert detail["signature"] == "valid" and detail["signature_key"] == key_id
    assert detail["published_heads_checked"] == 1 and detail["chain_ok"] is True
    # The restore's line retires the newer head, which belonged to the history it replaced.
    kinds = [line.split()[1] for line in heads.read_text().splitlines()]
    assert kinds == ["audit-head", "audit-head", "audit-restore", "audit-head"]
    assert "Audit log OK" in scratch_db.manage("audit_verify").stdout


def test_a_forged_backup_is_refused_by_restore_and_by_the_drill(seeded, restore_target, tmp_path):
    backup = tmp_path / "backups" / f"kinetic-backup.{_ext(seeded)}"
    seeded.manage("backup", "--output", str(backup))
    _forge(seeded, backup, f"UPDATE notes_visitnote SET chief_complaint = '{FORGED_TEXT}'")

    result = restore_target.manage("restore", str(backup), "--yes", check=False)
    assert result.returncode != 0
    assert "Restore REFUSED: the backup's signature does not match" in result.stderr
    assert "the backup may have been altered, or was signed with another audit key" in result.stderr

    drill = _drill(seeded, "--file", str(backup))
    assert drill.returncode != 0
    assert "the backup's signature does not match" in drill.stderr
    assert "(achieved RTO)" not in drill.stdout  # refused before anything was restored


def test_an_unsigned_backup_restores_and_drills_with_allow_unsigned_which_warns_and_is_audited(
    scratch_db, tmp_path
):
    backups = tmp_path / "backups"
    backup = backups / f"kinetic-backup.{_ext(scratch_db)}"
    scratch_db.manage("backup", "--output", str(backup))
    # As a backup taken before backups were signed: a checksum line only.
    (backups / f"{backup.name}.sha256").write_text(f"{sha256_file(backup)}  {backup.name}\n")

    drilled = _drill(scratch_db, "--file", str(backup), "--allow-unsigned")
    assert drilled.returncode == 0, drilled.stdout + drilled.stderr
    assert "signature  NOT VALID, drilled with --allow-unsigned" in drilled.stdout
    assert "1 published head(s) intact" in drilled.stdout

    allowed = scratch_db.manage("restore", str(backup), "--yes", "--allow-unsigned")
    assert "WARNING: restoring" in allowed.stderr and "WITHOUT a valid signature" in allowed.stderr
    assert "NOT signed, restored with --allow-unsigned" in allowed.stdout
    [(outcome, detail)] = _json(scratch_db, RESTORES)
    assert outcome == "allowed"
    assert detail["signature"] == "missing" and detail["allow_unsigned"] is True


@pytest.mark.skipif(shutil.which("gpg") is None, reason="gpg (Debian package gnupg) is not installed")
def test_an_encrypted_backup_signs_the_gpg_file(scratch_db, tmp_path):
    passphrase = tmp_path / "passphrase"
    passphrase.write_text("correct horse battery staple, in the safe\n")
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    encrypting = scratch_db.with_env(KC_BACKUP_PASSPHRASE_FILE=str(passphrase), TMPDIR=str(private_tmp))
    backups = tmp_path / "backups"
    encrypting.manage("backup", "--output", str(backups / f"kinetic.{_ext(scratch_db)}"))
    encrypted = backups / f"kinetic.{_ext(scratch_db)}.gpg"
    assert (backups / f"{encrypted.name}.sha256").read_text().splitlines()[1].endswith(f"  {encrypted.name}")
    assert _drill(encrypting, "--file", str(encrypted)).returncode == 0

    data = bytearray(encrypted.read_bytes())
    data[len(data) // 2] ^= 0xFF
    encrypted.write_bytes(bytes(data))
    sidecar = backups / f"{encrypted.name}.sha256"
    signature = sidecar.read_text().splitlines()[1]  # the forger keeps the old signature line
    sidecar.write_text(f"{sha256_file(encrypted)}  {encrypted.name}\n{signature}\n")
    result = encrypting.manage("restore", str(encrypted), "--yes", check=False)
    assert result.returncode != 0
    assert "the backup's signature does not match" in result.stderr
    assert "decryption failed" not in result.stderr  # refused before gpg ran


# --- The checks themselves, in-process (a refusal happens before the database is touched) ------


@pytest.fixture
def signed_file(tmp_path, db):
    path = tmp_path / "nightly.sqlite3"  # no time in the name: aged by its file time
    path.write_bytes(b"SQLite format 3\0" + b"client rows" * 100)
    write_checksum_file(path)
    return path


def _rewrite_checksum(path, *, keep_signature: bool) -> None:
    sidecar = path.parent / f"{path.name}.sha256"
    lines = sidecar.read_text().splitlines()
    text = f"{sha256_file(path)}  {path.name}\n" + (f"{lines[1]}\n" if keep_signature else "")
    sidecar.write_text(text)


def _restore(path, *args):
    call_command("restore", str(path), "--yes", *args, stdout=StringIO(), stderr=StringIO())


def test_a_signed_file_passes_and_names_its_key(signed_file):
    checked = check_backup_file(signed_file, sidecar_required=True)
    assert (checked.signature, checked.key_id) == ("valid", current_key().key_id)


def test_an_altered_file_with_a_recomputed_checksum_is_refused_and_the_refusal_audited(signed_file):
    signed_file.write_bytes(signed_file.read_bytes().replace(b"client", b"forged"))
    _rewrite_checksum(signed_file, keep_signature=True)
    with pytest.raises(CommandError, match="Restore REFUSED: the backup's signature does not match"):
        _restore(signed_file)
    refusal = AuditEvent.objects.get(action="restore_backup")
    assert refusal.outcome == "denied" and "signature does not match" in refusal.detail["refused"]

    with pytest.raises(CommandError, match="signature does not match"):
        call_command("restore_drill", file=str(signed_file), stdout=StringIO())
    drill = AuditEvent.objects.get(action="restore_drill")
    assert drill.detail["result"] == "failed" and drill.detail["signature"] == "refused"


def test_an_unsigned_file_is_refused_without_allow_unsigned(signed_file):
    _rewrite_checksum(signed_file, keep_signature=False)
    with pytest.raises(CommandError, match="carries no signature with the audit key"):
        _restore(signed_file)
    with pytest.raises(UnsignedBackup, match="--allow-unsigned"):
        check_backup_file(signed_file, sidecar_required=True)
    checked = check_backup_file(signed_file, sidecar_required=True, allow_unsigned=True)
    assert checked.signature == "missing"


def test_a_file_signed_with_another_key_or_renamed_is_refused(settings, signed_file):
    secret_key = settings.SECRET_KEY
    settings.SECRET_KEY = "another-server-another-secret-key-" + "k" * 20
    with pytest.raises(UnsignedBackup, match="signed with an audit key this server does not hold"):
        check_backup_file(signed_file, sidecar_required=True)
    settings.SECRET_KEY = secret_key
    renamed = signed_file.with_name("kinetic-20990101T000000Z.sqlite3")
    signed_file.rename(renamed)
    (signed_file.parent / f"{signed_file.name}.sha256").rename(renamed.parent / f"{renamed.name}.sha256")
    with pytest.raises(UnsignedBackup, match=f"signed as {signed_file.name}, not {renamed.name}"):
        check_backup_file(renamed, sidecar_required=True)
    # Even --allow-unsigned never lets through a file that does not match its checksum.
    renamed.write_bytes(b"damaged")
    with pytest.raises(BackupError, match="does not match its .sha256"):
        check_backup_file(renamed, sidecar_required=True, allow_unsigned=True)
