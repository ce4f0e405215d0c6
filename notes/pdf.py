"""The visit-note printout. ``render_note_pdf(data) -> bytes`` is pure: it takes
``notes.pages.NotePdfData`` already fetched, runs no queries, and escapes
every piece of user text before it reaches ReportLab markup."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from core.pdf import (
    MUTED,
    Paragraph,
    build_pdf,
    cell,
    clip,
    data_table,
    esc,
    letterhead_flowables,
    line,
    overflow_flowables,
    page_size,
    paragraphs,
    ruled,
    styles,
)
from notes.services import SIGNATURE_MISMATCH_WARNING

STRIKE_RED = colors.HexColor("#b42318")
_PALPATION_HEADS = ("Region", "Side", "Tone", "Tenderness", "Trigger points", "Note")
_TREATMENT_HEADS = ("Technique", "Region / muscle", "Side", "Min", "Pressure", "Response", "Note")


def _when(value) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else ""


def _table(rows, widths, st, *, header=True):
    # Rows split across pages; every cell is short (core.pdf.cell), so no row
    # is ever taller than a page.
    return data_table(rows, widths, header=header)


def render_note_pdf(data) -> bytes:
    st = styles(11)
    # The frame keeps 6 pt of padding each side inside the 18 mm margins.
    width = page_size(data.letterhead.paper_size)[0] - 36 * mm - 12
    story = list(letterhead_flowables(data.letterhead, "Visit note", st, width))
    story.append(Spacer(1, 3 * mm))
    story.append(
        Paragraph(f"<b>{esc(clip(data.client_name, 200))}</b> · born {data.client_dob:%Y-%m-%d}", st["body"])
    )
    story += note_flowables(data, st, width)

    return build_pdf(
        story=story,
        paper_size=data.letterhead.paper_size,
        footer_left=f"{clip(data.client_name, 60)} · DOB {data.client_dob:%Y-%m-%d} · "
        f"visit {data.service_at:%Y-%m-%d}",
        title=f"Visit note {clip(data.client_name, 100)} {data.service_at:%Y-%m-%d}",
    )


def note_flowables(data, st, width) -> list:
    """One visit laid out as the note printout lays it out, from the line under the
    client's name to the client's amendment requests. The complete-record export
    prints every visit with it."""
    cell_style = st["cell"]
    story: list = []
    story.append(
        Paragraph(
            f"{esc(data.kind)} · {_when(data.service_at)} · {data.duration_minutes} min · "
            f"therapist {esc(clip(data.therapist, 200))} · <b>{esc(data.status)}</b>",
            st["small"],
        )
    )
    if not data.content_matches:
        story.append(Spacer(1, 2 * mm))
        story.append(
            Paragraph(
                f'<font color="#b42318"><b>WARNING</b></font>: {esc(SIGNATURE_MISMATCH_WARNING)}', st["body"]
            )
        )
    if data.in_error:
        story.append(Spacer(1, 2 * mm))
        story += paragraphs(
            f"{data.error_reason}. "
            "The original content below is kept for the record and must not be relied on.",
            st["body"],
            lead='<font color="#b42318"><b>ENTERED IN ERROR</b></font>:',
        )
    if data.flags:
        story.append(Spacer(1, 2 * mm))
        story += paragraphs("; ".join(data.flags), st["small"], lead="<b>Health-screen flags</b>:")

    strike = "<strike>{}</strike>" if data.in_error else "{}"
    for title, rows in data.sections:
        story.append(line(title, st["h2"]))
        if not rows:
            story.append(Paragraph("Not recorded.", st["small"]))
        for label, value in rows:
            story += paragraphs(value, st["body"], lead=f"<b>{esc(label)}:</b>" if label else "", wrap=strike)
        if title.startswith("O"):
            if data.palpation:
                story.append(line("Palpation", st["h3"]))
                widths = [w * width for w in (0.22, 0.1, 0.14, 0.14, 0.12, 0.28)]
                rows_ = [[line(h, cell_style) for h in _PALPATION_HEADS]]
                overflow: list = []
                for number, row in enumerate(data.palpation, start=1):
                    rows_.append(
                        [
                            cell(v, cell_style, w - 6, overflow=overflow, label=f"Palpation {number}, {h}")
                            for v, w, h in zip(row, widths, _PALPATION_HEADS, strict=True)
                        ]
                    )
                story.append(_table(rows_, widths, st))
                story += overflow_flowables(overflow, st["body"])
            story.append(
                Paragraph("Treatment log <font size=9>(pressure 1 = very light … 5 = deep)</font>", st["h3"])
            )
            if data.treatments:
                widths = [w * width for w in (0.24, 0.2, 0.07, 0.06, 0.1, 0.15, 0.18)]
                rows_ = [[line(h, cell_style) for h in _TREATMENT_HEADS]]
                overflow = []
                for number, t in enumerate(data.treatments, start=1):
                    values = (
                        t.technique,
                        t.region,
                        t.side,
                        str(t.minutes),
                        str(t.pressure),
                        t.response,
                        t.note,
                    )
                    rows_.append(
                        [
                            cell(v, cell_style, w - 6, overflow=overflow, label=f"Treatment {number}, {h}")
                            for v, w, h in zip(values, widths, _TREATMENT_HEADS, strict=True)
                        ]
                    )
                rows_.append(
                    [
                        line("Total", cell_style, bold=True),
                        "",
                        "",
                        line(str(sum(t.minutes for t in data.treatments)), cell_style, bold=True),
                        "",
                        "",
                        "",
                    ]
                )
                story.append(_table(rows_, widths, st))
                story += overflow_flowables(overflow, st["body"])
            else:
                story.append(line("No treatments logged.", st["small"]))
            story.append(line("Assessment at this visit", st["h3"]))
            a = data.assessment
            if a is None:
                story.append(line("No assessment linked to this visit.", st["small"]))
            else:
                story.append(
                    line(
                        f"Assessment of {a.assessed_on:%Y-%m-%d} by {clip(a.therapist, 200)} · "
                        f"{a.measured} measures recorded · {'signed' if a.signed else 'unsigned'}",
                        st["body"],
                    )
                )
                for text in a.findings[:12]:
                    story += paragraphs(text, st["body"], lead="•")

    story += discharge_flowables(data.discharge, st, width)

    story.append(Spacer(1, 4 * mm))
    if data.signed:
        late = " · <b>Late entry</b> (signed more than 24 h after the visit)" if data.late_entry else ""
        block = [
            line("Signature", st["h3"]),
            Paragraph(
                f"Electronically signed by <b>{esc(clip(data.signature_line, 300))}</b> "
                f"on {_when(data.signed_at)}{late}",
                st["body"],
            ),
            line(f"Content fingerprint (SHA-256): {data.content_hash}", st["small"]),
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

    story += _override_flowables(data.overrides, st, width)

    if data.amendments:
        heading = Paragraph("Amendments (each signed separately; the original above is unchanged)", st["h2"])
        for index, a in enumerate(data.amendments):
            parts = [
                Paragraph(
                    f"<b>{esc(a.label)}</b> by {esc(clip(a.author, 200))} on {_when(a.signed_at)}", st["body"]
                ),
                *paragraphs(a.reason, st["body"], lead="<b>Reason:</b>"),
            ]
            if a.text:
                parts += paragraphs(a.text, st["body"])
            box = ruled(parts, color=MUTED)
            # The heading never sits alone at the foot of a page; a long addendum
            # then runs on from where its first lines stand.
            story += [KeepTogether([heading, *box[:2]]), *box[2:]] if index == 0 else box
            story.append(Spacer(1, 2 * mm))

    story += _request_flowables(data.requests, st, width)

    return story


_OUTCOME_HEADS = ("Measure", "Baseline", "At discharge", "Change", "Meaningful change", "Result")


def _dated(value: str, day) -> str:
    return f"{value}\n{day:%Y-%m-%d}" if value and day else value or "None recorded"


def discharge_flowables(summary, st, width) -> list:
    """The reason for discharge and the "Outcome at discharge" table (notes.discharge)."""
    if summary is None:
        return []
    cell_style = st["cell"]
    story: list = [Paragraph("Discharge", st["h2"])]
    reason = summary.reason or "Not recorded yet (required before signing)."
    story += paragraphs(reason, st["body"], lead="<b>Reason for discharge:</b>")
    if summary.detail:
        story += paragraphs(summary.detail, st["body"], lead="<b>Details:</b>")
    heading = [Paragraph("Outcome at discharge", st["h3"])]
    if not summary.rows:
        heading.append(Paragraph("No outcome measures were recorded in this episode of care.", st["small"]))
        return [*story, KeepTogether(heading)]
    if not summary.signed:
        heading.append(Paragraph("Draft: the table is fixed when the note is signed.", st["small"]))
    widths = [w * width for w in (0.21, 0.13, 0.13, 0.09, 0.21, 0.23)]
    rows = [[line(h, cell_style) for h in _OUTCOME_HEADS]]
    overflow: list = []
    for number, row in enumerate(summary.rows, start=1):
        values = (
            f"{row.measure} ({row.scale})",
            _dated(row.baseline, row.baseline_on),
            _dated(row.latest, row.latest_on) if row.latest else "Not measured again",
            row.change,
            row.meaningful_change,
            row.verdict,
        )
        rows.append(
            [
                cell(v, cell_style, w - 6, overflow=overflow, label=f"Outcome {number}, {h}")
                for v, w, h in zip(values, widths, _OUTCOME_HEADS, strict=True)
            ]
        )
    # The heading never stands alone at the foot of a page: it moves with the table
    # (a table longer than a page still splits by rows).
    story.append(KeepTogether([*heading, _table(rows, widths, st)]))
    story += overflow_flowables(overflow, st["body"])
    return story


def _override_flowables(overrides, st, width) -> list:
    """Each time the therapist treated despite the safety interlock: what, why and who."""
    if not overrides:
        return []
    heading = Paragraph("Safety overrides (treated despite a safety rule)", st["h2"])
    story: list = []
    for index, o in enumerate(overrides):
        parts = [
            Paragraph(f"<b>{esc(o.what)}</b>: override by {esc(o.by)} on {_when(o.at)}", st["body"]),
            *[Paragraph(f"Rule: {esc(p)}", st["small"]) for p in o.problems],
            Paragraph(f"<b>Reason:</b> {esc(o.reason)}", st["body"]),
            Paragraph(
                "Health screen re-checked with the client at this visit; password re-entered.", st["small"]
            ),
        ]
        table = Table([[parts]], colWidths=[width])
        table.setStyle(
            TableStyle([("LINEBEFORE", (0, 0), (0, -1), 2, MUTED), ("LEFTPADDING", (0, 0), (-1, -1), 8)])
        )
        story.append(KeepTogether([heading, table]) if index == 0 else table)
        story.append(Spacer(1, 2 * mm))
    return story


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
            *paragraphs(r.request_text, st["body"], lead="<b>Request:</b>"),
        ]
        if r.other_records:
            parts += paragraphs(r.other_records, st["body"], lead="<b>Other records mentioned:</b>")
        if r.extension:
            parts += paragraphs(r.extension, st["small"])
        if r.amendment_label:
            parts.append(Paragraph(f"Carried out as the {esc(r.amendment_label)} above.", st["body"]))
        if r.disagreement_line:
            parts += paragraphs(r.disagreement, st["body"], lead=f"<b>{esc(r.disagreement_line)}:</b>")
        if r.rebuttal_line:
            parts += paragraphs(r.rebuttal, st["body"], lead=f"<b>{esc(r.rebuttal_line)}:</b>")
        box = ruled(parts, color=MUTED)
        story += [KeepTogether([heading, *box[:2]]), *box[2:]] if index == 0 else box
        story.append(Spacer(1, 2 * mm))
    return story
