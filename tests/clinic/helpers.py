"""Small helpers shared by the clinic tests."""

from __future__ import annotations

from audit.models import AuditEvent


def audit_rows(**filters):
    return list(AuditEvent.objects.filter(**filters).order_by("id"))


def audit_queries(rows: int = 1) -> int:
    """Queries that ``audit_record`` costs per row, on either database: a savepoint
    pair, the chain head read and locked in one statement, and the insert (which moves
    the head)."""
    return 4 * rows


# What every signed-in page pays before the view runs: the session and the user.
SIGNED_IN_FLOOR = 2
# The idle-timeout middleware re-saves the session at most once a second, so a
# pinned count would depend on the clock. Query-count tests warm the session up
# with one request, then send the measured one marked as background traffic,
# which the idle timer ignores, so the count is the page's own.
BACKGROUND = {"HTTP_X_KC_BACKGROUND": "1"}
