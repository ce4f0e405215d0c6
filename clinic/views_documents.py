"""Documents attached to a client: attach, download, mark entered in error.

The care team attaches and reads every kind; the front desk attaches a referral letter
or a signed paper consent form (the paper that arrives at reception) and never reads a
document back. Files are served only here, as attachments, after the access check.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic import documents, services
from clinic.access import (
    OutOfScope,
    can_read_clinical,
    get_client_for_user,
    get_document_for_user,
    read_recorded,
)
from clinic.forms import add_validation_errors
from clinic.forms_documents import DocumentForm, DocumentInErrorForm
from clinic.models import Client
from core.errors import DomainError
from core.http import file_response


@require_http_methods(["GET", "POST"])
def document_new(request, pk):
    client = get_client_for_user(request.user, pk)
    if not services.may_attach_document(client=client, by=request.user):
        raise OutOfScope("No such client", model=Client, pk=pk)
    clinical = can_read_clinical(request.user, client)
    limit = getattr(request, "document_upload_limit", None)
    form_kwargs = {"front_desk": not clinical}
    if request.method == "POST":
        data, files = request.POST, request.FILES  # reading the body runs the size limit
        too_large = limit is not None and limit.too_large
        form = DocumentForm(data, {} if too_large else files, too_large=too_large, **form_kwargs)
        if form.is_valid():
            try:
                document = services.client_document_attach(
                    client=client,
                    by=request.user,
                    upload=form.cleaned_data["file"],
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                )
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, f"Attached {document.title}.")
                if clinical:
                    return redirect(f"{client.get_absolute_url()}#documents")
                return redirect(client.get_absolute_url())
    else:
        form = DocumentForm(**form_kwargs)
        read_recorded(request, client, detail={"category": "documents", "form": True})
    return render(
        request,
        "clinic/document_form.html",
        {"client": client, "form": form, "front_desk": not clinical},
        status=400 if form.errors else 200,
    )


@require_GET
def document_download(request, pk):
    document = get_document_for_user(request.user, pk)
    try:
        content = documents.read_file(document.stored_name)
    except (OSError, ValueError):
        raise OutOfScope("No such document", model=type(document), pk=pk) from None
    read_recorded(
        request,
        document,
        client=document.client,
        action="download",
        detail={"category": "documents", "kind": document.kind},
    )
    return file_response(content, content_type=document.content_type, filename=_filename(document))


def _filename(document) -> str:
    """The title with the extension of the stored type, whatever the title ends with."""
    extension = documents.EXTENSIONS.get(document.content_type, "bin")
    stem = document.title.rsplit(".", 1)[0] if "." in document.title else document.title
    return f"{stem or 'document'}.{extension}"


@require_POST
def document_in_error(request, pk):
    document = get_document_for_user(request.user, pk)
    form = DocumentInErrorForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.client_document_mark_in_error(
                document=document, by=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"{document.title} is marked entered in error. It is kept.")
            return redirect(f"{document.client.get_absolute_url()}#documents")
    return render(
        request,
        "clinic/document_in_error.html",
        {"client": document.client, "document": document, "form": form},
        status=status,
    )
