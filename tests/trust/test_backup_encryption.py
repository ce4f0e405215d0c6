"""Backups are encrypted with GnuPG before they leave the host, and the restore
test decrypts them with the escrowed key (CFG-6, DATA-2, DATA-3)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tests.trust import tempdb
from trust.backups import sha256_file

pytestmark = pytest.mark.skipif(
    shutil.which("gpg") is None, reason="gpg (Debian package gnupg) is not installed"
)

NAME = "Philippa Quixotewright"
SEED = (
    "import django; django.setup();"
    "from datetime import date; from clinic import services; from clinic.models import User;"
    "u = User.objects.create_user(username='enc', password='x' * 16, is_therapist=True);"
    "services.client_create(by=u, data={'first_name': 'Philippa', 'last_name': 'Quixotewright',"
    " 'date_of_birth': date(1979, 3, 4), 'primary_therapist': u})"
)
PASSPHRASE = "correct horse battery staple, sealed in the clinic safe\n"
AUDIT = (
    "import django, json; django.setup(); from audit.models import AuditEvent;"
    "print(json.dumps(list(AuditEvent.objects.filter(action__in=['backup', 'restore_drill']).order_by('id')"
    ".values_list('action', 'detail'))))"
)


def _ext(db: tempdb.TempDatabase) -> str:
    return "sqlite3" if db.vendor == "sqlite" else "dump"


def _openpgp_tag(first_byte: int) -> int | None:
    """The packet tag of an OpenPGP packet header (RFC 4880 4.2), or None."""
    if not first_byte & 0x80:
        return None
    return first_byte & 0x3F if first_byte & 0x40 else (first_byte >> 2) & 0x0F


@pytest.fixture
def passphrase_file(tmp_path):
    path = tmp_path / "backup-passphrase"
    path.write_text(PASSPHRASE)
    path.chmod(0o600)
    return path


@pytest.fixture
def escrowed_copy(tmp_path):
    """The copy kept off the host (the safe, the password manager), typed back in."""
    path = tmp_path / "escrowed-passphrase"
    path.write_text(PASSPHRASE.strip())
    return path


@pytest.fixture
def private_tmp(tmp_path):
    path = tmp_path / "tmp"
    path.mkdir()
    return path


@pytest.fixture
def encrypting(scratch_db, passphrase_file, private_tmp):
    scratch_db.run("-c", SEED)
    return scratch_db.with_env(KC_BACKUP_PASSPHRASE_FILE=str(passphrase_file), TMPDIR=str(private_tmp))


@pytest.fixture
def other_db(template_db, tmp_path, django_db_blocker):
    """A second live database with data of its own, as a restore target."""
    with django_db_blocker.unblock():
        db = tempdb.clone(template_db, tmp_path)
    db.run("-m", "tests.trust.dbtool", "write", "--worker", "2", "--count", "3")
    yield db
    with django_db_blocker.unblock():
        tempdb.drop(db)


def _contains_name(db: tempdb.TempDatabase, plain) -> bool:
    data = plain.read_bytes()
    if db.vendor == "postgresql":
        # pg_dump's custom format compresses table data: read it back as SQL.
        data = subprocess.run(
            ["pg_restore", "--data-only", "-f", "-", str(plain)], capture_output=True, check=True
        ).stdout
    return b"Quixotewright" in data


def test_an_encrypted_backup_is_an_openpgp_file_without_the_client_names(encrypting, tmp_path, private_tmp):
    out_dir = tmp_path / "backups"
    result = encrypting.manage(
        "backup", "--output", str(out_dir / f"kinetic.{_ext(encrypting)}"), "--keep-plaintext"
    )
    assert "encrypted, OpenPGP AES-256 (passphrase)" in result.stdout
    encrypted = out_dir / f"kinetic.{_ext(encrypting)}.gpg"
    plain = out_dir / f"kinetic.{_ext(encrypting)}"
    data = encrypted.read_bytes()

    assert _openpgp_tag(data[0]) == 3  # a symmetric-key encrypted session key packet comes first
    assert b"Quixotewright" not in data and b"Philippa" not in data
    assert b"SQLite format 3" not in data and not data.startswith(b"PGDMP")
    assert _contains_name(encrypting, plain)  # the same search finds the name in the plaintext
    assert (out_dir / f"{encrypted.name}.sha256").read_text().split()[0] == sha256_file(encrypted)
    assert list(private_tmp.iterdir()) == []  # the plaintext made while encrypting is gone

    # Decrypting by hand in a disaster, as docs/operations.md says (with a private gpg home here).
    by_hand = tmp_path / "by-hand"
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    subprocess.run(
        ["gpg", "--homedir", str(home), "--batch", "--pinentry-mode", "loopback"]
        + ["--passphrase-file", encrypting.env["KC_BACKUP_PASSPHRASE_FILE"]]
        + ["--output", str(by_hand), "--decrypt", str(encrypted)],
        check=True,
        capture_output=True,
    )
    assert sha256_file(by_hand) == sha256_file(plain)


def test_without_keep_plaintext_only_the_encrypted_file_and_its_sha256_are_written(encrypting, tmp_path):
    out_dir = tmp_path / "backups"
    encrypting.manage("backup", "--output", str(out_dir / f"kinetic.{_ext(encrypting)}"))
    assert sorted(p.name for p in out_dir.iterdir()) == [
        f"kinetic.{_ext(encrypting)}.gpg",
        f"kinetic.{_ext(encrypting)}.gpg.sha256",
    ]
    [(action, detail)] = json.loads(encrypting.run("-c", AUDIT).stdout.strip().splitlines()[-1])
    assert action == "backup" and detail["encrypted"] is True


def test_encrypted_backup_then_restore_reproduces_every_table(encrypting, tmp_path, django_db_blocker):
    encrypting.run("-m", "tests.trust.dbtool", "write", "--worker", "1", "--count", "4")
    backup = tmp_path / "kinetic.backup.gpg"
    encrypting.manage("backup", "--output", str(backup))
    before = encrypting.tool("checksums")
    with django_db_blocker.unblock():
        target = tempdb.empty_database(tmp_path)
    try:
        target = target.with_env(KC_BACKUP_PASSPHRASE_FILE=encrypting.env["KC_BACKUP_PASSPHRASE_FILE"])
        restored = target.manage("restore", str(backup), "--yes").stdout
        after = target.tool("checksums", "--skip-audit-action", "restore_backup")
    finally:
        with django_db_blocker.unblock():
            tempdb.drop(target)
    assert "Restore OK from kinetic.backup.gpg; decrypted;" in restored
    assert after == before
    assert before["clinic_client"]["rows"] == 5


def test_a_wrong_passphrase_fails_and_leaves_the_target_untouched(encrypting, other_db, tmp_path):
    backup = tmp_path / "kinetic.backup.gpg"
    encrypting.manage("backup", "--output", str(backup))
    wrong = tmp_path / "wrong"
    wrong.write_text("a different passphrase of some length\n")
    before = other_db.tool("checksums")

    result = other_db.manage("restore", str(backup), "--yes", "--passphrase-file", str(wrong), check=False)

    assert result.returncode != 0
    assert "Restore FAILED: decryption failed: wrong passphrase" in result.stderr
    assert other_db.tool("checksums") == before


def test_an_encrypted_backup_without_a_key_is_refused(encrypting, other_db, tmp_path):
    backup = tmp_path / "kinetic.backup.gpg"
    encrypting.manage("backup", "--output", str(backup))
    before = other_db.tool("checksums")
    result = other_db.manage("restore", str(backup), "--yes", check=False)
    assert result.returncode != 0
    assert "is encrypted: give the backup passphrase file" in result.stderr
    assert other_db.tool("checksums") == before


def _drill(db: tempdb.TempDatabase, *args: str):
    return subprocess.run(
        [sys.executable, "manage.py", "restore_drill", *args],
        cwd=tempdb.BASE,
        env=db.env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_restore_drill_decrypts_with_the_escrowed_key(encrypting, escrowed_copy, tmp_path, private_tmp):
    backups = tmp_path / "backups"
    encrypting.manage("backup", "--output", str(backups / f"kinetic-backup.{_ext(encrypting)}"))
    # The drill needs no passphrase on the host: it is given the escrowed copy.
    elsewhere = encrypting.with_env(KC_BACKUP_PASSPHRASE_FILE="")

    result = _drill(elsewhere, "--backup-dir", str(backups), "--passphrase-file", str(escrowed_copy))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Restore drill PASSED" in result.stdout
    assert "decrypt    ok: encrypted backup (OpenPGP) decrypted with the passphrase file" in result.stdout
    assert "1 clients" in result.stdout
    assert list(private_tmp.iterdir()) == []
    drills = [
        d for a, d in json.loads(encrypting.run("-c", AUDIT).stdout.strip().splitlines()[-1]) if a != "backup"
    ]
    assert drills[-1]["result"] == "passed"
    assert drills[-1]["encrypted"] is True and drills[-1]["decrypted"] is True


def test_the_restore_drill_fails_when_the_key_no_longer_opens_the_backup(encrypting, tmp_path, private_tmp):
    backups = tmp_path / "backups"
    encrypting.manage("backup", "--output", str(backups / f"kinetic-backup.{_ext(encrypting)}"))
    rotated = tmp_path / "rotated"
    rotated.write_text("a new passphrase nobody escrowed yet\n")

    result = _drill(encrypting, "--backup-dir", str(backups), "--passphrase-file", str(rotated))

    assert result.returncode != 0
    assert "the backup is encrypted and decryption failed: wrong passphrase" in result.stderr
    assert "restore " not in result.stdout
    assert list(private_tmp.iterdir()) == []
    drills = [
        d for a, d in json.loads(encrypting.run("-c", AUDIT).stdout.strip().splitlines()[-1]) if a != "backup"
    ]
    assert drills[-1]["result"] == "failed" and drills[-1]["decrypted"] is False


def test_the_drill_with_take_backup_encrypts_and_compares_every_table(encrypting, tmp_path):
    backups = tmp_path / "backups"
    result = _drill(encrypting, "--take-backup", "--backup-dir", str(backups))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "decrypt    ok" in result.stdout
    assert "tables identical to the live database at backup time" in result.stdout
    assert [p.suffix for p in sorted(backups.iterdir())] == [".gpg", ".sha256"]


def test_required_encryption_without_a_key_fails_and_writes_nothing(scratch_db, tmp_path):
    required = scratch_db.with_env(KC_BACKUP_REQUIRE_ENCRYPTION="true")
    out_dir = tmp_path / "backups"

    result = required.manage("backup", "--output", str(out_dir / "kinetic.backup"), check=False)

    assert result.returncode != 0
    assert "KC_BACKUP_REQUIRE_ENCRYPTION is on but no backup key is configured" in result.stderr
    assert not out_dir.exists()
    explicit = scratch_db.manage("backup", "--encrypt", "--output", str(out_dir / "x.backup"), check=False)
    assert explicit.returncode != 0
    assert "--encrypt was given but no backup key is configured" in explicit.stderr
    assert not out_dir.exists()


def test_required_encryption_refuses_no_encrypt_and_a_plaintext_backup_in_the_drill(encrypting, tmp_path):
    backups = tmp_path / "backups"
    plain = encrypting.manage(
        "backup", "--no-encrypt", "--output", str(backups / f"kinetic-b.{_ext(encrypting)}")
    )
    assert "NOT encrypted" in plain.stdout
    required = encrypting.with_env(KC_BACKUP_REQUIRE_ENCRYPTION="true")

    refused = required.manage("backup", "--no-encrypt", "--output", str(tmp_path / "x.backup"), check=False)
    drill = _drill(required, "--backup-dir", str(backups))

    assert refused.returncode != 0
    assert "refusing to write an unencrypted backup" in refused.stderr
    assert drill.returncode != 0
    assert "the backup is not encrypted, but KC_BACKUP_REQUIRE_ENCRYPTION is on" in drill.stderr


def test_a_short_passphrase_or_a_passphrase_in_the_environment_is_refused(scratch_db, tmp_path):
    short = tmp_path / "short"
    short.write_text("clinic2024\n")
    result = scratch_db.with_env(KC_BACKUP_PASSPHRASE_FILE=str(short)).manage(
        "backup", "--output", str(tmp_path / "b" / "x.backup"), check=False
    )
    assert result.returncode != 0
    assert "shorter than 20 characters" in result.stderr
    assert not (tmp_path / "b").exists()

    inline = scratch_db.with_env(KC_BACKUP_PASSPHRASE="correct horse battery staple, inline")
    result = inline.manage("backup", "--output", str(tmp_path / "b" / "x.backup"), check=False)
    assert result.returncode != 0
    assert "KC_BACKUP_PASSPHRASE is not read" in result.stderr


@pytest.fixture
def backup_key_pair(tmp_path):
    """A clinic backup key pair: the public half goes on the host, the secret half stays off it."""
    import tempfile

    home = tempfile.mkdtemp(prefix="kc-test-gpg-", dir="/tmp")  # gpg-agent's socket path must stay short
    gpg = ["gpg", "--homedir", home, "--batch", "--pinentry-mode", "loopback", "--passphrase", ""]
    try:
        subprocess.run(
            [*gpg, "--quick-gen-key", "Clinic backups <backups@clinic.example>", "ed25519", "sign", "never"],
            check=True,
            capture_output=True,
        )
        fingerprint = next(
            line.split(":")[9]
            for line in subprocess.run(
                [*gpg, "--list-keys", "--with-colons"], check=True, capture_output=True, text=True
            ).stdout.splitlines()
            if line.startswith("fpr:")
        )
        subprocess.run(
            [*gpg, "--quick-add-key", fingerprint, "cv25519", "encr", "never"],
            check=True,
            capture_output=True,
        )
        public, secret = tmp_path / "backup-public.asc", tmp_path / "backup-secret.asc"
        public.write_bytes(
            subprocess.run([*gpg, "--export", "--armor"], check=True, capture_output=True).stdout
        )
        secret.write_bytes(
            subprocess.run([*gpg, "--export-secret-keys", "--armor"], check=True, capture_output=True).stdout
        )
    finally:
        subprocess.run(["gpgconf", "--homedir", home, "--kill", "all"], capture_output=True)
        shutil.rmtree(home, ignore_errors=True)
    return public, secret


def test_a_backup_encrypted_to_a_public_key_needs_the_secret_key_kept_off_the_host(
    scratch_db, backup_key_pair, tmp_path, private_tmp
):
    public, secret = backup_key_pair
    scratch_db.run("-c", SEED)
    host = scratch_db.with_env(KC_BACKUP_GPG_RECIPIENT_FILE=str(public), TMPDIR=str(private_tmp))
    backups = tmp_path / "backups"
    backup = backups / f"kinetic-backup.{_ext(host)}.gpg"
    taken = host.manage("backup", "--output", str(backup))
    assert "encrypted, OpenPGP AES-256 (public key backup-public.asc)" in taken.stdout
    data = backup.read_bytes()
    assert _openpgp_tag(data[0]) == 1  # a public-key encrypted session key packet
    assert b"Quixotewright" not in data

    without_key = _drill(host, "--backup-dir", str(backups))
    with_key = _drill(host, "--backup-dir", str(backups), "--secret-key-file", str(secret))

    assert without_key.returncode != 0
    assert "is encrypted: give the backup passphrase file" in without_key.stderr
    assert with_key.returncode == 0, with_key.stdout + with_key.stderr
    assert "decrypted with the secret key" in with_key.stdout
    assert list(private_tmp.iterdir()) == []
