"""The client's links and own log in the complete-record export."""

from __future__ import annotations

from clinic.export import records_for_client


def export_client(client) -> dict:
    """Every portal record of this client, by model label; a link's token hash is left
    out (it opens nothing, but it is no part of the client's record)."""
    out = records_for_client("portal", client)
    for row in out.get("portal.clientlink", []):
        row["fields"].pop("token_hash", None)
    return out
