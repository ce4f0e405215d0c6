"""Small helpers shared by the clinic tests."""

from __future__ import annotations

from django.db import connection

from audit.models import AuditEvent


def audit_rows(**filters):
    return list(AuditEvent.objects.filter(**filters).order_by("id"))


def audit_queries(rows: int = 1) -> int:
    """Queries that ``audit_record`` costs per row: a savepoint pair, the previous
    hash and the insert, plus the advisory lock that serialises the chain on PostgreSQL."""
    per_row = 4 + (1 if connection.vendor == "postgresql" else 0)
    return per_row * rows


# What every signed-in page pays before the view runs: the session and the user.
SIGNED_IN_FLOOR = 2
# The idle-timeout middleware re-saves the session at most once a second, so a
# pinned count would depend on the clock. Query-count tests warm the session up
# with one request, then send the measured one marked as background traffic,
# which the idle timer ignores, so the count is the page's own.
BACKGROUND = {"HTTP_X_KC_BACKGROUND": "1"}
