"""The visit-note printout. ``render_note_pdf(data) -> bytes`` is pure: it takes
``notes.selectors.NotePdfData`` already fetched, runs no queries, and escapes
every piece of user text before it reaches ReportLab markup."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from clinic.pdf import MUTED, RULE, build_pdf, esc, letterhead_flowables, page_size, styles

STRIKE_RED = colors.HexColor("#b42318")


def _when(value) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else ""


def _table(rows, widths, st, *, header=True):
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        style += [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6"))]
    table.setStyle(TableStyle(style))
    return table


def render_note_pdf(data) -> bytes:
    st = styles(11)
    # The frame keeps 6 pt of padding each side inside the 18 mm margins.
    width = page_size(data.letterhead.paper_size)[0] - 36 * mm - 12
    cell = st["cell"]
    story = list(letterhead_flowables(data.letterhead, "Visit note", st, width))
    story.append(Spacer(1, 3 * mm))
    story.append(Paragraph(f"<b>{esc(data.client_name)}</b> · born {data.client_dob:%Y-%m-%d}", st["body"]))
    story.append(
        Paragraph(
            f"{esc(data.kind)} · {_when(data.service_at)} · {data.duration_minutes} min · "
            f"therapist {esc(data.therapist)} · <b>{esc(data.status)}</b>",
            st["small"],
        )
    )
    if data.in_error:
        story.append(Spacer(1, 2 * mm))
        story.append(
            Paragraph(
                f'<font color="#b42318"><b>ENTERED IN ERROR</b></font>: {esc(data.error_reason)}. '
                "The original content below is kept for the record and must not be relied on.",
                st["body"],
            )
        )
    if data.flags:
        story.append(Spacer(1, 2 * mm))
        story.append(Paragraph("<b>Health-screen flags</b>: " + esc("; ".join(data.flags)), st["small"]))

    strike = "<strike>{}</strike>" if data.in_error else "{}"
    for title, rows in data.sections:
        story.append(Paragraph(esc(title), st["h2"]))
        if not rows:
            story.append(Paragraph("Not recorded.", st["small"]))
        for label, value in rows:
            text = strike.format(esc(value))
            story.append(Paragraph(f"<b>{esc(label)}:</b> {text}" if label else text, st["body"]))
        if title.startswith("O"):
            if data.palpation:
                story.append(Paragraph("Palpation", st["h3"]))
                rows_ = [
                    [
                        Paragraph(h, cell)
                        for h in ("Region", "Side", "Tone", "Tenderness", "Trigger points", "Note")
                    ]
                ]
                rows_ += [[Paragraph(esc(v), cell) for v in row] for row in data.palpation]
                story.append(_table(rows_, [w * width for w in (0.22, 0.1, 0.14, 0.14, 0.12, 0.28)], st))
            story.append(
                Paragraph("Treatment log <font size=9>(pressure 1 = very light … 5 = deep)</font>", st["h3"])
            )
            if data.treatments:
                rows_ = [
                    [
                        Paragraph(h, cell)
                        for h in (
                            "Technique",
                            "Region / muscle",
                            "Side",
                            "Min",
                            "Pressure",
                            "Response",
                            "Note",
                        )
                    ]
                ]
                rows_ += [
                    [
                        Paragraph(esc(t.technique), cell),
                        Paragraph(esc(t.region), cell),
                        Paragraph(esc(t.side), cell),
                        Paragraph(str(t.minutes), cell),
                        Paragraph(str(t.pressure), cell),
                        Paragraph(esc(t.response), cell),
                        Paragraph(esc(t.note), cell),
                    ]
                    for t in data.treatments
                ]
                rows_.append(
                    [
                        Paragraph("<b>Total</b>", cell),
                        "",
                        "",
                        Paragraph(f"<b>{sum(t.minutes for t in data.treatments)}</b>", cell),
                        "",
                        "",
                        "",
                    ]
                )
                story.append(_table(rows_, [w * width for w in (0.24, 0.2, 0.07, 0.06, 0.1, 0.15, 0.18)], st))
            else:
                story.append(Paragraph("No treatments logged.", st["small"]))
            story.append(Paragraph("Assessment at this visit", st["h3"]))
            a = data.assessment
            if a is None:
                story.append(Paragraph("No assessment linked to this visit.", st["small"]))
            else:
                story.append(
                    Paragraph(
                        f"Assessment of {a.assessed_on:%Y-%m-%d} by {esc(a.therapist)} · "
                        f"{a.measured} measures recorded · {'signed' if a.signed else 'unsigned'}",
                        st["body"],
                    )
                )
                for text in a.findings[:12]:
                    story.append(Paragraph(f"• {esc(text)}", st["body"]))

    story.append(Spacer(1, 4 * mm))
    if data.signed:
        late = " · <b>Late entry</b> (signed more than 24 h after the visit)" if data.late_entry else ""
        block = [
            Paragraph("Signature", st["h3"]),
            Paragraph(
                f"Electronically signed by <b>{esc(data.signature_line)}</b> "
                f"on {_when(data.signed_at)}{late}",
                st["body"],
            ),
            Paragraph(f"Content fingerprint (SHA-256): {esc(data.content_hash)}", st["small"]),
        ]
    else:
        block = [
            Paragraph(
                '<font color="#b42318"><b>DRAFT: not signed.</b></font> '
                "This note is not part of the legal record until it is signed.",
                st["body"],
            )
        ]
    story.append(KeepTogether(block))

    if data.amendments:
        heading = Paragraph("Amendments (each signed separately; the original above is unchanged)", st["h2"])
        for index, a in enumerate(data.amendments):
            parts = [
                Paragraph(f"<b>{esc(a.label)}</b> by {esc(a.author)} on {_when(a.signed_at)}", st["body"]),
                Paragraph(f"<b>Reason:</b> {esc(a.reason)}", st["body"]),
            ]
            if a.text:
                parts.append(Paragraph(esc(a.text), st["body"]))
            table = Table([[parts]], colWidths=[width])
            table.setStyle(
                TableStyle([("LINEBEFORE", (0, 0), (0, -1), 2, MUTED), ("LEFTPADDING", (0, 0), (-1, -1), 8)])
            )
            # The heading never sits alone at the foot of a page.
            story.append(KeepTogether([heading, table]) if index == 0 else table)
            story.append(Spacer(1, 2 * mm))

    story += _request_flowables(data.requests, st, width)

    return build_pdf(
        story=story,
        paper_size=data.letterhead.paper_size,
        footer_left=f"{data.client_name} · DOB {data.client_dob:%Y-%m-%d} · visit {data.service_at:%Y-%m-%d}",
        title=f"Visit note {data.client_name} {data.service_at:%Y-%m-%d}",
    )


def _request_flowables(requests, st, width) -> list:
    """The client's amendment requests about this note, each with its decision,
    reason, statement of disagreement and rebuttal (45 CFR 164.526(d)(4))."""
    if not requests:
        return []
    heading = Paragraph("Amendment requests from the client", st["h2"])
    story: list = []
    for index, r in enumerate(requests):
        parts = [
            Paragraph(f"<b>{esc(r.headline)}</b>", st["body"]),
            Paragraph(f"<b>Request:</b> {esc(r.request_text)}", st["body"]),
        ]
        if r.other_records:
            parts.append(Paragraph(f"<b>Other records mentioned:</b> {esc(r.other_records)}", st["body"]))
        if r.extension:
            parts.append(Paragraph(esc(r.extension), st["small"]))
        if r.amendment_label:
            parts.append(Paragraph(f"Carried out as the {esc(r.amendment_label)} above.", st["body"]))
        if r.disagreement_line:
            parts.append(Paragraph(f"<b>{esc(r.disagreement_line)}:</b> {esc(r.disagreement)}", st["body"]))
        if r.rebuttal_line:
            parts.append(Paragraph(f"<b>{esc(r.rebuttal_line)}:</b> {esc(r.rebuttal)}", st["body"]))
        table = Table([[parts]], colWidths=[width])
        table.setStyle(
            TableStyle([("LINEBEFORE", (0, 0), (0, -1), 2, MUTED), ("LEFTPADDING", (0, 0), (-1, -1), 8)])
        )
        story.append(KeepTogether([heading, table]) if index == 0 else table)
        story.append(Spacer(1, 2 * mm))
    return story
