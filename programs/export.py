"""This app's parts of the complete client export (see clinic.export) and of the restore drill."""

from __future__ import annotations

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak

from clinic.export import records_for_client
from core.composition import RestoreCheck
from core.pdf import Paragraph, cell, clip, data_table, line, overflow_flowables
from programs.handout import render_handout
from programs.models import Adherence, ProgramVersion
from programs.pages import handout_data


def export_client(client) -> dict:
    """Every programs record of this client, by model label."""
    return records_for_client("programs", client)


def _newest_handout_pdf() -> bytes | None:
    version = ProgramVersion.objects.issued().order_by("-id").first()
    if version is None:
        return None
    return render_handout(handout_data([version]))


def restore_check() -> RestoreCheck:
    """What a restore drill checks of this app in the restored copy: the issued programs,
    and the newest one's handout printed by the real renderer."""
    return RestoreCheck(
        counts={"issued programs": ProgramVersion.objects.issued().count()},
        pdfs={"handout PDF": _newest_handout_pdf},
    )


def pdf_part(client):
    """Home programs as issued (each issued version: exercises and dosage) and the
    adherence the client reported. Runs the queries now; the returned function
    only lays out."""
    versions = []
    for v in ProgramVersion.objects.for_client(client).issued().with_items().order_by("number", "id"):
        items = sorted(v.items.all(), key=lambda i: (i.position, i.pk))
        versions.append(
            {
                "number": v.number,
                "issued": v.signed_at,
                "by": v.signed_by.display_name if v.signed_by else "",
                "start": v.start_date,
                "review": v.review_date,
                "items": [
                    (
                        i.exercise.name,
                        i.dosage_text,
                        i.frequency if not i.exercise.is_advice else "",
                        i.tempo,
                    )
                    for i in items
                ],
            }
        )
    adherence = [
        (
            row.recorded_on,
            row.item.exercise.name,
            row.days_per_week,
            row.get_pain_response_display(),
            row.comment,
        )
        for row in Adherence.objects.for_client(client)
    ]

    def flowables(st, width) -> list:
        cell_style = st["cell"]
        story: list = [CondPageBreak(60 * mm), Paragraph(f"Home programs ({len(versions)} issued)", st["h1"])]
        if not versions:
            story.append(Paragraph("No home program issued.", st["small"]))
        heads: tuple[str, ...] = ("Exercise", "Dosage", "How often", "Tempo")
        widths = [w * width for w in (0.36, 0.24, 0.22, 0.18)]
        for v in versions:
            when = f"{timezone.localtime(v['issued']):%d %B %Y}" if v["issued"] else ""
            dates = ""
            if v["start"]:
                dates += f" · starts {v['start']:%d %B %Y}"
            if v["review"]:
                dates += f" · review {v['review']:%d %B %Y}"
            story.append(
                line(f"Version {v['number']} issued {when} by {clip(v['by'], 200)}{dates}", st["h2"])
            )
            rows = [[line(h, cell_style, bold=True) for h in heads]]
            overflow: list = []
            for number, values in enumerate(v["items"], start=1):
                rows.append(
                    [
                        cell(text, cell_style, w - 6, overflow=overflow, label=f"Exercise {number}, {h}")
                        for text, w, h in zip(values, widths, heads, strict=True)
                    ]
                )
            story.append(data_table(rows, widths))
            story += overflow_flowables(overflow, st["body"])
        story.append(Paragraph("Adherence reported by the client", st["h2"]))
        if not adherence:
            story.append(Paragraph("None recorded.", st["small"]))
        else:
            heads = ("Date", "Exercise", "Days a week", "Pain response", "Comment")
            widths = [w * width for w in (0.16, 0.28, 0.12, 0.2, 0.24)]
            rows = [[line(h, cell_style, bold=True) for h in heads]]
            overflow = []
            for number, (on, name, days, pain, comment) in enumerate(adherence, start=1):
                values = (f"{on:%d %B %Y}", name, str(days), pain, comment)
                rows.append(
                    [
                        cell(text, cell_style, w - 6, overflow=overflow, label=f"Adherence {number}, {h}")
                        for text, w, h in zip(values, widths, heads, strict=True)
                    ]
                )
            story.append(data_table(rows, widths))
            story += overflow_flowables(overflow, st["body"])
        return story

    return flowables
