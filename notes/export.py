"""This app's parts of the complete client export (see clinic.export) and of the restore drill."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak

from clinic.export import records_for_client
from clinic.models import ClinicProfile
from core.composition import RestoreCheck
from core.pdf import Letterhead, Paragraph, cell, data_table, line, overflow_flowables
from notes.models import VisitNote
from notes.pages import note_page, note_pages, note_pdf_data
from notes.pdf import note_flowables, render_note_pdf
from notes.selectors import client_amendment_requests


def export_client(client) -> dict:
    """Every notes record of this client, by model label."""
    return records_for_client("notes", client)


def _newest_note_pdf() -> bytes | None:
    note = VisitNote.objects.order_by("-id").first()
    if note is None:
        return None
    return render_note_pdf(note_pdf_data(note_page(note)))


def restore_check() -> RestoreCheck:
    """What a restore drill checks of this app in the restored copy: the notes, and the
    newest note printed by the real renderer."""
    return RestoreCheck(counts={"notes": VisitNote.objects.count()}, pdfs={"note PDF": _newest_note_pdf})


def pdf_part(client):
    """The visits for the complete-record printout: each laid out as its own note
    printout lays it out (notes.pdf.note_flowables). Runs the queries now; the
    returned function only lays out."""
    letterhead = Letterhead.from_profile(ClinicProfile.load())
    visits = [
        note_pdf_data(page, letterhead=letterhead)
        for page in note_pages(list(VisitNote.objects.for_record_export(client)))
    ]
    requests = [
        (row.summary.received_on, row.note_date, row.summary.decision_label, row.summary.request_text)
        for row in sorted(
            client_amendment_requests(client), key=lambda r: (r.summary.received_on, r.summary.pk)
        )
    ]

    def flowables(st, width) -> list:
        story: list = [Paragraph(f"Visits ({len(visits)})", st["h1"])]
        if not visits:
            story.append(Paragraph("No visits recorded.", st["small"]))
        for number, visit in enumerate(visits, start=1):
            story.append(CondPageBreak(60 * mm))
            story.append(line(f"Visit {number} of {len(visits)} · {visit.service_at:%d %B %Y}", st["h2"]))
            story += note_flowables(visit, st, width)
        story += [
            CondPageBreak(50 * mm),
            Paragraph(f"Amendment requests from the client ({len(requests)})", st["h1"]),
        ]
        if not requests:
            story.append(Paragraph("No amendment requests.", st["small"]))
        else:
            story.append(
                Paragraph("Each request is printed in full with the visit it is about.", st["small"])
            )
            heads = ("Received", "About the visit of", "Decision", "Request")
            widths = [w * width for w in (0.16, 0.18, 0.18, 0.48)]
            rows = [[line(h, st["cell"], bold=True) for h in heads]]
            overflow: list = []
            for number, (received, visit_day, decision, text) in enumerate(requests, start=1):
                values = (f"{received:%d %B %Y}", f"{visit_day:%d %B %Y}", decision, text)
                rows.append(
                    [
                        cell(v, st["cell"], w - 6, overflow=overflow, label=f"Request {number}, {h}")
                        for v, w, h in zip(values, widths, heads, strict=True)
                    ]
                )
            story.append(data_table(rows, widths))
            story += overflow_flowables(overflow, st["body"])
        return story

    return flowables
