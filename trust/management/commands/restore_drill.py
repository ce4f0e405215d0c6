"""Prove the newest backup can be restored and used (DATA-3); run it nightly after `backup`.

The backup must be younger than the recovery point objective (KC_BACKUP_RPO_HOURS),
match its recorded SHA-256 and carry a valid signature with the audit key
(--allow-unsigned drills one without, and says so). An encrypted backup is decrypted with the escrowed
key (the passphrase file, or the secret key given) into a private folder: that
proves the key still opens the backups. It is restored into a scratch copy, never the
live database, and a second process whose database *is* that copy checks it:
no unapplied migrations, an intact audit hash chain (checked with the audit keys and
against the heads published up to the copy's newest event), and the real selectors and
PDF renderers of the other apps working on it. The restore time is the
achieved recovery time. One audit event records every drill, passed or failed.

The apps above ``clinic`` register what the drill checks of them when they start
(``restore_check`` in core/composition.py: their row counts and their PDF renderers),
so ``clinic`` still names nothing above it.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audit.heads import HeadFileError, check_heads, publish_head
from audit.log import audit_record, verify_chain
from audit.models import AuditEvent
from clinic.models import Client
from core import composition
from trust.backups import (
    BackupError,
    ScratchCopy,
    UnsignedBackup,
    backup_taken_at,
    check_backup_file,
    choose_encryption,
    decrypt_file,
    default_backup_dir,
    default_backup_path,
    drop_scratch,
    is_encrypted,
    latest_backup,
    pg_table_checksums,
    plaintext_name,
    restore_to_scratch,
    sqlite_table_checksums,
    take_backup,
)

INSPECT_TIMEOUT_S = 3600


class DrillFailed(Exception):
    pass


@dataclass
class DrillReport:
    lines: list[tuple[str, str]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)

    def add(self, label: str, text: str) -> None:
        self.lines.append((label, text))

    def fail(self, problem: str) -> None:
        self.failures.append(problem)
        self.lines.append(("FAILED", problem))


# --- The checks run inside the scratch copy's own process -------------------------------------


def _restore_checks(out: dict[str, Any], step) -> None:
    """Each app's registered check: its counts, then its PDFs rendered one by one."""
    out["counts"] = counts = {"clients": step("counts", Client.objects.count)}
    out["pdfs"] = {}
    for app_label, provider in composition.providers("restore_check"):
        check = step(f"{app_label} counts", provider)
        if check is None:
            continue
        counts.update(check.counts)
        for label, render in check.pdfs.items():
            body = step(label, render)
            if body is None:
                out["pdfs"][label] = None
            elif not body.startswith(b"%PDF-"):
                out["problems"].append(f"{label}: the renderer did not produce a PDF")
            else:
                out["pdfs"][label] = len(body)


def inspect_restored_copy(*, checksums: bool) -> dict[str, Any]:
    """Every check of the restored copy; run in a process whose database is that
    copy. Each step is independent, so one failure does not hide the others."""
    out: dict[str, Any] = {"problems": []}

    def step(label: str, func):
        try:
            return func()
        except Exception as exc:  # report every way a restored copy can be unusable
            out["problems"].append(f"{label}: {exc!r}"[:500])
            return None

    # First, before anything below can write to the copy (ClinicProfile.load creates its row).
    if checksums:
        if connection.vendor == "sqlite":
            # A plain sqlite3 connection, like the live side's, not Django's type-converting one.
            def sqlite_sums():
                raw = sqlite3.connect(connection.settings_dict["NAME"])
                try:
                    return sqlite_table_checksums(raw)
                finally:
                    raw.close()

            out["checksums"] = step("table checksums", sqlite_sums)
        else:

            def pg_sums():
                with connection.cursor() as cursor:
                    return pg_table_checksums(cursor)

            out["checksums"] = step("table checksums", pg_sums)

    def migrations() -> list[str]:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]

    unapplied = step("migrations check", migrations)
    out["unapplied_migrations"] = unapplied
    if unapplied:
        out["problems"].append(f"{len(unapplied)} migration(s) not applied: {', '.join(unapplied[:5])}")
    chain = step("audit chain", verify_chain)
    if chain:
        out["problems"].append(f"audit chain: {len(chain)} problem(s), first: {chain[0]}")
    heads = step("audit heads", lambda: check_heads(within=True))
    if heads is not None:
        out["published_heads_checked"] = heads.heads_checked
        out["problems"].extend(f"audit heads: {problem}" for problem in heads.problems)
    out["audit_events"] = step("audit log", AuditEvent.objects.count)
    out["audit_head"] = step(
        "audit log", lambda: AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
    )
    _restore_checks(out, step)
    return out


# --- The drill, run against the live settings --------------------------------------------------


def _compare_checksums(live: dict[str, dict], restored: dict[str, dict]) -> list[str]:
    problems = []
    for table in sorted(set(live) | set(restored)):
        if table not in restored:
            problems.append(f"{table}: missing from the restored copy")
        elif table not in live:
            problems.append(f"{table}: only in the restored copy")
        elif live[table] != restored[table]:
            problems.append(
                f"{table}: differs ({live[table]['rows']} live rows, {restored[table]['rows']} restored)"
            )
    return problems


class Command(BaseCommand):
    help = (
        "Restore the newest backup into a scratch database, check it (integrity, migrations, audit "
        "chain, PDFs) and report the restore time; fails if the backup is older than the RPO."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--backup-dir", help="Folder holding the backups (default: backups/ in the project folder)."
        )
        parser.add_argument("--file", help="Drill this backup file instead of the newest one.")
        parser.add_argument(
            "--passphrase-file",
            help="Passphrase file of encrypted backups, e.g. the escrowed copy "
            "(default: KC_BACKUP_PASSPHRASE_FILE).",
        )
        parser.add_argument(
            "--secret-key-file",
            help="Exported OpenPGP secret key, for backups encrypted to a public key.",
        )
        parser.add_argument(
            "--allow-unsigned",
            action="store_true",
            help="Drill a backup whose signature with the audit key is missing or wrong (one taken "
            "before backups were signed); the report and the audit event say so.",
        )
        parser.add_argument(
            "--take-backup",
            action="store_true",
            help="Take a backup first, then also compare every table with the live database.",
        )
        # The second process, whose database is the scratch copy; the argument names that copy.
        parser.add_argument("--inspect-restored", metavar="DATABASE", help=argparse.SUPPRESS)
        parser.add_argument("--checksums", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["inspect_restored"]:
            if options["inspect_restored"] != str(connection.settings_dict["NAME"]):
                raise CommandError("--inspect-restored only runs against the scratch copy it names")
            result = inspect_restored_copy(checksums=options["checksums"])
            self.stdout.write(json.dumps(result, default=str))
            return
        if options["file"] and options["take_backup"]:
            raise CommandError("Use either --file or --take-backup, not both.")

        report = DrillReport()
        started = time.monotonic()
        try:
            self._drill(report, options)
        except (BackupError, DrillFailed) as exc:
            report.fail(str(exc))
        total = time.monotonic() - started
        report.add("total", f"{total:.2f} s")
        passed = not report.failures
        audit_record(
            actor=None,
            action="restore_drill",
            detail={
                **report.detail,
                "result": "passed" if passed else "failed",
                "total_seconds": round(total, 3),
                "problems": report.failures[:10],
            },
        )
        self.stdout.write(f"Restore drill {'PASSED' if passed else 'FAILED'}")
        for label, text in report.lines:
            self.stdout.write(f"  {label:<11}{text}")
        if not passed:
            raise CommandError(f"Restore drill FAILED: {report.failures[0]}")

    def _drill(self, report: DrillReport, options) -> None:
        rpo_hours = settings.KC_BACKUP_RPO_HOURS
        report.detail["rpo_hours"] = rpo_hours
        live_sums = None
        if options["take_backup"]:
            output = (
                Path(options["backup_dir"]) / default_backup_path(timezone.now()).name
                if options["backup_dir"]
                else default_backup_path(timezone.now())
            )
            encryption = choose_encryption(None)
            audit_record(
                actor=None,
                action="backup",
                detail={"file": output.name, "via": "restore_drill", "encrypted": encryption is not None},
            )
            try:
                publish_head()
            except HeadFileError as exc:
                report.add("audit head", f"NOT published: {exc}")
            taken = take_backup(output, checksums=True, encryption=encryption)
            live_sums = taken.checksums
            source = taken.path
        elif options["file"]:
            source = Path(options["file"])
            if not source.is_file():
                raise DrillFailed(f"no such backup file: {source}")
        else:
            directory = Path(options["backup_dir"]) if options["backup_dir"] else default_backup_dir()
            found = latest_backup(directory)
            if found is None:
                raise DrillFailed(f"no backup found in {directory}")
            source = found
        report.detail["file"] = source.name

        taken_at = backup_taken_at(source)
        age_hours = (timezone.now() - taken_at).total_seconds() / 3600
        report.detail["backup_age_hours"] = round(age_hours, 2)
        report.add("backup", f"{source} (taken {taken_at:%Y-%m-%d %H:%M} UTC, {age_hours:.1f} h ago)")
        if age_hours > rpo_hours:
            raise DrillFailed(
                f"the newest backup is {age_hours:.1f} h old, older than the RPO of {rpo_hours} h "
                "(KC_BACKUP_RPO_HOURS): is the nightly backup running?"
            )
        report.add("RPO", f"ok: {age_hours:.1f} h <= {rpo_hours} h")
        encrypted = is_encrypted(source)
        report.detail["encrypted"] = encrypted
        if not encrypted and settings.KC_BACKUP_REQUIRE_ENCRYPTION:
            raise DrillFailed("the backup is not encrypted, but KC_BACKUP_REQUIRE_ENCRYPTION is on")

        # mkdtemp: a folder only this user can enter, for the decrypted copy too.
        with tempfile.TemporaryDirectory(prefix="kc-restore-drill-") as workdir:
            restore_started = time.monotonic()
            try:
                checked = check_backup_file(
                    source, sidecar_required=True, allow_unsigned=options.get("allow_unsigned", False)
                )
            except UnsignedBackup as exc:
                report.detail["signature"] = "refused"
                raise DrillFailed(f"{exc} (--allow-unsigned drills it anyway)") from exc
            report.detail["sha256"] = checked.sha256
            report.detail["signature"] = checked.signature
            report.add("sha256", f"ok {checked.sha256}")
            if checked.signature == "valid":
                report.add("signature", f"ok: signed with the audit key (key {checked.key_id})")
            else:
                report.detail["allow_unsigned"] = True
                report.add("signature", f"NOT VALID, drilled with --allow-unsigned: {checked.problem}")
            plain = source
            if encrypted:
                passphrase, secret_key = options.get("passphrase_file"), options.get("secret_key_file")
                plain = Path(workdir) / plaintext_name(source)
                try:
                    decrypt_file(
                        source,
                        plain,
                        passphrase_file=Path(passphrase)
                        if passphrase
                        else settings.KC_BACKUP_PASSPHRASE_FILE,
                        secret_key_file=Path(secret_key) if secret_key else None,
                    )
                except BackupError as exc:
                    report.detail["decrypted"] = False
                    raise DrillFailed(f"the backup is encrypted and {exc}") from exc
                report.detail["decrypted"] = True
                key = "the secret key" if secret_key else "the passphrase file"
                report.add("decrypt", f"ok: encrypted backup (OpenPGP) decrypted with {key}")
            copy = restore_to_scratch(plain, Path(workdir))
            restore_seconds = time.monotonic() - restore_started
            report.detail["restore_seconds"] = round(restore_seconds, 3)
            report.add("restore", f"{restore_seconds:.2f} s (achieved RTO); {copy.check}")
            try:
                self._check_copy(report, copy, live_sums)
            finally:
                drop_scratch(copy)

    def _check_copy(self, report: DrillReport, copy: ScratchCopy, live_sums) -> None:
        command = [
            sys.executable,
            str(Path(settings.BASE_DIR) / "manage.py"),
            "restore_drill",
            "--inspect-restored",
            copy.name,
        ]
        if live_sums is not None:
            command.append("--checksums")
        started = time.monotonic()
        result = subprocess.run(
            command,
            cwd=settings.BASE_DIR,
            env=copy.environment(),
            capture_output=True,
            text=True,
            timeout=INSPECT_TIMEOUT_S,
        )
        report.detail["check_seconds"] = round(time.monotonic() - started, 3)
        lines = result.stdout.strip().splitlines()
        if result.returncode != 0 or not lines:
            raise DrillFailed(f"checking the restored copy failed: {result.stderr.strip()[-1500:]}")
        found = json.loads(lines[-1])

        unapplied = found.get("unapplied_migrations")
        if unapplied == []:
            report.add("migrations", "all applied")
        report.detail["audit_events"] = found.get("audit_events")
        head = found.get("audit_head")
        if head:
            live_hash = AuditEvent.objects.filter(pk=head[0]).values_list("hash", flat=True).first()
            if live_hash != head[1]:
                report.fail(
                    f"the live audit log no longer holds event {head[0]} as the backup has it "
                    "(edited or cut short since the backup)"
                )
        report.detail["published_heads_checked"] = found.get("published_heads_checked")
        if not any(p.startswith("audit") for p in found["problems"]):
            heads = found.get("published_heads_checked")
            published = f", {heads} published head(s) intact" if heads else ""
            report.add("audit log", f"{found.get('audit_events')} events, chain intact{published}")
        counts = found.get("counts") or {}
        report.detail["counts"] = counts
        pdfs = found.get("pdfs") or {}
        report.detail["pdf_bytes"] = pdfs
        smoke = ", ".join(f"{n} {label}" for label, n in counts.items())
        for label, size in pdfs.items():
            smoke += f"; {label} " + (f"{size / 1024:.0f} kB" if size else "none to render")
        report.add("smoke", smoke)
        for problem in found["problems"]:
            report.fail(problem)
        if live_sums is not None:
            restored_sums = found.get("checksums") or {}
            differences = _compare_checksums(live_sums, restored_sums)
            report.detail["tables_compared"] = len(live_sums)
            if differences:
                for difference in differences[:10]:
                    report.fail(f"checksum {difference}")
            else:
                report.add(
                    "checksums", f"{len(live_sums)} tables identical to the live database at backup time"
                )
