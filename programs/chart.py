"""Program sections for the pages that gather from every app (core.composition)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from core.charts import line_chart_svg
from core.composition import Section, adherence_prefill
from programs.forms import AdherenceForm
from programs.models import Adherence, PainResponse, ProgramVersion
from programs.selectors import items_of

PAIN_SCORE = {PainResponse.GREEN: 0, PainResponse.AMBER: 1, PainResponse.RED: 2}


def _adherence_chart(rows) -> str:
    """Days done per week, one line per exercise, as SVG (empty without data)."""
    if not rows:
        return ""

    series: dict[str, list] = {}
    for row in rows:
        series.setdefault(row.exercise, []).append((row.recorded_on, row.days_per_week))
    return line_chart_svg(
        list(series.items()),
        title="Home program: days done per week",
        y_label="days/week",
        band=(5, 7, "target: most days"),
        y_min=0,
        y_max=7,
    )


ADHERENCE_CHART_ROWS = 120


def chart_section(*, client, user) -> Section | None:
    """The current program and the adherence chart on the client chart (2 queries)."""
    current = (
        ProgramVersion.objects.for_client(client)
        .issued()
        .annotate(item_count=Count("items"))
        .order_by("-number")
        .first()
    )
    # The latest rows only (newest first, then back in date order): the chart's
    # cost stays flat however long the history grows.
    rows = Adherence.objects.chart_points(client, latest=ADHERENCE_CHART_ROWS)
    latest = {}
    for row in rows:
        latest[row.exercise] = row
    return Section(
        template="programs/_chart_section.html",
        tab=("Home program", "program-section", "calendar-days"),
        context={
            "client": client,
            "current": current,
            "chart_svg": _adherence_chart(rows),
            "latest": sorted(latest.values(), key=lambda r: r.position),
            "can_edit": user.is_therapist,
        },
        order=70,
    )


def home_section(*, user) -> Section | None:
    """Links to the exercise library and today's batch print (no queries).

    A front-desk admin who is not a therapist reads no program content, so gets
    no section; the batch print holds only the user's own care-team clients."""
    if not user.is_therapist:
        return None
    return Section(template="programs/_home_section.html", context={}, order=80)


def note_section(*, note, user) -> Section | None:
    """Adherence entry in the visit note's S section: per exercise of the current
    program, days done per week and pain response."""
    current = ProgramVersion.objects.for_client(note.client_id).latest_issued()
    if current is None:
        return Section(
            template="programs/_note_adherence.html", context={"note": note, "current": None}, order=20
        )
    items = items_of(current)
    recorded = {
        row.item_id: row
        for row in Adherence.objects.filter(visit=note, item__version=current).select_related(
            "item__exercise"
        )
    }
    initial: dict[str, int | str] = {}
    prefilled = []
    if not note.is_signed and len(recorded) < len(items):
        # What the client logged on their own view (another app's log, through the
        # registry) fills the rows not yet recorded: the therapist confirms, not retypes.
        since = timezone.localtime(note.service_at).date() - timedelta(days=7)
        prefill = adherence_prefill(client=note.client, items=items, since=since)
        for item in items:
            if item.pk in prefill and item.pk not in recorded:
                initial[f"days_{item.pk}"] = prefill[item.pk].days_per_week
                initial[f"pain_{item.pk}"] = prefill[item.pk].pain_response
                prefilled.append((item, prefill[item.pk]))
    for item_id, row in recorded.items():
        initial[f"days_{item_id}"] = row.days_per_week
        initial[f"pain_{item_id}"] = row.pain_response
    form = AdherenceForm(items=items, initial=initial) if not note.is_signed else None
    return Section(
        template="programs/_note_adherence.html",
        context={
            "note": note,
            "current": current,
            "form": form,
            "recorded": [recorded[i.pk] for i in items if i.pk in recorded],
            "items": items,
            "prefilled": [{"exercise": item.exercise.name, "summary": p.summary} for item, p in prefilled],
        },
        order=20,
        # Adherence is entered per exercise here; the note's overall value is derived from it.
        replaces_note_fields=("hep_adherence",),
    )
