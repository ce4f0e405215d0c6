"""Restore a backup made by `manage.py backup` into the configured database."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clinic.audit import audit_record, verify_chain
from clinic.backups import BackupError, is_encrypted, restore_backup, sha256_file


class Command(BaseCommand):
    help = "Restore a backup file, encrypted (.gpg) or not (replaces the current database contents)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument(
            "--passphrase-file",
            help="File holding the passphrase of an encrypted backup (default: KC_BACKUP_PASSPHRASE_FILE).",
        )
        parser.add_argument(
            "--secret-key-file",
            help="Exported OpenPGP secret key, for a backup encrypted to a public key "
            "(KC_BACKUP_GPG_RECIPIENT_FILE).",
        )

    def handle(self, *args, **options):
        source = Path(options["file"])
        if not source.exists():
            raise CommandError(f"No such file: {source}")
        if not options["yes"] and options.get("interactive", True):
            answer = input(f"Replace the current database with {source.name}? Type 'yes': ")
            if answer.strip() != "yes":
                raise CommandError("Restore cancelled.")
        passphrase = options["passphrase_file"]
        secret_key = options["secret_key_file"]
        try:
            check = restore_backup(
                source,
                passphrase_file=Path(passphrase) if passphrase else settings.KC_BACKUP_PASSPHRASE_FILE,
                secret_key_file=Path(secret_key) if secret_key else None,
            )
        except BackupError as exc:
            raise CommandError(f"Restore FAILED: {exc}") from exc
        problems = verify_chain()
        encrypted = is_encrypted(source)
        audit_record(
            actor=None,
            action="restore_backup",
            detail={
                "file": source.name,
                "sha256": sha256_file(source),
                "encrypted": encrypted,
                "chain_ok": not problems,
            },
        )
        if problems:
            raise CommandError(f"Restored, but the audit log fails verification: {problems[:3]}")
        decrypted = "decrypted; " if encrypted else ""
        self.stdout.write(f"Restore OK from {source.name}; {decrypted}{check}; audit chain intact")
