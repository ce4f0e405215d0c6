"""Reads shared by several views of the clinic app."""

from __future__ import annotations

from clinic.models import Client, HealthScreen
from clinic.screening import Flag, flags_from_answers


def current_flags(client: Client) -> list[Flag]:
    """Red, amber and local flags from the client's latest health screen (2 queries)."""
    screen = HealthScreen.objects.latest_for(client)
    if screen is None:
        return []
    return flags_from_answers(screen.answers.all())


def banner_flags(client: Client) -> list[Flag]:
    """Only the flags that belong in the banner above every chart and note."""
    return [f for f in current_flags(client) if f.severity in ("red", "amber")]


def home_clients(user):
    """The signed-in user's own clients for the home page: a therapist's active
    care-team clients; for an admin who is not a therapist, every active client."""
    clients = Client.objects.visible_to(user).active().for_list()
    if user.is_therapist and user.is_clinic_admin:
        # The clinic owner sees every client in the list, but home shows their own.
        clients = clients.filter(care_team=user)
    return clients


def client_search(user, *, text: str = "", therapist=None, status: str = "active"):
    """The /clients/ list: what the user may see, searched and filtered.
    ``status`` is "active", "archived" or "all"."""
    clients = Client.objects.visible_to(user).search(text).for_list()
    if therapist is not None:
        clients = clients.filter(care_team=therapist)
    if status != "all":
        clients = clients.filter(status=status)
    return clients
