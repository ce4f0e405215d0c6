"""Take a verified, consistent backup of the database, encrypted when a key is configured,
with its checksum signed with the audit key; publish the audit log's head first."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.heads import HeadFileError, publish_head
from audit.log import audit_record, verify_chain
from trust.backups import BackupError, choose_encryption, default_backup_path, take_backup

logger = logging.getLogger("trust.backups")


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup API or pg_dump), verify the copy and, when "
        "KC_BACKUP_PASSPHRASE_FILE or KC_BACKUP_GPG_RECIPIENT_FILE is set, encrypt it with gpg."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="File to write (default: backups/kinetic-<UTC time>.<ext>).")
        parser.add_argument(
            "--encrypt",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="Encrypt (fails without a configured key) or not (refused when KC_BACKUP_REQUIRE_ENCRYPTION "
            "is on). Default: encrypt when a key is configured.",
        )
        parser.add_argument(
            "--keep-plaintext",
            action="store_true",
            help="Also keep the unencrypted backup beside the .gpg file (it must not leave the host).",
        )

    def handle(self, *args, **options):
        try:
            encryption = choose_encryption(options["encrypt"])
        except BackupError as exc:
            raise CommandError(f"Backup FAILED: {exc}") from exc
        problems = verify_chain()
        if problems:
            self.stderr.write("Warning: the audit log fails verification; backing up anyway:")
            for problem in problems[:10]:
                self.stderr.write(f"  {problem}")
        output = Path(options["output"]) if options["output"] else default_backup_path(timezone.now())
        # Logged before the snapshot so the backup itself holds the record of its making.
        audit_record(
            actor=None, action="backup", detail={"file": output.name, "encrypted": encryption is not None}
        )
        # The head, this backup's own row included, goes outside the database before the
        # snapshot: the backup then holds the published head, and a later truncation shows.
        try:
            publish_head()
        except HeadFileError as exc:
            warning = f"WARNING: the audit head was not published: {exc}"
            logger.error(warning)
            self.stderr.write(self.style.WARNING(warning))
        try:
            result = take_backup(output, encryption=encryption, keep_plaintext=options["keep_plaintext"])
        except BackupError as exc:
            raise CommandError(f"Backup FAILED: {exc}") from exc
        encrypted = f"; encrypted, {result.encrypted}" if result.encrypted else "; NOT encrypted"
        self.stdout.write(
            f"Backup OK: {result.path} sha256 {result.sha256}; {result.check}{encrypted}; "
            "checksum signed with the audit key"
        )
        if not result.encrypted:
            warning = (
                f"WARNING: {result.path.name} is NOT encrypted. It holds every client's record in "
                "plain form: keep it on this host only. Set KC_BACKUP_PASSPHRASE_FILE (or "
                "KC_BACKUP_GPG_RECIPIENT_FILE) so every backup is encrypted, and "
                "KC_BACKUP_REQUIRE_ENCRYPTION=true to refuse unencrypted ones."
            )
            logger.warning(warning)
            self.stderr.write(self.style.WARNING(warning))
