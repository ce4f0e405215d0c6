"""Restore a backup made by `manage.py backup` into the configured database.

The backup must match its .sha256 and carry a valid signature with the audit key
(the .sha256 file's second line); --allow-unsigned restores one without (taken before backups
were signed), with a loud warning and an audit row saying so. After the restore the
audit chain is verified with the audit keys and against the published heads it
holds, and a line in the head file records what the log was restored to.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from audit.heads import HeadFileError, check_heads, current_head, publish_head, record_restore
from audit.log import audit_record, verify_chain
from trust.backups import BackupError, UnsignedBackup, check_backup_file, is_encrypted, restore_backup

logger = logging.getLogger("trust.backups")


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
        parser.add_argument(
            "--allow-unsigned",
            action="store_true",
            help="Restore a backup whose signature with the audit key is missing or wrong (one taken "
            "before backups were signed). Nothing then proves it was not altered; the restore is audited.",
        )

    def handle(self, *args, **options):
        source = Path(options["file"])
        if not source.exists():
            raise CommandError(f"No such file: {source}")
        if not options["yes"] and options.get("interactive", True):
            answer = input(f"Replace the current database with {source.name}? Type 'yes': ")
            if answer.strip() != "yes":
                raise CommandError("Restore cancelled.")
        allow_unsigned = options["allow_unsigned"]
        try:
            checked = check_backup_file(source, sidecar_required=False, allow_unsigned=allow_unsigned)
        except UnsignedBackup as exc:
            # An empty database (a restore after a disaster) has no audit log to record it in.
            with suppress(DatabaseError):
                audit_record(
                    actor=None,
                    action="restore_backup",
                    outcome="denied",
                    detail={"file": source.name, "refused": str(exc)[:300]},
                )
            raise CommandError(f"Restore REFUSED: {exc}") from exc
        except BackupError as exc:
            raise CommandError(f"Restore FAILED: {exc}") from exc
        if checked.signature != "valid":
            warning = (
                f"WARNING: restoring {source.name} WITHOUT a valid signature (--allow-unsigned): "
                f"{checked.problem}. Nothing proves this backup was not altered after it was taken. "
                "This restore is recorded in the audit log."
            )
            logger.warning(warning)
            self.stderr.write(self.style.WARNING(warning))
        passphrase = options["passphrase_file"]
        secret_key = options["secret_key_file"]
        try:
            check = restore_backup(
                source,
                passphrase_file=Path(passphrase) if passphrase else settings.KC_BACKUP_PASSPHRASE_FILE,
                secret_key_file=Path(secret_key) if secret_key else None,
                checked=checked,
            )
        except BackupError as exc:
            raise CommandError(f"Restore FAILED: {exc}") from exc
        # The restored log: its chain with this server's keys, and the heads published
        # up to its newest event (later ones belong to the history this restore replaces).
        problems = verify_chain()
        heads = check_heads(within=True)
        problems.extend(heads.problems)
        for warning in heads.warnings:
            self.stderr.write(self.style.WARNING(f"Warning: {warning}"))
        restored_head = current_head()
        if not problems and restored_head is not None:
            try:
                record_restore(*restored_head)
            except HeadFileError as exc:
                self.stderr.write(
                    self.style.WARNING(f"WARNING: the restore was not added to the head file: {exc}")
                )
        encrypted = is_encrypted(source)
        audit_record(
            actor=None,
            action="restore_backup",
            detail={
                "file": source.name,
                "sha256": checked.sha256,
                "encrypted": encrypted,
                "signature": checked.signature,
                "signature_key": checked.key_id,
                "allow_unsigned": allow_unsigned,
                "chain_ok": not problems,
                "published_heads_checked": heads.heads_checked,
            },
        )
        if problems:
            raise CommandError(f"Restored, but the audit log fails verification: {problems[:3]}")
        try:
            publish_head()
        except HeadFileError as exc:
            self.stderr.write(self.style.WARNING(f"WARNING: the audit head was not published: {exc}"))
        decrypted = "decrypted; " if encrypted else ""
        signed = (
            f"signed with the audit key (key {checked.key_id})"
            if checked.signature == "valid"
            else "NOT signed, restored with --allow-unsigned"
        )
        self.stdout.write(f"Restore OK from {source.name}; {decrypted}{check}; audit chain intact; {signed}")
