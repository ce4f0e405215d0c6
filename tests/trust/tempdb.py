"""Throw-away migrated databases for tests that need real, committed data seen
by several processes (concurrent writers, backup and restore, a killed worker).

pytest's own test database cannot serve: its rows live in one uncommitted
transaction, and on SQLite it is in memory. Flushing a shared database between
tests would also fail by design, since the audit table refuses DELETE.
The database is of the same kind as the suite's (SQLite file or PostgreSQL).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

BASE = Path(settings.BASE_DIR)


@dataclass
class TempDatabase:
    vendor: str
    env: dict[str, str]
    sqlite_path: Path | None = None
    pg_name: str | None = None

    def run(self, *args: str, check: bool = True, timeout: int = 300) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, *args], cwd=BASE, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
        return result

    def with_env(self, **env: str) -> TempDatabase:
        """The same database, run with these environment variables added."""
        return dataclasses.replace(self, env={**self.env, **env})

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.run("manage.py", *args, check=check)

    def tool(self, *args: str) -> dict:
        out = self.run("-m", "tests.trust.dbtool", *args)
        return json.loads(out.stdout.strip().splitlines()[-1])


def _base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KC_SQLITE_PATH")}
    env["DJANGO_SETTINGS_MODULE"] = "clinic.settings"
    env.setdefault("DJANGO_DEBUG", "true")
    return env


def _pg_admin_url() -> str:
    params = connection.settings_dict
    user = params.get("USER") or "postgres"
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    password = params.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else f"{user}@"
    return f"postgres://{auth}{host}:{port}"


def _pg_execute(sql: str) -> None:
    import psycopg

    with psycopg.connect(_pg_admin_url() + "/postgres", autocommit=True) as conn:
        conn.execute(sql)


def empty_database(tmp_path: Path) -> TempDatabase:
    """A brand-new database with no tables (a restore target)."""
    env = _base_env()
    if connection.vendor == "postgresql":
        name = f"kc_trust_tmp_{uuid.uuid4().hex[:10]}"
        _pg_execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"{_pg_admin_url()}/{name}"
        env["KC_AUDIT_HEAD_FILE"] = str(tmp_path / f"{name}.heads.log")
        return TempDatabase("postgresql", env, pg_name=name)
    path = tmp_path / f"kc-{uuid.uuid4().hex[:8]}.sqlite3"
    env["KC_SQLITE_PATH"] = str(path)
    env["KC_AUDIT_HEAD_FILE"] = str(path.with_suffix(".heads.log"))
    return TempDatabase("sqlite", env, sqlite_path=path)


def migrated_template(tmp_dir: Path) -> TempDatabase:
    db = empty_database(tmp_dir)
    db.manage("migrate", "--noinput")
    return db


def clone(template: TempDatabase, tmp_path: Path) -> TempDatabase:
    """A fresh copy of the migrated template."""
    if template.vendor == "postgresql":
        name = f"kc_trust_tmp_{uuid.uuid4().hex[:10]}"
        _pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template.pg_name}"')
        env = dict(
            template.env,
            DATABASE_URL=f"{_pg_admin_url()}/{name}",
            KC_AUDIT_HEAD_FILE=str(tmp_path / f"{name}.heads.log"),
        )
        return TempDatabase("postgresql", env, pg_name=name)
    path = tmp_path / f"kc-{uuid.uuid4().hex[:8]}.sqlite3"
    src = sqlite3.connect(template.sqlite_path)
    dst = sqlite3.connect(path)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    env = dict(template.env, KC_SQLITE_PATH=str(path), KC_AUDIT_HEAD_FILE=str(path.with_suffix(".heads.log")))
    return TempDatabase("sqlite", env, sqlite_path=path)


def drop(db: TempDatabase) -> None:
    if db.vendor == "postgresql" and db.pg_name:
        _pg_execute(f'DROP DATABASE IF EXISTS "{db.pg_name}" WITH (FORCE)')
    elif db.sqlite_path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db.sqlite_path}{suffix}").unlink(missing_ok=True)


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
