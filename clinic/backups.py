"""Consistent database backups and restores (DATA-2, DATA-3).

SQLite is copied with its online backup API (never by copying the file, which
can miss WAL content or catch a torn page) and the copy must pass
``PRAGMA integrity_check``. PostgreSQL is dumped with ``pg_dump`` in custom
format and the archive must be readable by ``pg_restore --list``. Each backup
gets a ``.sha256`` file beside it; a restore refuses a file that does not match.

The restore drill restores a backup into a scratch copy that is never the live
database (an SQLite file in a temporary folder, or a PostgreSQL database named
``<name>_restore_drill`` that is created and dropped) and checks it there.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db import connection, connections, transaction

STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
_STAMP = re.compile(r"\d{8}T\d{6}Z")
SCRATCH_SUFFIX = "_restore_drill"


class BackupError(Exception):
    pass


@dataclass
class BackupResult:
    path: Path
    sha256: str
    check: str
    # Per-table row counts and digests of the live database in the backup's snapshot.
    checksums: dict[str, dict] | None = None


def backup_extension() -> str:
    return "sqlite3" if connection.vendor == "sqlite" else "dump"


def default_backup_dir() -> Path:
    return Path(settings.BASE_DIR) / "backups"


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
    """The newest backup of this database's kind in ``directory``."""
    if not directory.is_dir():
        return None
    suffix = f".{backup_extension()}"
    found = [p for p in directory.iterdir() if p.is_file() and p.name.endswith(suffix)]
    return max(found, key=lambda p: (backup_taken_at(p), p.name), default=None)


def check_sidecar(path: Path, *, required: bool) -> str | None:
    """Compare a backup with the SHA-256 recorded beside it when it was taken;
    return the digest (None when there is no record and none is required)."""
    sidecar = Path(f"{path}.sha256")
    if not sidecar.exists():
        if required:
            raise BackupError(f"{sidecar.name} is missing: cannot tell whether the backup is intact")
        return None
    try:
        expected = sidecar.read_text().split()[0].lower()
    except (OSError, IndexError) as exc:
        raise BackupError(f"{sidecar.name} is unreadable") from exc
    actual = sha256_file(path)
    if actual != expected:
        raise BackupError("the backup file does not match its .sha256: refusing to restore")
    return actual


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


def take_backup(output: Path, *, checksums: bool = False) -> BackupResult:
    """Write a verified backup; with ``checksums``, also digest every live table
    in the very snapshot the backup copies, so a restore can be compared exactly
    while the clinic keeps writing."""
    output.parent.mkdir(parents=True, exist_ok=True)
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
    digest = sha256_file(output)
    Path(f"{output}.sha256").write_text(f"{digest}  {output.name}\n")
    return BackupResult(path=output, sha256=digest, check=check, checksums=sums)


def restore_backup(source: Path) -> str:
    """Replace the current database's contents with the backup's."""
    check_sidecar(source, required=False)
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
