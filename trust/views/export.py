"""The complete client record, for the client's right of access: the care team's
therapists and records officers (see ``get_client_for_export``), every download
audited."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from clinic.access import get_client_for_export, may_export_records, read_recorded
from clinic.models import ClinicProfile
from clinic.reauth import reauth_required
from core.http import file_response
from core.pdf import Letterhead
from trust import bulk_export
from trust.auth import _safe_next
from trust.export import collect_client_export, collect_pdf_parts, render_json, render_pdf
from trust.forms import BulkExportConfirmForm


def export_required(view):
    """Export pages answer 404 to users who may not export at all, before asking
    for a password, so they do not confirm they exist."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_export_records(request.user):
            raise Http404("Not found")
        return view(request, *args, **kwargs)

    return wrapper


def _ask_confirmation(request):
    return redirect(f"{reverse('bulk_export_confirm')}?{urlencode({'next': request.get_full_path()})}")


@require_http_methods(["GET", "POST"])
@export_required
@reauth_required
def bulk_export_confirm(request):
    """The second confirmation before exporting more complete records."""
    form = BulkExportConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        bulk_export.bulk_export_confirm(
            by=request.user, reason=form.cleaned_data["reason"], session=request.session
        )
        return redirect(_safe_next(request, "client_list"))
    return render(
        request,
        "trust/bulk_export_confirm.html",
        {
            "form": form,
            "next": _safe_next(request, "client_list"),
            "exported": len(bulk_export.clients_exported_recently(request.user)),
            "window_minutes": settings.KC_BULK_EXPORT_WINDOW_MINUTES,
            "confirm_minutes": settings.KC_BULK_EXPORT_CONFIRM_MINUTES,
        },
    )


def _filename(client, ext: str) -> str:
    return f"client-{client.pk}-{slugify(client.last_name)[:40] or 'record'}-complete.{ext}"


def _export(request, pk, fmt: str):
    """The complete record as one file: the same checks, the same ``export`` audit row
    (naming the format) and the same file name whatever the format."""
    client = get_client_for_export(request.user, pk)
    if bulk_export.confirmation_needed(request, client.pk):
        return _ask_confirmation(request)
    data = collect_client_export(client=client, by=request.user)
    read_recorded(
        request, client, action="export", detail={"format": fmt, **bulk_export.export_detail(request)}
    )
    if fmt == "json":
        return file_response(
            render_json(data), content_type="application/json", filename=_filename(client, fmt)
        )
    pdf = render_pdf(
        data,
        letterhead=Letterhead.from_profile(ClinicProfile.load()),
        parts=collect_pdf_parts(client=client, by=request.user),
    )
    return file_response(pdf, content_type="application/pdf", filename=_filename(client, fmt))


@require_GET
@export_required
@reauth_required
def client_export_json(request, pk):
    return _export(request, pk, "json")


@require_GET
@export_required
@reauth_required
def client_export_pdf(request, pk):
    return _export(request, pk, "pdf")
