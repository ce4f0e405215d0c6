"""Check the audit log's hash chain: exits non-zero when a row was edited,
deleted or reordered behind the application's back.

Deleting the newest rows leaves an intact (shorter) chain; to catch that,
keep the printed head (id and hash) somewhere outside the database, e.g. in
the backup log, and pass it back with --anchor ID:HASH next time.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from clinic.audit import verify_chain
from clinic.models import AuditEvent


class Command(BaseCommand):
    help = "Verify the audit log hash chain (edited, deleted or reordered rows)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="ID:HASH",
            help="A head recorded earlier; fails if that event is gone or changed.",
        )

    def handle(self, *args, **options):
        problems = verify_chain()
        for anchor in options["anchor"]:
            try:
                raw_id, expected = anchor.split(":", 1)
                event_id = int(raw_id)
            except ValueError as exc:
                raise CommandError(f"--anchor must look like ID:HASH, got {anchor!r}") from exc
            found = AuditEvent.objects.filter(pk=event_id).values_list("hash", flat=True).first()
            if found is None:
                problems.append(f"anchor {event_id}: event missing (the log was truncated)")
            elif found != expected:
                problems.append(f"anchor {event_id}: hash differs from the recorded one")
        count = AuditEvent.objects.count()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(
                f"Audit log FAILED verification: {len(problems)} problem(s) in {count} events."
            )
        head = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
        head_text = f"head {head[0]}:{head[1]}" if head else "empty log"
        self.stdout.write(f"Audit log OK: {count} events, chain intact; {head_text}")
