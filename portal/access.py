"""Access functions for client links: each returns the object or raises Http404."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from clinic.access import scoped_get
from clinic.models import Client
from portal.models import ClientLink


def get_link_for_user(user, pk) -> ClientLink:
    """A link of a client whose clinical content the user may read (the care team)."""
    clinical = Exists(Client.objects.clinical_for(user).filter(pk=OuterRef("client_id")))
    return scoped_get(ClientLink.objects.filter(clinical).select_related("client"), pk, "No such link")
