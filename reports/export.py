"""This app's parts of the complete client export (see clinic.export) and of the restore drill."""

from __future__ import annotations

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak

from clinic.export import records_for_client
from core.composition import RestoreCheck
from core.pdf import Paragraph, cell, data_table, overflow_flowables
from reports import pages
from reports.models import ProgressReport
from reports.pdf import render_report_pdf


def export_client(client) -> dict:
    """Every progress report and referrer letter of this client, drafts included, with
    the content each signed one was signed with."""
    return records_for_client("reports", client)


def _newest_signed_pdf() -> bytes | None:
    report = ProgressReport.objects.signed().order_by("-signed_at", "-id").first()
    if report is None:
        return None
    signed_at = f"{timezone.localtime(report.signed_at):%Y-%m-%d %H:%M}"
    return render_report_pdf(pages.content_for(report), signed=True, signed_at=signed_at)


def restore_check() -> RestoreCheck:
    """What a restore drill checks of this app in the restored copy: the signed reports,
    and the newest one printed from its stored content by the real renderer."""
    return RestoreCheck(
        counts={"signed progress reports and letters": ProgressReport.objects.signed().count()},
        pdfs={"progress report PDF": _newest_signed_pdf},
    )


def _row(report: ProgressReport) -> tuple[str, str, str, str, str]:
    if report.is_letter:
        to = f"Letter to {report.recipient_name or 'the referrer'}"
    else:
        to = "Progress report for the client"
    period = f"{report.period_start:%d %B %Y} to {report.period_end:%d %B %Y}"
    if report.is_signed:
        status = f"Signed {timezone.localtime(report.signed_at):%d %B %Y}"
    else:
        status = "Draft, not signed"
    return to, period, report.author.display_name, status, report.summary


def pdf_part(client):
    """The progress reports and letters written about the client, listed (each signed one
    prints on its own from the report page). Runs the query now; the returned function
    only lays out."""
    rows = [_row(r) for r in ProgressReport.objects.for_chart(client).order_by("created_at", "id")]

    def flowables(st, width) -> list:
        cell_style = st["cell"]
        story: list = [
            CondPageBreak(40 * mm),
            Paragraph(f"Progress reports and letters ({len(rows)})", st["h1"]),
        ]
        if not rows:
            story.append(Paragraph("No progress report or letter written.", st["small"]))
            return story
        heads = ("Written for", "Period", "By", "Status", "Summary")
        widths = [w * width for w in (0.22, 0.2, 0.16, 0.14, 0.28)]
        table = [[Paragraph(f"<b>{h}</b>", cell_style) for h in heads]]
        overflow: list = []
        for number, values in enumerate(rows, start=1):
            table.append(
                [
                    cell(text, cell_style, w - 6, overflow=overflow, label=f"Report {number}, {h}")
                    for text, w, h in zip(values, widths, heads, strict=True)
                ]
            )
        story.append(data_table(table, widths))
        story += overflow_flowables(overflow, st["body"])
        return story

    return flowables
