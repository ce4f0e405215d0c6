"""Write one client's complete record (JSON or PDF) from the command line, audited."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from audit.log import audit_record
from clinic.access import get_client_for_export, may_export_records
from clinic.models import ClinicProfile, User
from core.pdf import Letterhead
from trust.export import collect_client_export, collect_pdf_parts, render_json, render_pdf


class Command(BaseCommand):
    help = "Export one client's complete record as JSON or PDF."

    def add_arguments(self, parser):
        parser.add_argument("client_id", type=int)
        parser.add_argument("--format", choices=["json", "pdf"], default="json")
        parser.add_argument("--output", required=True)
        parser.add_argument(
            "--by",
            required=True,
            help="Username of the records officer, or care-team therapist, requesting the export.",
        )

    def handle(self, *args, **options):
        try:
            by = User.objects.get(username=options["by"], is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError("--by must name an active user") from exc
        if not may_export_records(by):
            raise CommandError("--by must name a records officer or a therapist on the client's care team")
        try:
            client = get_client_for_export(by, options["client_id"])
        except Http404 as exc:
            raise CommandError("No such client on this user's records") from exc
        data = collect_client_export(client=client, by=by)
        if options["format"] == "json":
            body = render_json(data)
        else:
            body = render_pdf(
                data,
                letterhead=Letterhead.from_profile(ClinicProfile.load()),
                parts=collect_pdf_parts(client=client, by=by),
            )
        Path(options["output"]).write_bytes(body)
        audit_record(
            actor=by,
            action="export",
            client=client,
            target=client,
            detail={"format": options["format"], "via": "command"},
        )
        self.stdout.write(
            f"Wrote {options['output']}: {sum(len(v) for v in data['records'].values())} records"
        )
