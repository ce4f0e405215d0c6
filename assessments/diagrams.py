"""The kinetic-chain summary, drawn with ReportLab graphics (SVG on pages, the
same Drawing in PDFs). A pure function of already-derived statuses."""

from __future__ import annotations

from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, Rect, String
from reportlab.lib import colors

from assessments.catalogue import Region

STATUS_STYLE = {
    "ok": ("#e6f4ea", "#2b8a3e", "Within norm", "OK"),
    "impaired": ("#fdecea", "#c92a2a", "Impaired", "!"),
    "not_tested": ("#f8f9fa", "#667085", "Not tested", "–"),  # grey that passes 4.5:1 as text
}
INK = colors.HexColor("#212529")
MUTED = colors.HexColor("#6c757d")


def _clip(text: str, limit: int = 18) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def chain_drawing(status: dict[str, str], notes: dict[str, list[str]], *, width: int = 900) -> Drawing:
    """Foot → ankle → calf → hip → glute, then gait; each link coloured by status.
    ``notes`` holds up to three short lines per region (the main findings). No text is under
    12 units: pages draw the chart at its natural size or larger (core.charts)."""
    height = 236
    drawing = Drawing(width, height)
    drawing.__dict__["kc_title"] = "Kinetic-chain summary"
    links = [r for r in Region.CHAIN if r != Region.GAIT]
    gap, gait_gap = 22, 34
    node_w = (width - 20 - gap * (len(links) - 1) - gait_gap) / (len(links) + 1)
    node_h, top = 140, height - 30
    drawing.add(
        String(
            10,
            height - 18,
            "Kinetic chain, from the ground up",
            fontName="Helvetica-Bold",
            fontSize=14,
            fillColor=INK,
        )
    )
    x = 10.0
    for index, region in enumerate([*links, Region.GAIT]):
        if region == Region.GAIT:
            x += gait_gap - gap
            divider_x = x - gait_gap / 2
            drawing.add(
                Line(
                    divider_x,
                    top - node_h,
                    divider_x,
                    top,
                    strokeColor=colors.HexColor("#ced4da"),
                    strokeDashArray=[2, 3],
                )
            )
        fill, edge, label, mark = STATUS_STYLE[status.get(region, "not_tested")]
        fill_c, edge_c = colors.HexColor(fill), colors.HexColor(edge)
        y = top - node_h
        dashed = [4, 3] if status.get(region) == "not_tested" else None
        drawing.add(
            Rect(
                x,
                y,
                node_w,
                node_h,
                rx=10,
                ry=10,
                fillColor=fill_c,
                strokeColor=edge_c,
                strokeWidth=1.6,
                strokeDashArray=dashed,
            )
        )
        drawing.add(Rect(x, y + node_h - 30, node_w, 30, rx=10, ry=10, fillColor=edge_c, strokeColor=None))
        drawing.add(Rect(x, y + node_h - 30, node_w, 12, fillColor=edge_c, strokeColor=None))
        drawing.add(
            String(
                x + 12,
                y + node_h - 21,
                Region.LABELS[region],
                fontName="Helvetica-Bold",
                fontSize=14,
                fillColor=colors.white,
            )
        )
        drawing.add(Circle(x + node_w - 17, y + node_h - 15, 11, fillColor=colors.white, strokeColor=None))
        drawing.add(
            String(
                x + node_w - 17,
                y + node_h - 19.5,
                mark,
                fontName="Helvetica-Bold",
                fontSize=12 if mark == "OK" else 13,
                fillColor=edge_c,
                textAnchor="middle",
            )
        )
        drawing.add(
            String(x + 10, y + node_h - 48, label, fontName="Helvetica-Bold", fontSize=12, fillColor=edge_c)
        )
        lines = notes.get(region, [])
        if len(lines) > 4:
            lines = [*lines[:3], f"+{len(lines) - 3} more"]
        for line_no, line in enumerate(lines):
            drawing.add(
                String(
                    x + 10,
                    y + node_h - 68 - 17 * line_no,
                    _clip(line, int((node_w - 14) / 6.4)),
                    fontName="Helvetica",
                    fontSize=12,
                    fillColor=MUTED if line.startswith("+") else INK,
                )
            )
        if index < len(links) - 1:
            ax, ay = x + node_w + 3, y + node_h / 2
            drawing.add(Line(ax, ay, ax + gap - 9, ay, strokeColor=colors.HexColor("#868e96"), strokeWidth=2))
            drawing.add(
                Polygon(
                    [ax + gap - 10, ay + 5, ax + gap - 4, ay, ax + gap - 10, ay - 5],
                    fillColor=colors.HexColor("#868e96"),
                    strokeColor=None,
                )
            )
        x += node_w + gap
    legend_x = 10
    for key in ("ok", "impaired", "not_tested"):
        fill, edge, label, _ = STATUS_STYLE[key]
        drawing.add(
            Rect(
                legend_x,
                14,
                14,
                14,
                rx=3,
                ry=3,
                fillColor=colors.HexColor(fill),
                strokeColor=colors.HexColor(edge),
                strokeWidth=1.4,
            )
        )
        drawing.add(String(legend_x + 20, 16, label, fontName="Helvetica", fontSize=12, fillColor=INK))
        legend_x += 124
    drawing.add(
        String(
            width - 10,
            16,
            "Impaired = outside the norm, positive test or asymmetry",
            fontName="Helvetica",
            fontSize=12,
            fillColor=MUTED,
            textAnchor="end",
        )
    )
    return drawing
