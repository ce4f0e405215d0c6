"""Middleware of the clients domain: the document upload's size limit."""

from __future__ import annotations

from django.urls import Resolver404, resolve

from clinic.documents import UploadLimit


class DocumentUploadLimitMiddleware:
    """Puts ``clinic.documents.UploadLimit`` in front of the upload handlers of the
    document upload, before anything (the CSRF check) reads the request body."""

    URL_NAME = "document_new"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST":
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            if match is not None and match.url_name == self.URL_NAME:
                request.document_upload_limit = UploadLimit(request)
                request.upload_handlers.insert(0, request.document_upload_limit)
        return self.get_response(request)
