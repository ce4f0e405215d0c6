"""The client's log for the staff: the chart's list and the next note's prefilled adherence."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Max
from django.utils import timezone

from clinic.models import Client
from core.composition import AdherencePrefill, Section
from portal.models import EntryKind, LogEntry

CHART_ENTRIES = 30
CHART_DAYS = 28
BAND_ORDER = {"": 0, "green": 1, "amber": 2, "red": 3}
BADGES = {"green": "text-bg-success", "amber": "text-bg-warning", "red": "text-bg-danger"}


def chart_log(client) -> dict:
    """The newest entries of the last four weeks, as the chart lists them (1 query)."""
    since = timezone.localdate() - timedelta(days=CHART_DAYS)
    entries = list(LogEntry.objects.for_client(client).filter(done_on__gte=since).for_chart()[:CHART_ENTRIES])
    return {"rows": [entry_row(e) for e in entries], "days": CHART_DAYS}


def entry_row(entry: LogEntry) -> dict:
    """One entry in plain words, as the chart and the complete-record printout list it
    (the entry's exercise must be fetched with it: ``LogEntryQuerySet.for_chart``)."""
    what = entry.get_kind_display()
    if entry.item is not None:
        what = f"{entry.item.exercise.name}: " + (
            f"set {entry.set_number}" if entry.set_number else "session done"
        )
    elif entry.kind == EntryKind.MORNING:
        what = "Next morning: " + ("settled" if entry.settled else "not settled")
    return {
        "day": entry.done_on,
        "what": what,
        "pain": f"{entry.pain}/10" if entry.pain is not None else "",
        "band": entry.pain_response,
        "badge": BADGES.get(entry.pain_response, ""),
        "note": entry.note,
    }


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


HOME_CLIENTS = 20


def home_section(*, user) -> Section | None:
    """What the therapist's clients logged on their own view since yesterday (1 query)."""
    if not user.is_therapist:
        return None
    since = timezone.now() - timedelta(days=1)
    rows = list(
        LogEntry.objects.filter(client__in=Client.objects.clinical_for(user), recorded_at__gte=since)
        .values("client_id", "client__first_name", "client__last_name")
        .annotate(count=Count("id"), latest=Max("recorded_at"))
        .order_by("-latest")[:HOME_CLIENTS]
    )
    return Section(template="portal/_home_section.html", context={"rows": rows}, order=85)
