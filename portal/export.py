"""The client's links and own log in the complete-record export, its printout and the
restore drill."""

from __future__ import annotations

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak

from clinic.export import records_for_client
from core.composition import RestoreCheck
from core.pdf import Paragraph, cell, data_table, overflow_flowables
from portal.log import entry_row
from portal.models import ClientLink, LinkStatus, LogEntry

LIGHTS = {"green": "Green", "amber": "Amber", "red": "Red"}


def export_client(client) -> dict:
    """Every portal record of this client, by model label; a link's token hash is left
    out (it opens nothing, but it is no part of the client's record)."""
    out = records_for_client("portal", client)
    for row in out.get("portal.clientlink", []):
        row["fields"].pop("token_hash", None)
    return out


def restore_check() -> RestoreCheck:
    """What a restore drill checks of this app in the restored copy: the client links
    (with whether each still works) and the entries clients logged on their own view."""
    now = timezone.now()
    return RestoreCheck(
        counts={
            "client links": ClientLink.objects.count(),
            "client links still working": ClientLink.objects.usable(now).count(),
            "client's own log entries": LogEntry.objects.count(),
        }
    )


def _day(value) -> str:
    return f"{timezone.localtime(value):%d %B %Y}" if value is not None else ""


def _link_row(link: ClientLink, now) -> tuple[str, str, str, str]:
    """Issued, last used, how it ended (or until when it works), by whom: never the token."""
    issued = f"{_day(link.issued_at)} by {link.issued_by.display_name}"
    used = _day(link.last_used_at) or "Never used"
    status = link.status(now)
    if status == LinkStatus.REVOKED:
        who = link.revoked_by.display_name if link.revoked_by else "the clinic"
        ended = f"Revoked {_day(link.revoked_at)} by {who}"
    elif status == LinkStatus.EXPIRED:
        ended = f"Expired {_day(link.expires_at)}"
    else:
        ended = f"Works until {_day(link.expires_at)}"
    return issued, used, ended, LinkStatus(status).label


def pdf_part(client):
    """The part "Client's own log" of the complete-record printout: what the client logged on
    their own view (sessions and sets, the pain after a session with its light, the
    next-morning checks) and the history of their links. Runs the queries now (two);
    the returned function only lays out."""
    now = timezone.now()
    entries = [
        entry_row(e)
        for e in LogEntry.objects.for_client(client).for_chart().order_by("done_on", "recorded_at", "id")
    ]
    links = [
        _link_row(link, now)
        for link in ClientLink.objects.for_client(client).for_chart().order_by("issued_at", "id")
    ]
    return layout(entries, links)


def layout(entries: list[dict], links: list[tuple[str, str, str, str]]):
    """Lays out the rows ``pdf_part`` fetched (no queries): the entries as ``portal.log.entry_row``
    gives them, the links as ``_link_row``."""

    def flowables(st, width) -> list:
        cell_style = st["cell"]
        story: list = [CondPageBreak(50 * mm), Paragraph("Client's own log", st["h1"])]
        story.append(
            Paragraph(
                "What the client recorded on their own phone or computer, "
                "through the link the clinic gave them.",
                st["small"],
            )
        )
        story.append(Paragraph(f"Exercises and pain logged ({len(entries)})", st["h2"]))
        if not entries:
            story.append(Paragraph("Nothing logged.", st["small"]))
        else:
            heads = ("Date", "What", "Pain", "Pain light", "Client's note")
            widths = [w * width for w in (0.16, 0.34, 0.1, 0.12, 0.28)]
            rows = [[Paragraph(f"<b>{h}</b>", cell_style) for h in heads]]
            overflow: list = []
            for number, row in enumerate(entries, start=1):
                values = (
                    f"{row['day']:%d %B %Y}",
                    row["what"],
                    row["pain"],
                    LIGHTS.get(row["band"], ""),
                    row["note"],
                )
                rows.append(
                    [
                        cell(text, cell_style, w - 6, overflow=overflow, label=f"Entry {number}, {h}")
                        for text, w, h in zip(values, widths, heads, strict=True)
                    ]
                )
            story.append(data_table(rows, widths))
            story += overflow_flowables(overflow, st["body"])
        story.append(Paragraph(f"Links to the client's own view ({len(links)})", st["h2"]))
        if not links:
            story.append(Paragraph("No link issued.", st["small"]))
        else:
            link_heads = ("Issued", "Last used", "Expiry or revocation", "Now")
            widths = [w * width for w in (0.32, 0.18, 0.34, 0.16)]
            rows = [[Paragraph(f"<b>{h}</b>", cell_style) for h in link_heads]]
            overflow = []
            for number, link in enumerate(links, start=1):
                rows.append(
                    [
                        cell(text, cell_style, w - 6, overflow=overflow, label=f"Link {number}, {h}")
                        for text, w, h in zip(link, widths, link_heads, strict=True)
                    ]
                )
            story.append(data_table(rows, widths))
            story += overflow_flowables(overflow, st["body"])
        return story

    return flowables
