"""The one way a view hands a file to the browser."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header


def file_response(
    body: bytes | str, *, content_type: str, filename: str, inline: bool = False
) -> HttpResponse:
    """A printout or export: never cached (it holds clinical or audit content), shown in the
    browser (``inline``) or saved as ``filename``."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["Cache-Control"] = "no-store"
    return response
