"""Who is asking, from where: the request's part of every audit row, kept in a context
variable for the length of one request so the services that write take only the actor
(``by=``) and never the request.

``AuditContextMiddleware`` binds it; ``audit_record`` reads it when it is not handed a
request. Outside a request (a management command, a test calling a service) it is empty
and rows carry no address. A context variable, not a thread-local: it is right under
threads, gunicorn's sync workers and async views alike, and it is reset after each request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class AuditContext:
    ip: str | None = None
    user_agent: str = ""


_current: ContextVar[AuditContext | None] = ContextVar("kc_audit_context", default=None)


def current() -> AuditContext | None:
    return _current.get()


def from_request(request) -> AuditContext:
    """The peer address (X-Forwarded-For is ignored: it is trivially forged) and the browser."""
    return AuditContext(
        ip=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:200],
    )


@contextmanager
def bound(context: AuditContext) -> Iterator[AuditContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


class AuditContextMiddleware:
    """Binds the audit context for the length of one request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with bound(from_request(request)):
            return self.get_response(request)
