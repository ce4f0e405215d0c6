"""Publish the audit log's head outside the database; schedule it every 15 minutes.

Appends one signed line (time, newest event id, its hash, its key id) to the head
file (KC_AUDIT_HEAD_FILE; default audit-heads.log in the backup folder) and writes
the same line to the log (logger ``clinic.audit``). ``audit_verify`` then fails if
those events are later deleted or rewritten. The events written since the last
published head are verified first: a head is never published over a tampered log.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from audit.heads import HeadFileError, LogFailsVerification, head_file, publish_head
from audit.log import audit_record


class Command(BaseCommand):
    help = "Append the audit log's current head, signed, to the head file and the log."

    def handle(self, *args, **options):
        try:
            line = publish_head()
        except LogFailsVerification as exc:
            audit_record(
                actor=None,
                action="audit_verify_failed",
                outcome="denied",
                detail={
                    "problems": len(exc.problems),
                    "first": exc.problems[0][:300],
                    "via": "audit_publish_head",
                },
            )
            raise CommandError(f"Publishing the audit head FAILED: {exc}") from exc
        except HeadFileError as exc:
            raise CommandError(f"Publishing the audit head FAILED: {exc}") from exc
        if line is None:
            self.stdout.write("The audit log is empty: nothing to publish.")
            return
        self.stdout.write(f"Published to {head_file()}: {line}")
