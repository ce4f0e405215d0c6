"""Writes of the client's own view. Each takes ``by=`` (the therapist) or acts for
a link, in one transaction, with its audit row written last."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.log import audit_record
from clinic.models import Client
from portal import throttle
from portal.models import ClientLink, EntryKind, LogEntry, token_hash
from programs.models import PainMonitoringRule, ProgramItem, ProgramVersion

# What the audit log shows as the actor of a client's own use of their link.
CLIENT_ACTOR = "The client (by their link)"


class LinkError(Exception):
    """A link action refused, with a message for the page."""


def new_token() -> str:
    return secrets.token_urlsafe(32)


def link_issue(*, client: Client, by) -> tuple[ClientLink, str]:
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
            client=client,
            target=link,
            detail={"expires": f"{timezone.localtime(link.expires_at):%d %b %Y}"},
        )
    return link, token


def link_revoke(*, link: ClientLink, by) -> ClientLink:
    """Stop a link at once. Revoking a revoked link changes nothing."""
    if not Client.objects.clinical_for(by).filter(pk=link.client_id).exists():
        raise PermissionDenied("Only a therapist on the care team revokes a client link.")
    with transaction.atomic():
        updated = ClientLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=by
        )
        link.refresh_from_db()
        if updated:
            audit_record(actor=by, action="revoke", client=link.client_id, target=link)
    return link


def link_used(*, link: ClientLink, action: str, detail: dict | None = None) -> None:
    """A use of a link by the client: the link's last use moves and one audit row
    names the client, the link and what was done."""
    now = timezone.now()
    with transaction.atomic():
        ClientLink.objects.filter(pk=link.pk).update(last_used_at=now)
        link.last_used_at = now
        audit_record(
            actor=None,
            action=action,
            client=link.client_id,
            target=link,
            detail={"username": CLIENT_ACTOR, **(detail or {})},
        )


def link_refused(*, reason: str, link: ClientLink | None = None) -> None:
    """A refused use: an unknown, expired or revoked link, or a wrong date of birth."""
    audit_record(
        actor=None,
        action="client_link_refused",
        client=link.client_id if link is not None else None,
        target=link,
        outcome="denied",
        detail={"username": CLIENT_ACTOR if link is not None else "Someone with a link", "reason": reason},
    )


# --- the client's log ------------------------------------------------------------------

LOG_DAYS_BACK = 7
FLOOD_MESSAGE = "You have sent a lot of entries in a short time. Please wait a while and try again."
NOT_IN_PROGRAM = "That exercise is not in your program. Please reload the page."


def pain_band(pain: int, *, green_max: int, amber_max: int, settled: bool | None = None) -> str:
    """The traffic light of a pain score (0-10): red also when it had not settled by morning."""
    if settled is False or pain > amber_max:
        return "red"
    return "green" if pain <= green_max else "amber"


def log_entry_record(*, link: ClientLink, data: dict):
    """Record one entry the client sent (validated by ``LogEntryForm``). Returns
    (entry, created): an entry sent again with the same id is the one already kept.
    Raises ``LinkError`` with a plain message for anything refused."""
    existing = LogEntry.objects.filter(entry_id=data["entry_id"]).first()
    if existing is not None:
        if existing.client_id != link.client_id:
            raise LinkError("This entry could not be saved. Please reload the page.")
        return existing, False
    if throttle.entries_refused(link.pk):
        raise LinkError(FLOOD_MESSAGE)
    throttle.hit(throttle.entries_key(link.pk))
    today = timezone.localdate()
    done_on = data["done_on"]
    if not today - timedelta(days=LOG_DAYS_BACK) <= done_on <= today + timedelta(days=1):
        raise LinkError(f"Entries can be made for the last {LOG_DAYS_BACK} days only.")
    kind = data["kind"]
    item = None
    if data.get("item"):
        current = ProgramVersion.objects.for_client(link.client_id).latest_issued()
        item = (
            ProgramItem.objects.filter(pk=data["item"], version=current).select_related("exercise").first()
            if current is not None
            else None
        )
        if item is None:
            raise LinkError(NOT_IN_PROGRAM)
    set_number = data.get("set_number") if kind == EntryKind.SET else None
    # The form asks a set for its exercise; without one the set fits nothing.
    if kind == EntryKind.SET and (set_number is None or item is None or set_number > item.sets):
        raise LinkError("That set is not part of this exercise.")
    rule = PainMonitoringRule.load()
    pain = data.get("pain") if kind in (EntryKind.PAIN, EntryKind.MORNING) else None
    settled = data.get("settled") if kind == EntryKind.MORNING else None
    band = (
        pain_band(pain, green_max=rule.green_max, amber_max=rule.amber_max, settled=settled)
        if pain is not None
        else ""
    )
    try:
        entry = _log_entry_create(
            link=link,
            kind=kind,
            item=item,
            set_number=set_number,
            done_on=done_on,
            pain=pain,
            band=band,
            settled=settled,
            rule=rule,
            data=data,
        )
    except IntegrityError:  # the same entry, sent twice at the same moment
        existing = LogEntry.objects.filter(entry_id=data["entry_id"]).first()
        if existing is None or existing.client_id != link.client_id:
            raise LinkError("This entry could not be saved. Please reload the page.") from None
        return existing, False
    return entry, True


def _log_entry_create(*, link, kind, item, set_number, done_on, pain, band, settled, rule, data):
    with transaction.atomic():
        entry = LogEntry.objects.create(
            entry_id=data["entry_id"],
            link=link,
            client_id=link.client_id,
            kind=kind,
            item=item,
            set_number=set_number,
            done_on=done_on,
            pain=pain,
            pain_response=band,
            settled=settled,
            green_max=rule.green_max,
            amber_max=rule.amber_max,
            note=data.get("note") or "",
        )
        ClientLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
        detail = {"username": CLIENT_ACTOR, "entry": entry.get_kind_display(), "day": f"{done_on:%d %b %Y}"}
        if item is not None:
            detail["exercise"] = item.exercise.name
        if band:
            detail["pain"] = f"{pain}/10 ({band})"
        audit_record(
            actor=None,
            action="client_log",
            client=link.client_id,
            target=entry,
            detail=detail,
        )
    return entry
