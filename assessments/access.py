"""Access function for assessments: the only way a view reaches one."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from assessments.models import Assessment
from clinic.access import OutOfScope, read_recorded
from clinic.models import Client


def get_assessment_for_user(user, pk) -> Assessment:
    """An assessment of a client whose clinical record the user may read (care-team
    therapists only). Anything else, including a front-desk admin, gets 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise OutOfScope("No such assessment", model=Assessment, pk=pk) from None
    # A correlated EXISTS: the database checks the one client of the one row,
    # instead of listing every client on the user's care team.
    clinical = Exists(Client.objects.clinical_for(user).filter(pk=OuterRef("client_id")))
    qs = Assessment.objects.filter(clinical).select_related("client", "therapist", "signed_by")
    try:
        return qs.get(pk=pk)
    except Assessment.DoesNotExist:
        raise OutOfScope("No such assessment", model=Assessment, pk=pk) from None


def assessment_for_reading(request, pk) -> Assessment:
    """The assessment (``get_assessment_for_user``), with the audit row of its page."""
    assessment = get_assessment_for_user(request.user, pk)
    return read_recorded(request, assessment, client=assessment.client)
