"""Take a verified, consistent backup of the database."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from clinic.audit import audit_record, verify_chain
from clinic.backups import BackupError, default_backup_path, take_backup


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup API or pg_dump) and verify the copy."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="File to write (default: backups/kinetic-<UTC time>.<ext>).")

    def handle(self, *args, **options):
        problems = verify_chain()
        if problems:
            self.stderr.write("Warning: the audit log fails verification; backing up anyway:")
            for problem in problems[:10]:
                self.stderr.write(f"  {problem}")
        output = Path(options["output"]) if options["output"] else default_backup_path(timezone.now())
        # Logged before the snapshot so the backup itself holds the record of its making.
        audit_record(actor=None, action="backup", detail={"file": output.name})
        try:
            result = take_backup(output)
        except BackupError as exc:
            raise CommandError(f"Backup FAILED: {exc}") from exc
        self.stdout.write(f"Backup OK: {result.path} sha256 {result.sha256}; {result.check}")
