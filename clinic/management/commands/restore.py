"""Restore a backup made by `manage.py backup` into the configured database."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinic.audit import audit_record, verify_chain
from clinic.backups import BackupError, restore_backup, sha256_file


class Command(BaseCommand):
    help = "Restore a backup file (replaces the current database contents)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, **options):
        source = Path(options["file"])
        if not source.exists():
            raise CommandError(f"No such file: {source}")
        if not options["yes"] and options.get("interactive", True):
            answer = input(f"Replace the current database with {source.name}? Type 'yes': ")
            if answer.strip() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            check = restore_backup(source)
        except BackupError as exc:
            raise CommandError(f"Restore FAILED: {exc}") from exc
        problems = verify_chain()
        audit_record(
            actor=None,
            action="restore_backup",
            detail={"file": source.name, "sha256": sha256_file(source), "chain_ok": not problems},
        )
        if problems:
            raise CommandError(f"Restored, but the audit log fails verification: {problems[:3]}")
        self.stdout.write(f"Restore OK from {source.name}; {check}; audit chain intact")
