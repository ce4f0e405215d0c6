"""The assessments section of the client chart (via core.composition)."""

from __future__ import annotations

from assessments import findings as derive
from assessments import pages, selectors
from core.composition import Section

# The chart shows the baseline and the most recent assessments; the full list
# is on the comparison pages. This keeps the chart's cost flat as history grows.
CHART_RECENT = 24


def chart_section(*, client, user) -> Section | None:
    """Latest chain summary, the list of assessments and progress charts (5 queries)."""
    history = selectors.chart_history(client, recent=CHART_RECENT)
    latest = history.assessments[-1] if history.assessments else None
    context = {"client": client, "assessments": list(reversed(history.assessments)), "latest": latest}
    if latest is not None:
        measurements = history.latest_measurements
        found = derive.findings_for(
            measurements,
            sex=client.sex,
            involved_side=client.involved_side,
            age=pages.client_age(client, latest.assessed_on),
        )
        context.update(
            {
                "chain_svg": pages.chain_svg(measurements, found),
                "found": [{"finding": f, "kind_label": pages.KIND_LABELS[f.kind]} for f in found],
                "charts": pages.progress_charts(history),
                "body_trend": pages.body_chart_trend(history),
            }
        )
    return Section(
        template="assessments/_chart_section.html",
        context=context,
        order=20,
        tab=("Assessments", "assessments", "clipboard-document-list"),
    )
