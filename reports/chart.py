"""The progress-report section of the client chart (core.composition)."""

from __future__ import annotations

from core.composition import Section
from reports.models import ProgressReport

CHART_REPORTS = 10


def chart_section(*, client, user) -> Section | None:
    """The client's latest reports, drafts and signed, newest first (1 query)."""
    rows = []
    for report in ProgressReport.objects.for_chart(client)[:CHART_REPORTS]:
        rows.append(
            {
                "report": report,
                "status": "Signed" if report.is_signed else "Draft",
                "audience": "Client report" if not report.is_letter else "Letter to a referrer",
                "author": report.author.display_name,
            }
        )
    return Section(
        template="reports/_chart_section.html",
        tab=("Reports", "reports-section", "envelope"),
        context={"client": client, "rows": rows, "can_write": user.is_therapist},
        order=75,
    )
