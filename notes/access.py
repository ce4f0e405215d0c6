"""Access functions for notes: the only way a view reaches a note or its rows.

Each scopes the query to the clients whose clinical content the user may read
(care-team therapists) and raises Http404 for anything else, so a colleague off
the care team or a front-desk admin cannot tell a note exists.
"""

from __future__ import annotations

from clinic.access import OutOfScope, _as_int
from notes.models import AmendmentRequest, PalpationFinding, Snippet, Treatment, VisitNote


def get_note_for_user(user, pk) -> VisitNote:
    qs = (
        VisitNote.objects.for_user(user)
        .with_error_flag()
        .select_related("client", "therapist", "signed_by", "carried_forward_from")
    )
    try:
        return qs.get(pk=_as_int(pk))
    except VisitNote.DoesNotExist:
        raise OutOfScope("No such note", model=VisitNote, pk=pk) from None


def get_treatment_for_user(user, note: VisitNote, pk) -> Treatment:
    """A treatment row of a note the caller already reached through get_note_for_user."""
    try:
        row = Treatment.objects.get(pk=_as_int(pk), note=note)
    except Treatment.DoesNotExist:
        raise OutOfScope("No such treatment row", model=Treatment, pk=pk) from None
    row.note = note
    return row


def get_palpation_for_user(user, note: VisitNote, pk) -> PalpationFinding:
    try:
        row = PalpationFinding.objects.get(pk=_as_int(pk), note=note)
    except PalpationFinding.DoesNotExist:
        raise OutOfScope("No such finding", model=PalpationFinding, pk=pk) from None
    row.note = note
    return row


def get_snippet_for_user(user, pk) -> Snippet:
    """A snippet the user may use: clinic-wide or their own."""
    if not (user.is_authenticated and user.is_therapist):
        raise OutOfScope("No such snippet", model=Snippet, pk=pk)
    try:
        return Snippet.objects.available_to(user).get(pk=_as_int(pk))
    except Snippet.DoesNotExist:
        raise OutOfScope("No such snippet", model=Snippet, pk=pk) from None


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
    try:
        return qs.get(pk=_as_int(pk))
    except AmendmentRequest.DoesNotExist:
        raise OutOfScope("No such amendment request", model=AmendmentRequest, pk=pk) from None
