"""Who may write a clinical record: its author or, where the clinic allows it, a named
supervisor of the author. Reading is shared by the care team; writing a draft, signing it,
marking it entered in error and amending it follow this rule (``may_act_as_author``)."""

from __future__ import annotations

from django.db.models import Exists

from clinic.models import ClinicProfile, User
from core.records import NotTheAuthor


def is_named_supervisor(*, author_id: int | None, by) -> bool:
    """Whether ``by`` is a named supervisor of the therapist ``author_id`` and the
    clinic allows named supervisors to act on their supervisees' records.

    Off by default (``ClinicProfile.named_supervisors_allowed``); an admin names
    each therapist's supervisors. One query, asked only when ``by`` is not the
    author."""
    if by is None or author_id is None or not getattr(by, "is_authenticated", False):
        return False
    if not (by.is_active and by.is_therapist) or author_id == by.pk:
        return False
    allowed = Exists(ClinicProfile.objects.filter(pk=1, named_supervisors_allowed=True))
    return User.objects.filter(allowed, pk=author_id, supervisors=by).exists()


def may_act_as_author(*, author_id: int | None, by) -> bool:
    """The author rule, in one place: writing a draft, signing it, marking it
    entered in error and amending it are for the record's author or, where the
    clinic allows it, a named supervisor of the author."""
    if by is None or author_id is None:
        return False
    return author_id == by.pk or is_named_supervisor(author_id=author_id, by=by)


def check_author(*, author_id: int | None, by, message: str | None = None) -> None:
    """Raise NotTheAuthor unless ``by`` wrote the record (or is a named supervisor
    of its author, where the clinic allows it)."""
    if not may_act_as_author(author_id=author_id, by=by):
        raise NotTheAuthor(message)


def acting_detail(*, author, by) -> dict:
    """Audit detail for a write on ``author``'s record: nothing for the author
    themself; for a supervisor, whose record it was, so the row says so."""
    if author is None or by is None or author.pk == by.pk:
        return {}
    return {"as_supervisor_of": author.display_name, "supervisee": author.pk}


def signature_line_for(*, author, by) -> str:
    """The printed signature line: the signer's, and for a supervisor signing a
    supervisee's record, whose record they signed."""
    line = by.signature_line
    if author is not None and author.pk != by.pk:
        line = f"{line}, as supervisor of {author.display_name}"
    return line[:200]
