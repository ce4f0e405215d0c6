"""The chart's Documents card: what the template needs, gathered in one query."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from clinic.composition import Section
from clinic.forms_documents import DocumentForm, DocumentInErrorForm
from clinic.models import ClientDocument


@dataclass(frozen=True)
class DocumentRow:
    document: ClientDocument
    download_url: str
    in_error_url: str
    # The in-error button: the therapist who attached it, or any of the care team for
    # one the front desk attached (a named supervisor uses the document's own page).
    can_mark_in_error: bool
    size_text: str


def _size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def document_rows(*, client, user) -> list[DocumentRow]:
    rows = []
    for document in ClientDocument.objects.for_chart(client):
        rows.append(
            DocumentRow(
                document=document,
                download_url=reverse("document_download", args=[document.pk]),
                in_error_url=reverse("document_in_error", args=[document.pk]),
                can_mark_in_error=not document.in_error
                and user.is_therapist
                and (document.attached_by_id == user.pk or not document.attached_by.is_therapist),
                size_text=_size_text(document.size),
            )
        )
    return rows


def chart_section(*, client, user) -> Section:
    """Called only for users who read the client's clinical content. The documents
    listed are named in the chart's audit row."""
    rows = document_rows(client=client, user=user)
    new_url = reverse("document_new", args=[client.pk])
    return Section(
        template="clinic/_documents_card.html",
        tab=("Documents", "documents", "paper-clip"),
        context={
            "client": client,
            "rows": rows,
            "form": DocumentForm(action=new_url),
            "in_error_form": DocumentInErrorForm(),
        },
        order=80,
        audit={"documents_shown": [row.document.pk for row in rows]} if rows else {},
    )
