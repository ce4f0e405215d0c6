"""Refused access as security events, and the bursts admins are shown.

A 404 from an access function (a record outside the user's scope, or none at
all), any 404 on a route that names a record, and any 404 inside the Django
admin (a clinical model asked for there) writes one ``access_denied`` audit row:
who, which route, and the kind of record and id asked for. Nothing of the
client is written: the path holds ids only and no query string is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from audit.log import audit_record
from audit.models import AuditEvent
from clinic.access import OutOfScope

# A burst worth an admin's attention: this many refusals by one user ...
BURST_DENIALS = 10
# ... within this window.
BURST_WINDOW = timedelta(minutes=5)
_MAX_ID_CHARS = 40  # AuditEvent.object_id


def _is_audited(request, exception) -> bool:
    if isinstance(exception, OutOfScope):
        return True
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    return bool(match.kwargs) or "admin" in match.namespaces


def denial_record(request, exception) -> AuditEvent | None:
    """Write the refusal of ``request`` (a 404 raised by its view) to the audit
    log, when it was a signed-in user asking for a record. Costs the audit
    insert only."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not _is_audited(request, exception):
        return None
    target = None
    if isinstance(exception, OutOfScope):
        target = exception.model(pk=str(exception.pk)[:_MAX_ID_CHARS])
    return audit_record(
        actor=user,
        action="access_denied",
        request=request,
        target=target,
        outcome=AuditEvent.Outcome.DENIED,
        detail={
            "security": True,
            "method": request.method,
            "path": request.path[:300],
        },
    )


@dataclass(frozen=True)
class DenialBurst:
    user_id: int | None
    name: str
    count: int

    @property
    def sentence(self) -> str:
        minutes = int(BURST_WINDOW.total_seconds() // 60)
        records = "record" if self.count == 1 else "records"
        return f"{self.name} was refused {self.count} {records} in the last {minutes} minutes"


def denial_bursts(now=None) -> list[DenialBurst]:
    """Users refused at least BURST_DENIALS records within the last
    BURST_WINDOW, most refusals first (one query, on the action-and-time index)."""
    since = (now or timezone.now()) - BURST_WINDOW
    rows = (
        AuditEvent.objects.filter(action="access_denied", at__gte=since)
        .values("actor_id", "actor_username", "actor__first_name", "actor__last_name")
        .annotate(count=Count("id"))
        .filter(count__gte=BURST_DENIALS)
        .order_by("-count", "actor_username")
    )
    bursts = []
    for row in rows:
        full = f"{row['actor__first_name'] or ''} {row['actor__last_name'] or ''}".strip()
        bursts.append(DenialBurst(row["actor_id"], full or row["actor_username"], row["count"]))
    return bursts
