"""Access functions for notes: the only way a view reaches a note or its rows.

Each scopes the query to the clients whose clinical content the user may read
(care-team therapists) and raises Http404 for anything else, so a colleague off
the care team or a front-desk admin cannot tell a note exists.
"""

from __future__ import annotations

from clinic.access import OutOfScope, Stamp, read_recorded, scoped_get, stamp_get
from notes.models import AmendmentRequest, PalpationFinding, Snippet, Treatment, VisitNote


def get_note_for_user(user, pk) -> VisitNote:
    qs = (
        VisitNote.objects.for_user(user)
        .with_error_flag()
        .select_related("client", "therapist", "signed_by", "carried_forward_from")
    )
    return scoped_get(qs, pk, "No such note")


def note_stamp_for_user(user, pk) -> Stamp:
    """``get_note_for_user`` as a stamp (one narrow query): for the note page, which
    loads the whole note only when its cached page is missing."""
    return stamp_get(
        user,
        pk,
        lookup="note",
        model=VisitNote,
        scope=lambda reader: VisitNote.objects.for_user(reader),
        client_field="client",
        message="No such note",
    )


def get_treatment_for_user(user, note: VisitNote, pk) -> Treatment:
    """A treatment row of a note the caller already reached through get_note_for_user."""
    row = scoped_get(Treatment.objects.filter(note=note), pk, "No such treatment row")
    row.note = note
    return row


def get_palpation_for_user(user, note: VisitNote, pk) -> PalpationFinding:
    row = scoped_get(PalpationFinding.objects.filter(note=note), pk, "No such finding")
    row.note = note
    return row


def get_snippet_for_user(user, pk) -> Snippet:
    """A snippet the user may use: clinic-wide or their own."""
    if not (user.is_authenticated and user.is_therapist):
        raise OutOfScope("No such snippet", model=Snippet, pk=pk)
    return scoped_get(Snippet.objects.available_to(user), pk, "No such snippet")


def get_amendment_request_for_user(user, pk):
    """A client's amendment request, for the care team of that client only."""

    qs = AmendmentRequest.objects.for_user(user).select_related(
        "client",
        "note",
        "recorded_by",
        "extended_by",
        "decided_by",
        "amendment",
        "disagreement_recorded_by",
        "rebuttal_by",
    )
    return scoped_get(qs, pk, "No such amendment request")


def note_for_reading(request, pk, *, action: str = "view", detail=None, record: bool = True) -> VisitNote:
    """The note (``get_note_for_user``), with the audit row of the page that reads it."""
    note = get_note_for_user(request.user, pk)
    return read_recorded(request, note, client=note.client_id, action=action, detail=detail, record=record)


def amendment_request_for_reading(request, pk) -> AmendmentRequest:
    """The amendment request (``get_amendment_request_for_user``), with its read audit row."""
    obj = get_amendment_request_for_user(request.user, pk)
    return read_recorded(request, obj, client=obj.client_id)
