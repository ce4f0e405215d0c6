from __future__ import annotations


class NoStoreMiddleware:
    """Client data must not linger in browser or proxy caches: every response to a
    signed-in user is ``Cache-Control: no-store`` unless a view set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response
