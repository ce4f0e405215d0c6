"""Access functions for programs: each returns the object or raises Http404."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.http import Http404

from clinic.access import OutOfScope, read_recorded, scoped_get
from clinic.models import Client
from programs.models import Exercise, ExerciseIndication, ProgramItem, ProgramVersion


def get_version_for_user(user, pk) -> ProgramVersion:
    """A program version of a client whose clinical content the user may read."""
    # A correlated EXISTS: one client checked, not the whole care-team list.
    clinical = Exists(Client.objects.clinical_for(user).filter(pk=OuterRef("client_id")))
    qs = ProgramVersion.objects.filter(clinical).select_related("client", "signed_by", "created_by")
    return scoped_get(qs, pk, "No such program")


def get_item_for_user(user, pk) -> ProgramItem:
    """An item of a program version of a client whose clinical content the user
    may read. Whether it may change (a draft, the user's own) is the service's
    to decide, so an issued version's item answers 409 like a signed note."""
    clinical = Exists(Client.objects.clinical_for(user).filter(pk=OuterRef("version__client_id")))
    qs = ProgramItem.objects.filter(clinical).select_related("version", "version__client", "exercise")
    return scoped_get(qs, pk, "No such item")


def get_draft_item_for_user(user, pk) -> ProgramItem:
    """An item of a draft (not yet issued) version the user may edit."""
    clinical = Exists(Client.objects.clinical_for(user).filter(pk=OuterRef("version__client_id")))
    qs = ProgramItem.objects.filter(clinical, version__signed_at__isnull=True).select_related(
        "version", "version__client", "exercise"
    )
    return scoped_get(qs, pk, "No such item")


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
    return scoped_get(qs, pk, "No such exercise")


def can_edit_exercise(user, exercise: Exercise) -> bool:
    return user.is_clinic_admin or (user.is_therapist and exercise.created_by_id == user.pk)


def get_indication_for_admin(user, pk) -> ExerciseIndication:
    """A finding-to-exercise mapping, for the library admin only."""
    if not (user.is_authenticated and user.is_clinic_admin):
        raise OutOfScope("Not found", model=ExerciseIndication, pk=pk)
    return scoped_get(ExerciseIndication.objects.select_related("exercise"), pk, "Not found")


def version_for_reading(request, pk) -> ProgramVersion:
    """The program version (``get_version_for_user``), with the audit row of its page."""
    version = get_version_for_user(request.user, pk)
    return read_recorded(request, version, client=version.client_id)


def current_version_for_handout(client) -> ProgramVersion:
    """The latest issued version of a client the caller already reached, for its handout:
    404 while nothing has been issued."""
    version = ProgramVersion.objects.for_client(client).select_related("client", "signed_by").latest_issued()
    if version is None:
        raise Http404("No issued program")
    return version
