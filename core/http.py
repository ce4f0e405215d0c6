"""The one way a view hands a file to the browser, and the answer to a refusal no view caught."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from core.errors import DomainError


def file_response(
    body: bytes | str, *, content_type: str, filename: str, inline: bool = False
) -> HttpResponse:
    """A printout or export: never cached (it holds clinical or audit content), shown in the
    browser (``inline``) or saved as ``filename``."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename) or "attachment"
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
