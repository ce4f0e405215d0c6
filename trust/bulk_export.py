"""Bulk export of complete records: a second confirmation with a written reason.

One complete record is the client's right of access; a dozen in a few minutes
is a copy of the clinic. Past ``KC_BULK_EXPORT_LIMIT`` different clients within
``KC_BULK_EXPORT_WINDOW_MINUTES``, a user's next export of a further client
waits for a confirmation with a reason. The reason is kept in the audit log
(on the confirmation and on every export it covers) and sent to the other
admins, who also see it on their home page.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from audit.log import audit_record
from audit.models import AuditEvent
from clinic.models import User

SESSION_KEY = "kc_bulk_export"


def clients_exported_recently(user: User) -> set[int]:
    """The clients whose complete record this user exported within the window."""
    since = timezone.now() - timedelta(minutes=settings.KC_BULK_EXPORT_WINDOW_MINUTES)
    ids = (
        AuditEvent.objects.filter(actor=user, action="export", at__gte=since, client_id__isnull=False)
        .values_list("client_id", flat=True)
        .distinct()
    )
    return {client_id for client_id in ids if client_id is not None}


def active_confirmation(request) -> dict | None:
    grant = request.session.get(SESSION_KEY)
    if not isinstance(grant, dict) or grant.get("until", 0) <= time.time():
        return None
    return grant


def confirmation_needed(request, client_id: int) -> bool:
    """True when exporting this client's record needs the second confirmation.
    Exporting again a client already exported within the window never does."""
    if active_confirmation(request) is not None:
        return False
    recent = clients_exported_recently(request.user)
    return client_id not in recent and len(recent) >= settings.KC_BULK_EXPORT_LIMIT


def export_detail(request) -> dict:
    """What an export row carries about the confirmation that allowed it."""
    grant = active_confirmation(request)
    if grant is None:
        return {}
    return {"bulk_confirmation": grant["event"], "bulk_reason": grant["reason"]}


@transaction.atomic
def bulk_export_confirm(*, by: User, reason: str, session) -> AuditEvent:
    """Record the confirmation and its reason, tell the other admins, and let
    this session export further records until the confirmation lapses."""
    exported = len(clients_exported_recently(by))
    minutes = settings.KC_BULK_EXPORT_CONFIRM_MINUTES
    event = audit_record(
        actor=by,
        action="bulk_export_confirm",
        outcome="allowed",
        detail={"reason": reason, "exported_in_window": exported, "valid_minutes": minutes},
    )
    session[SESSION_KEY] = {"until": time.time() + minutes * 60, "reason": reason, "event": event.pk}
    transaction.on_commit(lambda: _notify_other_admins(by=by, reason=reason, exported=exported))
    return event


def _notify_other_admins(*, by: User, reason: str, exported: int) -> None:
    recipients = list(
        User.objects.filter(is_clinic_admin=True, is_active=True)
        .exclude(pk=by.pk)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )
    if not recipients:
        return
    send_mail(
        subject="Kinetic Chart: many complete records exported",
        message=(
            f"{by.display_name} ({by.username}) has exported the complete records of {exported} clients "
            f"in the last {settings.KC_BULK_EXPORT_WINDOW_MINUTES} minutes and confirmed exporting more, "
            f"giving this reason:\n\n{reason}\n\nEvery export is listed in the audit log.\n"
        ),
        from_email=None,
        recipient_list=recipients,
        fail_silently=True,  # the audit row and the home page notice stand even if mail is down
    )


def recent_confirmations(*, days: int = 7) -> list[AuditEvent]:
    """For the admins' home page: bulk export confirmations of the last week."""
    since = timezone.now() - timedelta(days=days)
    return list(AuditEvent.objects.filter(action="bulk_export_confirm", at__gte=since).order_by("-id")[:10])
