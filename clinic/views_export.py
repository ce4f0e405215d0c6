"""The complete client record, for the client's right of access: admins only,
every download audited."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from clinic.access import get_client_for_user
from clinic.audit import audit_record
from clinic.auth import reauth_required
from clinic.decorators import admin_required
from clinic.export import collect_client_export, render_json, render_pdf
from clinic.models import ClinicProfile
from clinic.pdf import Letterhead


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _filename(client, ext: str) -> str:
    return f"client-{client.pk}-{slugify(client.last_name)[:40] or 'record'}-complete.{ext}"


@require_GET
@admin_required
@reauth_required
def client_export_json(request, pk):
    client = get_client_for_user(request.user, pk)
    data = collect_client_export(client=client, by=request.user)
    audit_record(
        actor=request.user,
        action="export",
        request=request,
        client=client,
        target=client,
        detail={"format": "json"},
    )
    return _download(render_json(data), "application/json", _filename(client, "json"))


@require_GET
@admin_required
@reauth_required
def client_export_pdf(request, pk):
    client = get_client_for_user(request.user, pk)
    data = collect_client_export(client=client, by=request.user)
    audit_record(
        actor=request.user,
        action="export",
        request=request,
        client=client,
        target=client,
        detail={"format": "pdf"},
    )
    pdf = render_pdf(data, letterhead=Letterhead.from_profile(ClinicProfile.load()))
    return _download(pdf, "application/pdf", _filename(client, "pdf"))
