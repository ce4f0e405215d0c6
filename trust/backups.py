"""Consistent database backups and restores (DATA-2, DATA-3).

SQLite is copied with its online backup API (never by copying the file, which
can miss WAL content or catch a torn page) and the copy must pass
``PRAGMA integrity_check``. PostgreSQL is dumped with ``pg_dump`` in custom
format and the archive must be readable by ``pg_restore --list``. Each backup
gets a ``.sha256`` file beside it; a restore refuses a file that does not match.

Anyone who can alter a backup can also recompute its ``.sha256``, so the checksum
is signed too: the ``.sha256`` file's second line, a comment that ``sha256sum -c``
skips, holds an HMAC-SHA256, with the audit key (audit.log), over the line
``<sha256>  <file name>``, and the key's id::

    <sha256>  kinetic-20260301T023000Z.sqlite3
    # hmac-sha256 <key id> <hmac>  kinetic-20260301T023000Z.sqlite3

``restore`` and ``restore_drill`` refuse a backup whose signature is missing or does
not match, unless the operator passes ``--allow-unsigned`` (a backup taken before
backups were signed). An encrypted backup's signature covers the ``.gpg`` file.

When a key is configured (CFG-6) the verified backup is encrypted with GnuPG
(OpenPGP, AES-256), a standard tool a clinic can also run by hand, and only the
``.gpg`` file is written to the backup folder: the plaintext copy is made and
checked in a private temporary folder and removed. gpg runs with a throw-away
home directory, so no user's keyring or agent is involved.

The restore drill restores a backup into a scratch copy that is never the live
database (an SQLite file in a temporary folder, or a PostgreSQL database named
``<name>_restore_drill`` that is created and dropped) and checks it there.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db import connection, connections, transaction

from audit.log import current_key, key_by_id
from core import files

STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
_STAMP = re.compile(r"\d{8}T\d{6}Z")
SCRATCH_SUFFIX = "_restore_drill"
GPG_SUFFIX = ".gpg"
SIGNATURE_PREFIX = "# hmac-sha256 "
MIN_PASSPHRASE_LENGTH = 20
# Iterated and salted S2K at the highest count OpenPGP allows: a guessed passphrase costs
# an attacker about 0.1 s of hashing, once per backup file.
_SYMMETRIC = [
    "--symmetric",
    "--cipher-algo",
    "AES256",
    "--s2k-mode",
    "3",
    "--s2k-digest-algo",
    "SHA512",
    "--s2k-count",
    "65011712",
]


class BackupError(Exception):
    pass


class UnsignedBackup(BackupError):
    """The backup's signature is missing or does not match (``--allow-unsigned`` overrides)."""

    def __init__(self, message: str, *, missing: bool = False):
        super().__init__(message)
        self.missing = missing


@dataclass
class BackupResult:
    path: Path
    sha256: str
    check: str
    # Per-table row counts and digests of the live database in the backup's snapshot.
    checksums: dict[str, dict] | None = None
    # How the file is encrypted ("" when it is not).
    encrypted: str = ""


def backup_extension() -> str:
    return "sqlite3" if connection.vendor == "sqlite" else "dump"


def default_backup_dir() -> Path:
    return files.default_backup_dir()


def default_backup_path(when: datetime) -> Path:
    return default_backup_dir() / f"kinetic-{when.astimezone(UTC):{STAMP_FORMAT}}.{backup_extension()}"


def backup_taken_at(path: Path) -> datetime:
    """When a backup was taken: the UTC time in a name written by ``backup``,
    else the file's modification time. The name is preferred because copying a
    file (off-host and back) usually resets its modification time."""
    match = _STAMP.search(path.name)
    if match:
        try:
            return datetime.strptime(match.group(0), STAMP_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            pass
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def latest_backup(directory: Path) -> Path | None:
    """The newest backup of this database's kind in ``directory``, encrypted or
    not; of two taken at the same time the encrypted one (it sorts last)."""
    if not directory.is_dir():
        return None
    suffixes = (f".{backup_extension()}", f".{backup_extension()}{GPG_SUFFIX}")
    found = [p for p in directory.iterdir() if p.is_file() and p.name.endswith(suffixes)]
    return max(found, key=lambda p: (backup_taken_at(p), p.name), default=None)


# --- Encryption with GnuPG --------------------------------------------------------------------


@dataclass(frozen=True)
class Encryption:
    """What a backup is encrypted to: a passphrase, a public key, or both (then
    either one decrypts it)."""

    passphrase_file: Path | None = None
    recipient_file: Path | None = None

    def describe(self) -> str:
        parts = []
        if self.passphrase_file:
            parts.append("passphrase")
        if self.recipient_file:
            parts.append(f"public key {self.recipient_file.name}")
        return "OpenPGP AES-256 (" + " or ".join(parts) + ")"


def is_encrypted(path: Path) -> bool:
    return path.name.endswith(GPG_SUFFIX)


def plaintext_name(path: Path) -> str:
    return path.name[: -len(GPG_SUFFIX)] if is_encrypted(path) else path.name


def gpg_binary() -> str:
    found = shutil.which("gpg")
    if not found:
        raise BackupError(
            "gpg is not installed (Debian/Ubuntu package gnupg): cannot encrypt or decrypt backups"
        )
    return found


def _check_passphrase_file(path: Path) -> None:
    try:
        with open(path, encoding="utf-8") as handle:
            first_line = handle.readline().rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise BackupError(f"cannot read the backup passphrase file {path}: {exc}") from exc
    # gpg reads only the first line of the file.
    if len(first_line) < MIN_PASSPHRASE_LENGTH:
        raise BackupError(
            f"the backup passphrase (first line of {path}) is shorter than {MIN_PASSPHRASE_LENGTH} characters"
        )


def configured_encryption() -> Encryption | None:
    passphrase = settings.KC_BACKUP_PASSPHRASE_FILE
    recipient = settings.KC_BACKUP_GPG_RECIPIENT_FILE
    if not passphrase and not recipient:
        return None
    return Encryption(passphrase_file=passphrase, recipient_file=recipient)


def choose_encryption(encrypt: bool | None) -> Encryption | None:
    """The encryption for a new backup: ``encrypt`` True/False is the operator's
    explicit choice, None follows the settings. Raises before anything is written."""
    required = settings.KC_BACKUP_REQUIRE_ENCRYPTION
    if encrypt is False:
        if required:
            raise BackupError("KC_BACKUP_REQUIRE_ENCRYPTION is on: refusing to write an unencrypted backup")
        return None
    encryption = configured_encryption()
    if encryption is None:
        if encrypt or required:
            why = "--encrypt was given" if encrypt else "KC_BACKUP_REQUIRE_ENCRYPTION is on"
            raise BackupError(
                f"{why} but no backup key is configured: set KC_BACKUP_PASSPHRASE_FILE "
                "(or KC_BACKUP_GPG_RECIPIENT_FILE)"
            )
        return None
    gpg_binary()
    if encryption.passphrase_file:
        _check_passphrase_file(encryption.passphrase_file)
    if encryption.recipient_file and not encryption.recipient_file.is_file():
        raise BackupError(f"the backup public key file {encryption.recipient_file} does not exist")
    return encryption


@contextmanager
def private_tempdir(prefix: str) -> Iterator[Path]:
    """A temporary folder only this user can enter (mkdtemp makes it 0700)."""
    with tempfile.TemporaryDirectory(prefix=prefix) as name:
        yield Path(name)


@contextmanager
def _gpg_home() -> Iterator[Path]:
    # gpg-agent's socket lives in the home directory and its path must stay under
    # about 100 characters, so a long TMPDIR gives way to /tmp.
    base = tempfile.gettempdir()
    if len(base) > 60 and os.path.isdir("/tmp"):
        base = "/tmp"
    home = Path(tempfile.mkdtemp(prefix="kc-gpg-", dir=base))
    try:
        yield home
    finally:
        # Public-key operations start an agent for this home; stop it before removing its folder.
        gpgconf = shutil.which("gpgconf")
        if gpgconf:
            subprocess.run([gpgconf, "--homedir", str(home), "--kill", "all"], capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


def _gpg(home: Path, args: list[str]) -> subprocess.CompletedProcess:
    command = [
        gpg_binary(),
        "--homedir",
        str(home),
        "--batch",
        "--yes",
        "--no-tty",
        "--pinentry-mode",
        "loopback",
    ]
    return subprocess.run([*command, *args], capture_output=True, text=True)


def _gpg_error(result: subprocess.CompletedProcess) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return "; ".join(lines[-3:])[:1000] or f"exit status {result.returncode}"


def encrypt_file(source: Path, target: Path, encryption: Encryption) -> None:
    """Encrypt ``source`` to ``target``; a failure leaves no partial file behind."""
    args: list[str] = []
    if encryption.passphrase_file:
        args += [*_SYMMETRIC, "--passphrase-file", str(encryption.passphrase_file)]
    if encryption.recipient_file:
        args += ["--encrypt", "--cipher-algo", "AES256", "--recipient-file", str(encryption.recipient_file)]
    if source.name.endswith(".dump"):
        args += ["--compress-algo", "none"]  # pg_dump's custom format is compressed already
    partial = target.with_name(f"{target.name}.partial")
    with _gpg_home() as home:
        result = _gpg(home, [*args, "--output", str(partial), str(source)])
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"gpg could not encrypt the backup: {_gpg_error(result)}")
    os.replace(partial, target)


def decrypt_file(
    source: Path, target: Path, *, passphrase_file: Path | None = None, secret_key_file: Path | None = None
) -> None:
    """Decrypt an encrypted backup to ``target`` (in a private folder). A wrong
    key, or a file altered after encryption, raises and leaves no output."""
    if passphrase_file is None and secret_key_file is None:
        raise BackupError(
            f"{source.name} is encrypted: give the backup passphrase file "
            "(KC_BACKUP_PASSPHRASE_FILE or --passphrase-file) or --secret-key-file"
        )
    args: list[str] = []
    if passphrase_file is not None:
        args += ["--passphrase-file", str(passphrase_file)]
    with _gpg_home() as home:
        if secret_key_file is not None:
            imported = _gpg(home, ["--import", str(secret_key_file)])
            if imported.returncode != 0:
                raise BackupError(f"gpg could not read the secret key file: {_gpg_error(imported)}")
        result = _gpg(home, [*args, "--output", str(target), "--decrypt", str(source)])
    if result.returncode != 0:
        target.unlink(missing_ok=True)
        problem = _gpg_error(result)
        if "Bad session key" in problem:
            problem = "wrong passphrase (gpg: Bad session key)"
        elif "No secret key" in problem:
            problem = "no matching key, or a wrong passphrase for the secret key (gpg: No secret key)"
        elif "can't get input" in problem:
            problem = "the secret key is protected: give its passphrase with --passphrase-file"
        raise BackupError(f"decryption failed: {problem}")


@contextmanager
def plaintext_of(
    source: Path, *, passphrase_file: Path | None = None, secret_key_file: Path | None = None
) -> Iterator[Path]:
    """The backup itself, or for an encrypted one its decrypted copy in a private
    temporary folder that is removed afterwards."""
    if not is_encrypted(source):
        yield source
        return
    with private_tempdir("kc-decrypt-") as work:
        target = work / plaintext_name(source)
        decrypt_file(source, target, passphrase_file=passphrase_file, secret_key_file=secret_key_file)
        yield target


def private_folder(folder: Path) -> None:
    """Create the backup folder only this user can enter (0700). An existing folder is
    tightened to 0700 too: backups hold every client's record."""
    try:
        files.private_folder(folder)
    except files.PrivateFolderError as exc:
        raise BackupError(str(exc)) from exc


def private_file(path: Path) -> None:
    """Backups and their sidecars are readable by their owner only (0600)."""
    path.chmod(0o600)


def write_checksum_file(path: Path) -> str:
    """Write ``<backup>.sha256``: the backup's SHA-256 and its signature with the audit key."""
    digest = sha256_file(path)
    key = current_key()
    mac = key.sign(_signed_line(digest, path.name))
    sidecar = Path(f"{path}.sha256")
    sidecar.write_text(f"{digest}  {path.name}\n{SIGNATURE_PREFIX}{key.key_id} {mac}  {path.name}\n")
    private_file(sidecar)
    private_file(path)
    return digest


def _signed_line(digest: str, name: str) -> bytes:
    return f"{digest}  {name}".encode()


@dataclass
class FileCheck:
    """A backup file checked before it is restored: its SHA-256, and its signature
    ("valid", or with ``--allow-unsigned`` "missing" or "invalid" and why)."""

    sha256: str
    signature: str
    key_id: str = ""
    problem: str = ""


def check_signature(path: Path, digest: str) -> str:
    """The id of the audit key whose signature of ``digest`` (the SHA-256 of ``path``)
    is in the backup's ``.sha256``. Raises UnsignedBackup when it is missing or does
    not match."""
    sidecar = Path(f"{path}.sha256")
    try:
        lines = sidecar.read_text().splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    signed = [line for line in lines if line.startswith(SIGNATURE_PREFIX)]
    if not signed:
        raise UnsignedBackup(
            f"{sidecar.name} is missing or carries no signature with the audit key, so the backup may "
            "have been altered (a backup taken before backups were signed has none: restore it only if "
            "you know where it came from, with --allow-unsigned)",
            missing=True,
        )
    try:
        key_id, mac, name = signed[0][len(SIGNATURE_PREFIX) :].split(maxsplit=2)
    except ValueError as exc:
        raise UnsignedBackup(
            f"the signature in {sidecar.name} is unreadable: the backup may have been altered"
        ) from exc
    key = key_by_id(key_id)
    if key is None:
        raise UnsignedBackup(
            f"the backup is signed with an audit key this server does not hold (key id {key_id}): it was "
            "signed with another key (put that key back on a retired line of KC_AUDIT_KEY_FILE), or the "
            "signature is forged"
        )
    if name != path.name and key.verify(_signed_line(digest, name), mac):
        raise UnsignedBackup(
            f"the backup was signed as {name}, not {path.name}: keep a backup's file name when copying it"
        )
    if not key.verify(_signed_line(digest, path.name), mac):
        raise UnsignedBackup(
            f"the backup's signature does not match (key id {key_id}): the backup may have been altered, "
            "or was signed with another audit key; refusing to restore it"
        )
    return key_id


def check_backup_file(path: Path, *, sidecar_required: bool, allow_unsigned: bool = False) -> FileCheck:
    """Check a backup before restoring it: against its ``.sha256`` and its signature.
    ``allow_unsigned`` lets a backup without a valid signature through (the caller
    warns and audits it); a file that does not match its ``.sha256`` never passes."""
    digest = sha256_file(path)
    _compare_sidecar(path, digest, required=sidecar_required)
    try:
        key_id = check_signature(path, digest)
    except UnsignedBackup as exc:
        if not allow_unsigned:
            raise
        return FileCheck(digest, "missing" if exc.missing else "invalid", problem=str(exc))
    return FileCheck(digest, "valid", key_id=key_id)


def _compare_sidecar(path: Path, digest: str, *, required: bool) -> bool:
    sidecar = Path(f"{path}.sha256")
    if not sidecar.exists():
        if required:
            raise BackupError(f"{sidecar.name} is missing: cannot tell whether the backup is intact")
        return False
    try:
        expected = sidecar.read_text().split()[0].lower()
    except (OSError, IndexError) as exc:
        raise BackupError(f"{sidecar.name} is unreadable") from exc
    if digest != expected:
        raise BackupError("the backup file does not match its .sha256: refusing to restore")
    return True


def check_sidecar(path: Path, *, required: bool) -> str | None:
    """Compare a backup with the SHA-256 recorded beside it when it was taken;
    return the digest (None when there is no record and none is required)."""
    digest = sha256_file(path)
    return digest if _compare_sidecar(path, digest, required=required) else None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env_and_args() -> tuple[dict[str, str], list[str]]:
    params = connection.settings_dict
    env = dict(os.environ)
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = params["PASSWORD"]
    args = ["-h", params.get("HOST") or "127.0.0.1", "-p", str(params.get("PORT") or 5432)]
    if params.get("USER"):
        args += ["-U", params["USER"]]
    return env, args


def _run(cmd: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{cmd[0]} failed: {result.stderr.strip()[:2000]}")
    return result


def _sqlite_open(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        # immutable: no locks and no -wal/-shm files created beside a backup that only gets read.
        return sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True)
    return sqlite3.connect(path)


def sqlite_integrity(path: Path, *, read_only: bool = False) -> str:
    conn = _sqlite_open(path, read_only=read_only)
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    except sqlite3.DatabaseError as exc:  # "file is not a database", "malformed"
        raise BackupError(f"integrity_check failed: {exc}") from exc
    finally:
        conn.close()
    if rows != ["ok"]:
        raise BackupError(f"integrity_check failed: {rows[:5]}")
    if fk:
        raise BackupError(f"foreign_key_check found {len(fk)} broken references")
    return "integrity_check ok, foreign_key_check ok"


def sqlite_table_checksums(conn: sqlite3.Connection) -> dict[str, dict]:
    """Row count and SHA-256 of every table's rows in rowid order. ``conn`` must
    be a plain sqlite3 connection (no type converters), the same on both sides."""
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    result = {}
    for table in tables:
        digest = hashlib.sha256()
        rows = 0
        for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):
            digest.update(repr(row).encode())
            rows += 1
        result[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return result


def pg_table_checksums(cursor) -> dict[str, dict]:
    """Row count and SHA-256 over the sorted MD5s of every table's rows as the
    server prints them, so both sides are compared independently of client types."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")
    tables = [r[0] for r in cursor.fetchall()]
    result = {}
    for table in tables:
        cursor.execute(f'SELECT md5(t::text) FROM "{table}" AS t ORDER BY 1')
        digest = hashlib.sha256()
        rows = 0
        for (row_md5,) in cursor.fetchall():
            digest.update(row_md5.encode())
            rows += 1
        result[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return result


def _pg_dump(output: Path, env: dict[str, str], args: list[str], snapshot: str = "") -> None:
    extra = [f"--snapshot={snapshot}"] if snapshot else []
    _run(
        ["pg_dump", *args, "-Fc", "--no-owner", *extra, "-f", str(output), connection.settings_dict["NAME"]],
        env,
    )


def take_backup(
    output: Path,
    *,
    checksums: bool = False,
    encryption: Encryption | None = None,
    keep_plaintext: bool = False,
) -> BackupResult:
    """Write a verified backup; with ``checksums``, also digest every live table
    in the very snapshot the backup copies, so a restore can be compared exactly
    while the clinic keeps writing. With ``encryption`` the file written is
    ``<output>.gpg`` (and, with ``keep_plaintext``, the plain backup beside it)."""
    if encryption is None:
        return _take_plain_backup(output, checksums=checksums)
    target = output if is_encrypted(output) else output.with_name(output.name + GPG_SUFFIX)
    private_folder(target.parent)
    with private_tempdir("kc-backup-") as work:
        plain = _take_plain_backup(work / plaintext_name(target), checksums=checksums)
        encrypt_file(plain.path, target, encryption)
        digest = write_checksum_file(target)
        if keep_plaintext:
            kept = target.with_name(plaintext_name(target))
            shutil.move(plain.path, kept)
            write_checksum_file(kept)
    return BackupResult(
        path=target,
        sha256=digest,
        check=plain.check,
        checksums=plain.checksums,
        encrypted=encryption.describe(),
    )


def _take_plain_backup(output: Path, *, checksums: bool) -> BackupResult:
    private_folder(output.parent)
    sums = None
    if connection.vendor == "sqlite":
        source = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        target = sqlite3.connect(output)
        try:
            # One read transaction: in WAL mode the copy and the digests see one snapshot.
            source.execute("BEGIN")
            source.execute("SELECT count(*) FROM sqlite_master").fetchone()
            with target:
                source.backup(target)
            if checksums:
                sums = sqlite_table_checksums(source)
            source.execute("COMMIT")
        finally:
            source.close()
            target.close()
        check = sqlite_integrity(output)
    elif connection.vendor == "postgresql":
        env, args = _pg_env_and_args()
        if checksums:
            if connection.in_atomic_block:
                raise BackupError("a backup with checksums cannot run inside a transaction")
            # pg_dump reads the snapshot this transaction exports, and the digests run in it too.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                _pg_dump(output, env, args, snapshot=cursor.fetchone()[0])
                sums = pg_table_checksums(cursor)
        else:
            _pg_dump(output, env, args)
        listing = _run(["pg_restore", "--list", str(output)], env)
        entries = sum(1 for line in listing.stdout.splitlines() if line and not line.startswith(";"))
        check = f"pg_restore --list ok ({entries} entries)"
    else:
        raise BackupError(f"unsupported database {connection.vendor}")
    digest = write_checksum_file(output)
    return BackupResult(path=output, sha256=digest, check=check, checksums=sums)


def restore_backup(
    source: Path,
    *,
    passphrase_file: Path | None = None,
    secret_key_file: Path | None = None,
    allow_unsigned: bool = False,
    checked: FileCheck | None = None,
) -> str:
    """Replace the current database's contents with the backup's. The file is checked
    first (``checked``: already done by the caller) against its ``.sha256`` and its
    signature; an encrypted backup is then decrypted. If either fails the database
    is not touched."""
    if checked is None:
        check_backup_file(source, sidecar_required=False, allow_unsigned=allow_unsigned)
    with plaintext_of(source, passphrase_file=passphrase_file, secret_key_file=secret_key_file) as plain:
        return _restore_plain(plain)


def _restore_plain(source: Path) -> str:
    connections.close_all()
    if connection.vendor == "sqlite":
        sqlite_integrity(source)
        src = sqlite3.connect(source)
        dst = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            with dst:
                src.backup(dst)
        finally:
            src.close()
            dst.close()
        return sqlite_integrity(Path(connection.settings_dict["NAME"]))
    if connection.vendor == "postgresql":
        env, args = _pg_env_and_args()
        _run(
            [
                "pg_restore",
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                "-d",
                connection.settings_dict["NAME"],
                str(source),
            ],
            env,
        )
        return "pg_restore ok"
    raise BackupError(f"unsupported database {connection.vendor}")


@dataclass
class ScratchCopy:
    """A restored copy of a backup, apart from the live database."""

    vendor: str
    check: str = ""
    sqlite_path: Path | None = None
    pg_name: str | None = None

    @property
    def name(self) -> str:
        return str(self.sqlite_path) if self.vendor == "sqlite" else str(self.pg_name)

    def environment(self) -> dict[str, str]:
        """The environment of a process whose default database is this copy."""
        env = {k: v for k, v in os.environ.items() if k not in ("KC_SQLITE_PATH_FILE",)}
        if self.vendor == "sqlite":
            env.pop("DATABASE_URL", None)
            env["KC_SQLITE_PATH"] = str(self.sqlite_path)
        else:
            url = urlsplit(settings.DATABASE_URL)
            env["DATABASE_URL"] = url._replace(path="/" + quote(str(self.pg_name))).geturl()
        return env


def scratch_pg_name(live_name: str) -> str:
    return f"{live_name[: 63 - len(SCRATCH_SUFFIX)]}{SCRATCH_SUFFIX}"


def restore_to_scratch(source: Path, workdir: Path) -> ScratchCopy:
    """Restore a backup into a scratch copy (never the live database) and
    check it: SQLite ``integrity_check``, or ``pg_restore`` succeeding in one
    transaction that stops at the first error."""
    if connection.vendor == "sqlite":
        sqlite_integrity(source, read_only=True)
        path = (workdir / "restored.sqlite3").resolve()
        if path == Path(connection.settings_dict["NAME"]).resolve():
            raise BackupError("the scratch copy would be the live database")
        src = _sqlite_open(source, read_only=True)
        dst = sqlite3.connect(path)
        try:
            with dst:
                src.backup(dst)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"copying the backup failed: {exc}") from exc
        finally:
            src.close()
            dst.close()
        return ScratchCopy("sqlite", check=sqlite_integrity(path), sqlite_path=path)
    if connection.vendor == "postgresql":
        env, args = _pg_env_and_args()
        copy = ScratchCopy("postgresql", pg_name=scratch_pg_name(connection.settings_dict["NAME"]))
        if copy.pg_name == connection.settings_dict["NAME"]:
            raise BackupError("the scratch copy would be the live database")
        # One left behind by an interrupted drill has this reserved name: replace it.
        drop_scratch(copy)
        _run(["createdb", *args, str(copy.pg_name)], env)
        try:
            _run(
                [
                    "pg_restore",
                    *args,
                    "--no-owner",
                    "--single-transaction",
                    "--exit-on-error",
                    "-d",
                    str(copy.pg_name),
                    str(source),
                ],
                env,
            )
        except BackupError:
            drop_scratch(copy)
            raise
        copy.check = "pg_restore ok"
        return copy
    raise BackupError(f"unsupported database {connection.vendor}")


def drop_scratch(copy: ScratchCopy) -> None:
    if copy.vendor == "postgresql":
        env, args = _pg_env_and_args()
        _run(["dropdb", *args, "--if-exists", "--force", str(copy.pg_name)], env)
    elif copy.sqlite_path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy.sqlite_path}{suffix}").unlink(missing_ok=True)
