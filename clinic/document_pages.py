"""The chart's Documents card: what the template needs, gathered in one query."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists
from django.urls import reverse

from clinic.forms_documents import DocumentForm, DocumentInErrorForm
from clinic.models import ClientDocument, ClinicProfile, User
from core.composition import Section


@dataclass(frozen=True)
class DocumentRow:
    document: ClientDocument
    download_url: str
    in_error_url: str
    # The in-error button: the same rule as the service (clinic.services
    # may_mark_document_in_error), decided for the whole list at once.
    can_mark_in_error: bool
    size_text: str


def _size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def _supervisee_ids(user) -> set[int]:
    """The therapists whose records ``user`` may act on as their named supervisor, while
    the clinic allows it (the rule of clinic.authorship.is_named_supervisor, for a list)."""
    allowed = Exists(ClinicProfile.objects.filter(pk=1, named_supervisors_allowed=True))
    return set(User.objects.filter(allowed, supervisors=user).values_list("pk", flat=True))


def _may_mark(document: ClientDocument, user, supervisees) -> bool:
    if document.in_error or not user.is_therapist:
        return False
    if document.attached_by_id == user.pk or not document.attached_by.is_therapist:
        return True
    return document.attached_by_id in supervisees()


def document_rows(*, client, user) -> list[DocumentRow]:
    """One query for the list; one more only when a document attached by another
    therapist could be the user's to mark as their named supervisor."""
    rows = []
    known: list[set[int]] = []

    def supervisees() -> set[int]:
        if not known:
            known.append(_supervisee_ids(user))
        return known[0]

    for document in ClientDocument.objects.for_chart(client):
        rows.append(
            DocumentRow(
                document=document,
                download_url=reverse("document_download", args=[document.pk]),
                in_error_url=reverse("document_in_error", args=[document.pk]),
                can_mark_in_error=_may_mark(document, user, supervisees),
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
