"""Access functions for programs: each returns the object or raises Http404."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from clinic.access import OutOfScope, _as_int
from clinic.models import Client
from programs.models import Exercise, ExerciseIndication, ProgramItem, ProgramVersion


def get_version_for_user(user, pk) -> ProgramVersion:
    """A program version of a client whose clinical content the user may read."""
    # A correlated EXISTS: one client checked, not the whole care-team list.
    clinical = Exists(Client.objects.clinical_for(user).filter(pk=OuterRef("client_id")))
    qs = ProgramVersion.objects.filter(clinical).select_related("client", "signed_by", "created_by")
    try:
        return qs.get(pk=_as_int(pk))
    except ProgramVersion.DoesNotExist:
        raise OutOfScope("No such program", model=ProgramVersion, pk=pk) from None


def get_item_for_user(user, pk) -> ProgramItem:
    """An item of a program version of a client whose clinical content the user
    may read. Whether it may change (a draft, the user's own) is the service's
    to decide, so an issued version's item answers 409 like a signed note."""
    clinical = Exists(Client.objects.clinical_for(user).filter(pk=OuterRef("version__client_id")))
    qs = ProgramItem.objects.filter(clinical).select_related("version", "version__client", "exercise")
    try:
        return qs.get(pk=_as_int(pk))
    except ProgramItem.DoesNotExist:
        raise OutOfScope("No such item", model=ProgramItem, pk=pk) from None


def get_draft_item_for_user(user, pk) -> ProgramItem:
    """An item of a draft (not yet issued) version the user may edit."""
    clinical = Exists(Client.objects.clinical_for(user).filter(pk=OuterRef("version__client_id")))
    qs = ProgramItem.objects.filter(clinical, version__signed_at__isnull=True).select_related(
        "version", "version__client", "exercise"
    )
    try:
        return qs.get(pk=_as_int(pk))
    except ProgramItem.DoesNotExist:
        raise OutOfScope("No such item", model=ProgramItem, pk=pk) from None


def get_exercise_for_user(user, pk, *, for_write: bool = False) -> Exercise:
    """Library exercises are readable by every therapist and admin. Writing is for
    admins, and for the therapist who added the exercise."""
    if not (user.is_authenticated and (user.is_therapist or user.is_clinic_admin)):
        raise OutOfScope("No such exercise", model=Exercise, pk=pk)
    qs = Exercise.objects.select_related("progression", "regression", "created_by")
    if not user.is_clinic_admin:
        qs = qs.filter(is_active=True)
        if for_write:
            qs = qs.filter(created_by=user)
    try:
        return qs.get(pk=_as_int(pk))
    except Exercise.DoesNotExist:
        raise OutOfScope("No such exercise", model=Exercise, pk=pk) from None


def can_edit_exercise(user, exercise: Exercise) -> bool:
    return user.is_clinic_admin or (user.is_therapist and exercise.created_by_id == user.pk)


def get_indication_for_admin(user, pk) -> ExerciseIndication:
    """A finding-to-exercise mapping, for the library admin only."""
    if not (user.is_authenticated and user.is_clinic_admin):
        raise OutOfScope("Not found", model=ExerciseIndication, pk=pk)
    try:
        return ExerciseIndication.objects.select_related("exercise").get(pk=_as_int(pk))
    except ExerciseIndication.DoesNotExist:
        raise OutOfScope("Not found", model=ExerciseIndication, pk=pk) from None
