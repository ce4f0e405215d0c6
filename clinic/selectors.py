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
