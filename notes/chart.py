"""The notes app's contributions to composed pages (core.composition).

- chart_section: the visit timeline and pain chart on the client chart;
- home_section: the therapist's unsigned notes, oldest first;
- note_section: nothing extra (the note page is this app's own).
"""

from __future__ import annotations

from django.urls import reverse

from core.charts import line_chart_svg
from core.composition import Section
from notes import selectors


def pain_chart_svg(series) -> str:
    """The NPRS chart as SVG markup, or "" with fewer than two visits with scores."""
    if not series or max(len(points) for _, points in series) < 2:
        return ""
    return line_chart_svg(series, title="Pain (NPRS 0-10) by visit", y_label="NPRS", y_min=0, y_max=10)


def chart_section(*, client, user) -> Section | None:
    timeline = selectors.visit_timeline(client)
    return Section(
        template="notes/_chart_section.html",
        tab=("Visits", "visits", "document-text"),
        context={
            "client": client,
            "timeline": timeline,
            "pain_svg": pain_chart_svg(selectors.pain_series(client)),
            "can_write": user.is_therapist,
            "new_url": reverse("note_new", args=[client.pk]),
            "all_url": reverse("client_notes", args=[client.pk]),
            "requests_url": reverse("client_amendment_requests", args=[client.pk]),
        },
        order=20,
    )


def home_section(*, user) -> Section | None:
    if not user.is_therapist:
        return None
    rows, total = selectors.unsigned_notes(user)
    return Section(
        template="notes/_home_unsigned.html",
        context={
            "rows": rows,
            "total": total,
            "overdue": sum(1 for r in rows if r.overdue),
            "supervisee_rows": selectors.supervisee_drafts(user),
        },
        order=10,
    )


def note_section(*, note, user) -> Section | None:
    return None
