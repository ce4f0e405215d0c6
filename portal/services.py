"""Writes of the client's own view. Each takes ``by=`` (the therapist) or acts for
a link, in one transaction, with its audit row written last."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from clinic.audit import audit_record
from clinic.models import Client
from portal.models import ClientLink, token_hash

# What the audit log shows as the actor of a client's own use of their link.
CLIENT_ACTOR = "The client (by their link)"


class LinkError(Exception):
    """A link action refused, with a message for the page."""


def new_token() -> str:
    return secrets.token_urlsafe(32)


def link_issue(*, client: Client, by, request=None) -> tuple[ClientLink, str]:
    """A new link for ``client``, issued by a therapist on the care team. Returns the
    link and its token, the only time the token exists outside the client's hands."""
    if not Client.objects.clinical_for(by).filter(pk=client.pk).exists():
        raise PermissionDenied("Only a therapist on the care team issues a client link.")
    token = new_token()
    now = timezone.now()
    with transaction.atomic():
        link = ClientLink.objects.create(
            client=client,
            token_hash=token_hash(token),
            issued_by=by,
            issued_at=now,
            expires_at=now + timedelta(weeks=settings.KC_PORTAL_LINK_WEEKS),
        )
        audit_record(
            actor=by,
            action="issue",
            request=request,
            client=client,
            target=link,
            detail={"expires": f"{timezone.localtime(link.expires_at):%d %b %Y}"},
        )
    return link, token


def link_revoke(*, link: ClientLink, by, request=None) -> ClientLink:
    """Stop a link at once. Revoking a revoked link changes nothing."""
    if not Client.objects.clinical_for(by).filter(pk=link.client_id).exists():
        raise PermissionDenied("Only a therapist on the care team revokes a client link.")
    with transaction.atomic():
        updated = ClientLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=by
        )
        link.refresh_from_db()
        if updated:
            audit_record(actor=by, action="revoke", request=request, client=link.client_id, target=link)
    return link


def link_used(*, link: ClientLink, request, action: str, detail: dict | None = None) -> None:
    """A use of a link by the client: the link's last use moves and one audit row
    names the client, the link and what was done."""
    now = timezone.now()
    with transaction.atomic():
        ClientLink.objects.filter(pk=link.pk).update(last_used_at=now)
        link.last_used_at = now
        audit_record(
            actor=None,
            action=action,
            request=request,
            client=link.client_id,
            target=link,
            detail={"username": CLIENT_ACTOR, **(detail or {})},
        )


def link_refused(*, request, reason: str, link: ClientLink | None = None) -> None:
    """A refused use: an unknown, expired or revoked link, or a wrong date of birth."""
    audit_record(
        actor=None,
        action="client_link_refused",
        request=request,
        client=link.client_id if link is not None else None,
        target=link,
        outcome="denied",
        detail={"username": CLIENT_ACTOR if link is not None else "Someone with a link", "reason": reason},
    )
