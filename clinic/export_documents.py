"""The documents attached to a client, in the complete-record export.

Kept apart from ``clinic.export`` so the record's layout can change without touching
this list: ``collect_client_export`` adds ``documents_for_export(client)`` under the
``documents`` key, and ``render_pdf`` appends ``documents_flowables(...)``.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.platypus import Table, TableStyle

from clinic.export import _value
from clinic.models import ClientDocument
from core.pdf import Paragraph, styles, wrap_lines


def documents_for_export(client) -> list[dict[str, Any]]:
    """One entry per document, oldest first: what it is, who attached it, its size and
    SHA-256 (to check a copy of the file), and whether it was entered in error. One query."""

    rows = ClientDocument.objects.filter(client=client).select_related("attached_by", "in_error_by")
    return [
        {
            "id": d.pk,
            "title": d.title,
            "kind": d.kind,
            "kind_label": d.get_kind_display(),
            "content_type": d.content_type,
            "attached_at": _value(d.attached_at),
            "attached_by": d.attached_by_id,
            "attached_by_name": str(d.attached_by),
            "size": d.size,
            "sha256": d.sha256,
            "status": "entered_in_error" if d.in_error else "current",
            "in_error_at": _value(d.in_error_at) if d.in_error_at else None,
            "in_error_by": d.in_error_by_id,
            "in_error_reason": d.in_error_reason,
        }
        for d in rows.order_by("attached_at", "id")
    ]


def documents_flowables(data: dict[str, Any], width: float) -> list:
    """The documents as a table for the PDF. Pure: no queries; plain strings only, so
    a title never passes through ReportLab's markup parser."""

    documents = data.get("documents") or []
    flow: list = [Paragraph(f"Attached documents ({len(documents)})", styles(10)["h2"])]
    if not documents:
        flow.append(Paragraph("None.", styles(10)["small"]))
        return flow
    columns = [width * w for w in (0.27, 0.13, 0.12, 0.14, 0.08, 0.26)]
    headings = ["Title", "Kind", "Attached", "By", "Size", "SHA-256 / status"]

    def cell(text: str, col: int) -> str:
        return "\n".join(wrap_lines(text, "Helvetica", 8, columns[col] - 6))

    cells = [headings]
    for d in documents:
        status = (
            f"Entered in error {d['in_error_at'][:10]}: {d['in_error_reason']}"
            if d["status"] == "entered_in_error"
            else "Current"
        )
        values = [
            d["title"],
            d["kind_label"],
            d["attached_at"][:10],
            d["attached_by_name"],
            f"{max(1, round(d['size'] / 1024))} KB",
            f"{d['sha256']}\n{status}",
        ]
        cells.append([cell(str(v), i) for i, v in enumerate(values)])
    style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, HexColor("#d0d5dd")),
        ]
    )
    flow.append(Table(cells, colWidths=columns, repeatRows=1, style=style))
    return flow
