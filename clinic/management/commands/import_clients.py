"""Import clients from another practice system's CSV export, audited.

Shows what it read (columns, ready rows, duplicates skipped, refused rows with their
reasons), then imports every ready row in one transaction, unless ``--dry-run``.
Re-running the same file imports nothing twice."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clinic import import_services
from clinic.models import User


class Command(BaseCommand):
    help = "Import clients from a CSV file exported by another practice system."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--by", required=True, help="Username of the admin importing the file.")
        parser.add_argument(
            "--therapist", required=True, help="Username of the therapist the clients are assigned to."
        )
        parser.add_argument(
            "--month-first", action="store_true", help="Dates such as 03/04/1980 are month first (US style)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be imported; import nothing."
        )

    def handle(self, *args, **options):
        try:
            by = User.objects.get(username=options["by"], is_active=True, is_clinic_admin=True)
        except User.DoesNotExist as exc:
            raise CommandError("--by must name an active clinic admin") from exc
        try:
            therapist = User.objects.get(username=options["therapist"], is_active=True, is_therapist=True)
        except User.DoesNotExist as exc:
            raise CommandError("--therapist must name an active therapist") from exc
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path.name}: {exc.strerror}") from exc
        try:
            upload, preview = import_services.client_import_upload(
                by=by,
                file_name=path.name,
                content=content,
                primary_therapist=therapist,
                month_first=options["month_first"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        out = self.stdout
        out.write(f"Read {path.name} ({preview.encoding}, {preview.delimiter}-separated).")
        for label, columns in preview.mapping:
            out.write(f"  {label}: {columns}")
        if preview.ignored:
            out.write("  Not used: " + ", ".join(preview.ignored))
        for notice in preview.notices:
            out.write(f"  Note: {notice}")
        for row in preview.refused:
            out.write(f"  Line {row.line} ({row.name}): {row.status}")
        out.write(
            f"{len(preview.ready)} ready, {len(preview.duplicates)} already held (skipped), "
            f"{len(preview.refused)} refused."
        )
        if options["dry_run"]:
            out.write("Dry run: nothing imported.")
            return
        summary = import_services.clients_import(upload=upload, by=by)
        out.write(f"Imported {summary['imported']} clients.")
