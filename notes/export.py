"""This app's part of the complete client export (see clinic.export)."""

from __future__ import annotations

from clinic.export import records_for_client


def export_client(client) -> dict:
    """Every notes record of this client, by model label."""
    return records_for_client("notes", client)
