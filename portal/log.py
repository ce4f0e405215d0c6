"""The client's log for the staff: the chart's list and the next note's prefilled adherence."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from core.composition import AdherencePrefill
from portal.models import EntryKind, LogEntry

CHART_ENTRIES = 30
CHART_DAYS = 28
BAND_ORDER = {"": 0, "green": 1, "amber": 2, "red": 3}
BADGES = {"green": "text-bg-success", "amber": "text-bg-warning", "red": "text-bg-danger"}


def chart_log(client) -> dict:
    """The newest entries of the last four weeks, as the chart lists them (1 query)."""
    since = timezone.localdate() - timedelta(days=CHART_DAYS)
    entries = list(LogEntry.objects.for_client(client).filter(done_on__gte=since).for_chart()[:CHART_ENTRIES])
    rows = []
    for e in entries:
        what = e.get_kind_display()
        if e.item_id:
            what = f"{e.item.exercise.name}: " + (f"set {e.set_number}" if e.set_number else "session done")
        elif e.kind == EntryKind.MORNING:
            what = "Next morning: " + ("settled" if e.settled else "not settled")
        rows.append(
            {
                "day": e.done_on,
                "what": what,
                "pain": f"{e.pain}/10" if e.pain is not None else "",
                "band": e.pain_response,
                "badge": BADGES.get(e.pain_response, ""),
                "note": e.note,
            }
        )
    return {"rows": rows, "days": CHART_DAYS}


def adherence_prefill(*, client, items, since) -> dict[int, AdherencePrefill]:
    """Per program item: the days in the last week the client ticked it, and the worst
    pain they logged in that week (one query)."""
    today = timezone.localdate()
    start = max(since, today - timedelta(days=6))
    entries = list(
        LogEntry.objects.for_client(client)
        .filter(done_on__gte=start, done_on__lte=today)
        .values_list("kind", "item_id", "done_on", "pain", "pain_response")
    )
    if not entries:
        return {}
    days: dict[int, set] = {}
    worst, worst_pain = "", None
    for kind, item_id, done_on, pain, band in entries:
        if kind in (EntryKind.SET, EntryKind.SESSION) and item_id:
            days.setdefault(item_id, set()).add(done_on)
        if BAND_ORDER.get(band, 0) > BAND_ORDER[worst]:
            worst, worst_pain = band, pain
    result = {}
    for item in items:
        count = len(days.get(item.pk, ()))
        if not count and not worst:
            continue
        pain_words = f"worst pain {worst_pain}/10 ({worst})" if worst else "no pain logged"
        result[item.pk] = AdherencePrefill(
            days_per_week=min(count, 7),
            pain_response=worst,
            summary=f"ticked on {count} of the last 7 days, {pain_words}",
        )
    return result
