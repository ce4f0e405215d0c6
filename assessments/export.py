"""This app's parts of the complete client export (see clinic.export) and of the restore drill."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Spacer

from assessments import pages, selectors
from assessments.models import Assessment
from clinic.export import records_for_client
from core.charts import line_chart
from core.composition import RestoreCheck
from core.pdf import Paragraph, cell, clip, data_table, esc, line, overflow_flowables


def export_client(client) -> dict:
    """Every assessments record of this client, by model label."""
    return records_for_client("assessments", client)


def restore_check() -> RestoreCheck:
    """What a restore drill checks of this app in the restored copy."""
    return RestoreCheck(counts={"assessments": Assessment.objects.count()})


SIDE_WORDS = {"L": "Left", "R": "Right", "": ""}


def _norm_words(row) -> str:
    norm = row["norm"] or row["measure"].norm
    if not norm:
        return "no validated norm"
    return f"{norm.text} ({norm.source})" + ("" if norm.confirmed else " (unconfirmed)")


def _flag_words(cell) -> str:
    if cell.status == "not_tested":
        return "not tested"
    if cell.status != "recorded":
        return ""
    return "outside the norm" if cell.flagged else "within the norm"


def pdf_part(client):
    """Each assessment as tables (measure, value with units, side, norm and flag in
    plain words), its questionnaires, and the outcome charts the client chart
    draws. Runs the queries now; the returned function only lays out."""
    history = selectors.assessment_history(client)
    assessments = []
    for a in history.assessments:
        age = pages.client_age(client, a.assessed_on)
        measurements = list(a.measurements.all())
        assessments.append(
            {
                "on": a.assessed_on,
                "therapist": a.therapist.display_name,
                "signed": a.is_signed,
                "sections": pages.measure_sections(measurements, client=client, age=age),
                "responses": pages.response_rows(list(a.responses.all())),
            }
        )
    charts = pages.progress_charts(selectors.chart_history(client, recent=len(assessments)), draw=line_chart)

    def flowables(st, width) -> list:
        cell_style = st["cell"]
        story: list = [CondPageBreak(80 * mm), Paragraph(f"Assessments ({len(assessments)})", st["h1"])]
        if not assessments:
            story.append(Paragraph("No assessments recorded.", st["small"]))
        heads = ("Measure", "Side", "Value", "Against the norm", "Norm")
        widths = [w * width for w in (0.26, 0.08, 0.14, 0.14, 0.38)]
        for a in assessments:
            story.append(CondPageBreak(50 * mm))
            story.append(
                line(
                    f"Assessment of {a['on']:%d %B %Y} by {clip(a['therapist'], 200)} · "
                    f"{'signed' if a['signed'] else 'not signed'}",
                    st["h2"],
                )
            )
            for section in a["sections"]:
                rows = [[line(h, cell_style, bold=True) for h in heads]]
                overflow: list = []
                for row in section["rows"]:
                    measure = row["measure"]
                    label = measure.label + (f" ({measure.unit})" if measure.unit else "")
                    if row["position"]:
                        label += f", {row['position']}"
                    for index, c in enumerate(row["cells"]):
                        rows.append(
                            [
                                line(label if index == 0 else "", cell_style),
                                line(SIDE_WORDS.get(c.side, c.side), cell_style),
                                cell(
                                    c.text or "–", cell_style, widths[2] - 6, overflow=overflow, label=label
                                ),
                                line(_flag_words(c), cell_style),
                                line(_norm_words(row) if index == 0 else "", cell_style),
                            ]
                        )
                    if row["lsi"] is not None:
                        rows.append(
                            [
                                "",
                                "",
                                line(f"{row['lsi']:.0f}% symmetry", cell_style),
                                line(f"{row['involved']} side involved", cell_style),
                                line("; ".join(row["side_norms"]), cell_style),
                            ]
                        )
                story.append(line(section["label"], st["h3"]))
                story.append(data_table(rows, widths))
                story += overflow_flowables(overflow, st["body"])
            if a["responses"]:
                story.append(Paragraph("Questionnaires", st["h3"]))
                for r in a["responses"]:
                    response = r["response"]
                    score = "not scored" if response.score is None else f"{response.score:g}"
                    extra = f" · {esc(response.band)}" if response.band else ""
                    story.append(
                        Paragraph(
                            f"<b>{esc(r['name'])}</b>: {score} {esc(r['scale'])}{extra} "
                            f"<font size=8>({esc(r['source'])})</font>",
                            st["body"],
                        )
                    )
        if charts:
            story.append(CondPageBreak(100 * mm))
            story.append(Paragraph("Outcomes over time", st["h2"]))
            for chart in charts:
                drawing = chart["svg"]
                scale = min(1.0, width / drawing.width)
                drawing.scale(scale, scale)
                drawing.width, drawing.height = drawing.width * scale, drawing.height * scale
                story.append(KeepTogether([drawing, Spacer(1, 3 * mm)]))
        return story

    return flowables
