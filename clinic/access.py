"""Access functions: the only way a view reaches a protected object.

Each returns the object when the user may see it and raises Http404 otherwise,
so a record outside the user's scope is indistinguishable from one that does
not exist. Views never call ``.get(pk=...)`` on user input.
"""

from __future__ import annotations

from django.http import Http404

from clinic.models import Client, User

_MAX_ID = 2**63 - 1  # the largest bigint: a longer id would overflow the database driver


def _as_int(pk) -> int:
    try:
        value = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such record") from None
    if not 0 < value <= _MAX_ID:
        raise Http404("No such record")
    return value


def get_client_for_user(user, pk, *, for_write: bool = False) -> Client:
    """A client's demographic record. Admins see every client; therapists see the
    clients on whose care team they are. Writing demographics is for admins and
    care-team therapists alike."""
    qs = Client.objects.visible_to(user).select_related("primary_therapist")
    try:
        return qs.get(pk=_as_int(pk))
    except Client.DoesNotExist:
        raise Http404("No such client") from None


def get_clinical_client_for_user(user, pk) -> Client:
    """A client whose clinical content (intake screen, notes, assessments,
    programs) the user may read and write: care-team therapists only."""
    qs = Client.objects.clinical_for(user).select_related("primary_therapist")
    try:
        return qs.get(pk=_as_int(pk))
    except Client.DoesNotExist:
        raise Http404("No such client") from None


def get_user_for_admin(user, pk) -> User:
    """A staff account, for user management: admins only."""
    if not (user.is_authenticated and user.is_active and user.is_clinic_admin):
        raise Http404("No such user")
    try:
        return User.objects.get(pk=_as_int(pk))
    except User.DoesNotExist:
        raise Http404("No such user") from None


def can_read_clinical(user, client: Client) -> bool:
    """Used by composition pages to decide whether to include clinical sections."""
    return Client.objects.clinical_for(user).filter(pk=client.pk).exists()
