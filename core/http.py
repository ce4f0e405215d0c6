"""The one way a view hands a file to the browser, and the answer to a refusal no view caught."""

from __future__ import annotations

import re

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from core.errors import DomainError

# Characters a saved file's name never carries: controls, path separators and the
# characters that Windows refuses in a name.
_UNSAFE_IN_FILENAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_FILENAME_MAX = 150


def safe_filename(name: str, *, default: str = "download") -> str:
    """``name`` as a browser may save it: no folder part, no control or reserved
    character (each run becomes one hyphen), no leading dot, at most 150 characters
    (the extension kept), ``default`` when nothing is left."""
    cleaned = _UNSAFE_IN_FILENAME.sub("-", name).strip(" .-")
    if len(cleaned) > _FILENAME_MAX:
        stem, dot, extension = cleaned.rpartition(".")
        keep = _FILENAME_MAX - len(extension) - 1 if dot and len(extension) <= 10 else _FILENAME_MAX
        cleaned = f"{stem[:keep]}.{extension}" if keep < _FILENAME_MAX else cleaned[:_FILENAME_MAX]
    return cleaned or default


def file_response(
    body: bytes | str, *, content_type: str, filename: str, inline: bool = False
) -> HttpResponse:
    """The one way a view hands a file to the browser (a printout, an export, an attached
    document): never cached (it holds clinical or audit content), never sniffed as another
    type, shown in the browser (``inline``) or saved as ``filename`` (``safe_filename``)."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        content_disposition_header(not inline, safe_filename(filename)) or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


class DomainErrorMiddleware:
    """A domain rule's refusal that no view caught (``core.errors.DomainError``) is
    answered with its status and plain message on the product's page, never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        return render(
            request,
            "refused.html",
            {"error_code": f"Error {exception.status}", "message": exception.message},
            status=exception.status,
        )
