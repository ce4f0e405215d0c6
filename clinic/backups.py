"""Consistent database backups and restores (DATA-2, DATA-3).

SQLite is copied with its online backup API (never by copying the file, which
can miss WAL content or catch a torn page) and the copy must pass
``PRAGMA integrity_check``. PostgreSQL is dumped with ``pg_dump`` in custom
format and the archive must be readable by ``pg_restore --list``. Each backup
gets a ``.sha256`` file beside it; a restore refuses a file that does not match.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, connections


class BackupError(Exception):
    pass


@dataclass
class BackupResult:
    path: Path
    sha256: str
    check: str


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


def sqlite_integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    if rows != ["ok"]:
        raise BackupError(f"integrity_check failed: {rows[:5]}")
    if fk:
        raise BackupError(f"foreign_key_check found {len(fk)} broken references")
    return "integrity_check ok, foreign_key_check ok"


def take_backup(output: Path) -> BackupResult:
    output.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        source = sqlite3.connect(connection.settings_dict["NAME"])
        target = sqlite3.connect(output)
        try:
            with target:
                source.backup(target)
        finally:
            source.close()
            target.close()
        check = sqlite_integrity(output)
    elif connection.vendor == "postgresql":
        env, args = _pg_env_and_args()
        _run(
            ["pg_dump", *args, "-Fc", "--no-owner", "-f", str(output), connection.settings_dict["NAME"]], env
        )
        listing = _run(["pg_restore", "--list", str(output)], env)
        entries = sum(1 for line in listing.stdout.splitlines() if line and not line.startswith(";"))
        check = f"pg_restore --list ok ({entries} entries)"
    else:
        raise BackupError(f"unsupported database {connection.vendor}")
    digest = sha256_file(output)
    Path(f"{output}.sha256").write_text(f"{digest}  {output.name}\n")
    return BackupResult(path=output, sha256=digest, check=check)


def restore_backup(source: Path) -> str:
    """Replace the current database's contents with the backup's."""
    sidecar = Path(f"{source}.sha256")
    if sidecar.exists():
        expected = sidecar.read_text().split()[0]
        if sha256_file(source) != expected:
            raise BackupError("the backup file does not match its .sha256: refusing to restore")
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
