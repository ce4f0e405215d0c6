"""Check the audit log's keyed hash chain, the heads published outside the database,
and every signed note's content against the hash taken when it was signed: exits
non-zero when a row was edited, deleted, inserted or reordered behind the
application's back, or the newest rows were deleted.

Each row's hash is an HMAC with the audit key, so a row edited in the database
cannot be given a matching hash without the key. Deleting the newest rows leaves an
intact (shorter) chain: the head file that ``audit_publish_head`` and every backup
append to (KC_AUDIT_HEAD_FILE) catches that, and is read automatically. A head kept
elsewhere (a printed "head ID:HASH") can be given with --anchor ID:HASH.

A failed verification is itself recorded in the audit log (``audit_verify_failed``).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from audit.heads import check_heads, head_file
from audit.integrity import run_checks
from audit.log import audit_record, verify_chain
from audit.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Verify the audit log: its keyed hash chain (edited, deleted, inserted or reordered rows) "
        "and the published heads (deleted newest rows)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="ID:HASH",
            help="A head recorded earlier; fails if that event is gone or changed.",
        )

    def handle(self, *args, **options):
        anchors = []
        for anchor in options["anchor"]:
            try:
                raw_id, expected = anchor.split(":", 1)
                anchors.append((int(raw_id), expected))
            except ValueError as exc:
                raise CommandError(f"--anchor must look like ID:HASH, got {anchor!r}") from exc
        problems = verify_chain()
        for event_id, expected in anchors:
            found = AuditEvent.objects.filter(pk=event_id).values_list("hash", flat=True).first()
            if found is None:
                problems.append(f"anchor {event_id}: event missing (the log was truncated)")
            elif found != expected:
                problems.append(f"anchor {event_id}: hash differs from the recorded one")
        heads = check_heads()
        problems.extend(heads.problems)
        for warning in heads.warnings:
            self.stderr.write(self.style.WARNING(f"Warning: {warning}"))
        # The records' own checks (each signed note's content against its hash).
        for check_problems in run_checks().values():
            problems.extend(check_problems)
        count = AuditEvent.objects.count()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            # The failure itself goes on the record, before anyone can tidy up.
            audit_record(
                actor=None,
                action="audit_verify_failed",
                outcome="denied",
                detail={"problems": len(problems), "first": problems[0][:300], "events": count},
            )
            raise CommandError(
                f"Audit log FAILED verification: {len(problems)} problem(s) in {count} events."
            )
        head = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
        head_text = f"head {head[0]}:{head[1]}" if head else "empty log"
        published = (
            f"; {heads.heads_checked} published head(s) in {head_file()} found intact"
            if heads.heads_checked
            else ""
        )
        self.stdout.write(f"Audit log OK: {count} events, chain intact; {head_text}{published}")
