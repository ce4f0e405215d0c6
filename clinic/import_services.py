"""Writes of the client import: keeping an uploaded client list for its preview, and
importing its ready rows in one transaction. The reading rules are in
``clinic.importing``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from audit.log import audit_record
from clinic.importing import ImportFileError, Preview, identity, read_client_csv
from clinic.models import Client, ClientImport, User

IMPORT_LOCK = 4_711_001  # the advisory lock key of the client import


@transaction.atomic
def client_import_upload(
    *,
    by: User,
    file_name: str,
    content: bytes,
    primary_therapist: User,
    month_first: bool = False,
) -> tuple[ClientImport, Preview]:
    """Keep an uploaded client list for its preview. A file that cannot be read at all
    raises ValidationError on ``file`` and nothing is kept."""
    if not (primary_therapist.is_therapist and primary_therapist.is_active):
        raise ValidationError({"primary_therapist": "Choose an active therapist."})
    try:
        preview = read_client_csv(content, month_first=month_first)
    except ImportFileError as exc:
        raise ValidationError({"file": str(exc)}) from None
    upload = ClientImport.objects.create(
        uploaded_by=by,
        file_name=(file_name or "clients.csv")[-255:],
        content=content,
        month_first=month_first,
        primary_therapist=primary_therapist,
    )
    audit_record(
        actor=by,
        action="import_preview",
        target=upload,
        detail={"rows": len(preview.rows), "ready": len(preview.ready)},
    )
    return upload, preview


@transaction.atomic
def clients_import(*, upload: ClientImport, by: User) -> dict:
    """Import every ready row of the upload, all or nothing. A row that became a duplicate
    since the preview (someone added the client meanwhile) is skipped, never doubled;
    importing the same file twice imports nothing the second time."""
    current = ClientImport.objects.select_for_update(no_key=True).get(pk=upload.pk)
    if connection.vendor == "postgresql":
        # One import at a time, so two files holding the same client cannot both add it
        # (SQLite already lets one writer in at a time).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
    if current.imported_at is not None:
        raise ValidationError("This file has already been imported.")
    try:
        preview = read_client_csv(bytes(current.content), month_first=current.month_first)
    except ImportFileError as exc:
        raise ValidationError(str(exc)) from None
    therapist = current.primary_therapist
    if not (therapist.is_therapist and therapist.is_active):
        raise ValidationError("The chosen therapist is no longer an active therapist.")
    ready = preview.ready
    clients = Client.objects.bulk_create(
        [Client(primary_therapist=therapist, **row.data) for row in ready], batch_size=500
    )
    if clients and clients[0].pk is None:  # databases that do not return ids from a bulk insert
        keys = {identity(c.first_name, c.last_name, c.date_of_birth) for c in clients}
        clients = [
            c
            for c in Client.objects.filter(date_of_birth__in={c.date_of_birth for c in clients})
            if identity(c.first_name, c.last_name, c.date_of_birth) in keys
        ]
    Team = Client.care_team.through
    Team.objects.bulk_create([Team(client_id=c.pk, user_id=therapist.pk) for c in clients], batch_size=1000)
    for client in clients:
        audit_record(
            actor=by,
            action="create",
            client=client,
            target=client,
            detail={"care_team": [therapist.pk], "via": "import", "import": current.pk},
        )
    summary = {
        "imported": len(clients),
        "duplicates": len(preview.duplicates),
        "refused": len(preview.refused),
        "refused_lines": [[r.line, r.status] for r in preview.refused[:200]],
    }
    current.imported_at = timezone.now()
    current.imported_by = by
    current.summary = summary
    current.save(update_fields=["imported_at", "imported_by", "summary"])
    audit_record(actor=by, action="import", target=current, detail=summary)
    return summary
