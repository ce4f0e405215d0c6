"""The staff session is never used on the client's own view."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

CLIENT_VIEW_PREFIX = "/c/"


class ClientViewMiddleware:
    """On the client's own view (``/c/...``) the request is anonymous whoever is signed in
    on the same browser: the staff session's idle limit, second factor and password
    change neither run nor redirect there, and nothing of the staff account is read.
    Placed straight after the authentication middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(CLIENT_VIEW_PREFIX):
            request.user = AnonymousUser()
        return self.get_response(request)
