"""This app's part of the complete client export (see clinic.export)."""

from __future__ import annotations

from clinic.export import records_for_client


def export_client(client) -> dict:
    """Every notes record of this client, by model label."""
    return records_for_client("notes", client)


def pdf_part(client):
    """The visits for the complete-record printout: each laid out as its own note
    printout lays it out (notes.pdf.note_flowables). Runs the queries now; the
    returned function only lays out."""
    from notes.models import VisitNote
    from notes.selectors import note_page, note_pdf_data

    visits = [note_pdf_data(note_page(note)) for note in VisitNote.objects.for_record_export(client)]

    def flowables(st, width) -> list:
        from reportlab.lib.units import mm
        from reportlab.platypus import CondPageBreak, Paragraph

        from notes.pdf import note_flowables

        story: list = [Paragraph(f"Visits ({len(visits)})", st["h1"])]
        if not visits:
            story.append(Paragraph("No visits recorded.", st["small"]))
        for number, visit in enumerate(visits, start=1):
            story.append(CondPageBreak(60 * mm))
            story.append(
                Paragraph(f"Visit {number} of {len(visits)} · {visit.service_at:%d %B %Y}", st["h2"])
            )
            story += note_flowables(visit, st, width)
        return story

    return flowables
