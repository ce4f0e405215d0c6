"""The client's links (and, for the care team, the client's own log) on the chart."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from core.composition import Section
from portal.log import chart_log
from portal.models import ClientLink, LinkStatus

LINKS_SHOWN = 5


def link_rows(client) -> list[dict]:
    """The client's newest links with their status, as the chart shows them (1 query)."""
    now = timezone.now()
    rows = []
    for link in ClientLink.objects.for_client(client).for_chart()[:LINKS_SHOWN]:
        status = link.status(now)
        rows.append({"link": link, "status": LinkStatus(status).label, "usable": status == LinkStatus.ACTIVE})
    return rows


def chart_section(*, client, user) -> Section | None:
    """Links (issue, revoke) and the client's own log, for the care team (2 queries)."""
    return Section(
        template="portal/_chart_section.html",
        tab=("Client link", "client-link-section", "device-phone-mobile"),
        context={
            "client": client,
            "links": link_rows(client),
            "can_issue": user.is_therapist,
            "weeks": settings.KC_PORTAL_LINK_WEEKS,
            "log": chart_log(client),
        },
        order=75,
    )


def chart_desk_section(*, client, user) -> Section | None:
    """The front desk sees whether the client has a working link, nothing else."""
    return Section(
        template="portal/_chart_desk_section.html",
        context={"client": client, "links": link_rows(client)},
        order=75,
    )
