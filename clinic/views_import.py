"""Importing clients from another practice system: upload, preview, import. Admins only."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from clinic import import_services
from clinic.access import get_import_for_admin
from clinic.decorators import admin_required
from clinic.forms import ClientImportForm
from clinic.importing import ImportFileError, read_client_csv

PREVIEW_ROWS = 200


@require_http_methods(["GET", "POST"])
@admin_required
def client_import(request):
    form = ClientImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.KC_IMPORT_MAX_BYTES:
            limit = settings.KC_IMPORT_MAX_BYTES // (1024 * 1024)
            form.add_error("file", f"The file is larger than the import limit ({limit} MB).")
        else:
            try:
                kept, _ = import_services.client_import_upload(
                    by=request.user,
                    file_name=upload.name,
                    content=upload.read(),
                    primary_therapist=form.cleaned_data["primary_therapist"],
                    month_first=form.cleaned_data["month_first"],
                )
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                return redirect("client_import_preview", pk=kept.pk)
    return render(request, "clinic/client_import.html", {"form": form})


@require_http_methods(["GET", "POST"])
@admin_required
def client_import_preview(request, pk):
    upload = get_import_for_admin(request.user, pk)
    error = ""
    if request.method == "POST" and upload.imported_at is None:
        try:
            summary = import_services.clients_import(upload=upload, by=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"Imported {summary['imported']} clients.")
            return redirect("client_import_preview", pk=upload.pk)
    preview = None
    if upload.imported_at is None:
        try:
            preview = read_client_csv(bytes(upload.content), month_first=upload.month_first)
        except ImportFileError as exc:
            error = str(exc)
    rows = preview.rows if preview else []
    shown = [r for r in rows if not r.ready][:PREVIEW_ROWS] + [r for r in rows if r.ready][:20]
    return render(
        request,
        "clinic/client_import_preview.html",
        {
            "upload": upload,
            "preview": preview,
            "shown": sorted(shown, key=lambda r: r.line),
            "error": error,
            "limit": PREVIEW_ROWS,
        },
    )
