"""Access function for assessments: the only way a view reaches one."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from assessments.models import Assessment
from clinic.access import OutOfScope, Stamp, read_recorded, stamp_get
from clinic.models import Client


def get_assessment_for_user(user, pk) -> Assessment:
    """An assessment of a client whose clinical record the user may read (care-team
    therapists only). Anything else, including a front-desk admin, gets 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise OutOfScope("No such assessment", model=Assessment, pk=pk) from None
    qs = _readable(user).select_related("client", "therapist", "signed_by")
    try:
        return qs.get(pk=pk)
    except Assessment.DoesNotExist:
        raise OutOfScope("No such assessment", model=Assessment, pk=pk) from None


def _readable(user):
    # A correlated EXISTS: the database checks the one client of the one row,
    # instead of listing every client on the user's care team.
    return Assessment.objects.filter(
        Exists(Client.objects.clinical_for(user).filter(pk=OuterRef("client_id")))
    )


def assessment_stamp_for_user(user, pk) -> Stamp:
    """``get_assessment_for_user`` as a stamp (one narrow query): for the assessment and
    comparison pages, which load the assessment only when their cached page is missing."""
    return stamp_get(
        user,
        pk,
        lookup="assessment",
        model=Assessment,
        scope=_readable,
        client_field="client",
        message="No such assessment",
    )


def assessment_for_reading(request, pk) -> Assessment:
    """The assessment (``get_assessment_for_user``), with the audit row of its page."""
    assessment = get_assessment_for_user(request.user, pk)
    return read_recorded(request, assessment, client=assessment.client)
