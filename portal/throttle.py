"""Rate limits on the client links, counted in the database (every server process
sees the same count).

Three counts, each in a fixed window of ``KC_PORTAL_WINDOW_MINUTES``:

- refused tries from one address (an unknown, expired or revoked token, a wrong
  date of birth): past ``KC_PORTAL_ADDRESS_FAILURES`` the address is refused
  every link until the window ends, so guessing tokens from one place stops;
- wrong dates of birth on one link, from any address: past
  ``KC_PORTAL_BIRTH_DATE_FAILURES`` the date-of-birth step waits for the window;
- entries logged through one link: past ``KC_PORTAL_ENTRIES_PER_WINDOW`` a flood
  of submissions is refused with a plain message.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from portal.models import LinkThrottle

FORGET_AFTER = timedelta(days=2)


def _window() -> timedelta:
    return timedelta(minutes=settings.KC_PORTAL_WINDOW_MINUTES)


def address_key(ip: str | None) -> str:
    return f"address:{(ip or 'unknown')[:100]}"


def birth_date_key(link_id: int) -> str:
    return f"birth-date:{link_id}"


def entries_key(link_id: int) -> str:
    return f"entries:{link_id}"


def count(key: str, *, now=None) -> int:
    """The count of ``key`` in its current window (0 once the window is over)."""
    now = now or timezone.now()
    row = LinkThrottle.objects.filter(key=key).values_list("count", "window_start").first()
    if row is None or row[1] <= now - _window():
        return 0
    return row[0]


def is_over(key: str, limit: int, *, now=None) -> bool:
    return count(key, now=now) >= limit


def hit(key: str, *, now=None) -> int:
    """Count one more for ``key``; returns the count in the window. A row whose
    window is over starts again at one. One conditional UPDATE, so two servers
    counting at once both count."""
    now = now or timezone.now()
    with transaction.atomic():
        fresh = LinkThrottle.objects.filter(key=key, window_start__gt=now - _window()).update(
            count=F("count") + 1
        )
        if not fresh:
            restarted = LinkThrottle.objects.filter(key=key).update(count=1, window_start=now)
            if not restarted:
                try:
                    with transaction.atomic():
                        LinkThrottle.objects.create(key=key, count=1, window_start=now)
                except IntegrityError:  # another server created it at the same moment
                    LinkThrottle.objects.filter(key=key).update(count=F("count") + 1)
        LinkThrottle.objects.filter(window_start__lt=now - FORGET_AFTER).delete()
    return count(key, now=now)


def address_refused(ip: str | None) -> bool:
    return is_over(address_key(ip), settings.KC_PORTAL_ADDRESS_FAILURES)


def birth_date_refused(link_id: int) -> bool:
    return is_over(birth_date_key(link_id), settings.KC_PORTAL_BIRTH_DATE_FAILURES)


def entries_refused(link_id: int) -> bool:
    return is_over(entries_key(link_id), settings.KC_PORTAL_ENTRIES_PER_WINDOW)
