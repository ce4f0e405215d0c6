"""Page bodies rendered once and served from Django's cache until the record changes.

A page about a client (the chart, a note, an assessment, a program) is a pure function
of: who reads it (user, role, scope), the client's record, the clinic-wide settings and
catalogues, and the time (labels such as "overdue" or "5 h"). The record and the
clinic-wide settings are summed up by one number, ``Client.record_version``, which the
database bumps in every writing transaction (``clinic.record_version``); it arrives with
the access check's own query, so the key costs nothing to build. A body is also keyed
by the hour, so a label that depends on the time is never older than that. The request
still does the access check and writes its audit row; only the body is reused.

Nothing per request is ever stored: the CSRF token is rendered as a placeholder and put
in on the way out (the pages carry no inline script, so no CSP nonce). A body that
would hold session data (a flash message, a form with errors) is never cached: only GET
renders go through here, and a page with a flash message waiting is rendered afresh.
Correctness never depends on the cache backend: a miss (or a backend that forgets
everything) only costs a render.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.contrib.messages import get_messages
from django.core.cache import caches
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from clinic.reauth import recently_reauthenticated
from core import composition

# Stands in for the CSRF token inside a cached body (letters only: escaping leaves it alone).
CSRF_SLOT = "kcCsrfSlotXq"
CACHE_ALIAS = "pages"
TIMEOUT = 60 * 60 * 24


# Fields of the reader that change on their own and that no page shows.
_VOLATILE_USER_FIELDS = {"password", "last_login", "updated_at"}


def _scope(request) -> tuple:
    """Everything about the reader a body may depend on, read from the request alone:
    every field of the signed-in user (roles, scope of practice, names, credentials),
    and whether the password was entered recently (forms that sign ask for it only
    when not)."""

    user = request.user
    fields = tuple(
        (f.attname, getattr(user, f.attname))
        for f in user._meta.concrete_fields
        if f.attname not in _VOLATILE_USER_FIELDS
    )
    return (user.pk, fields, bool(recently_reauthenticated(request)))


def page_key(request, *, page: str, client, parts=()) -> str:

    raw = repr(
        (
            page,
            # The sections the apps registered (fixed while the clinic runs; tests swap it).
            id(composition.REGISTRY),
            client.pk,
            client.record_version,
            _scope(request),
            # Labels that depend on the time ("overdue", "5 h", "due today"): a body lasts
            # at most until the hour turns.
            timezone.localtime().strftime("%Y-%m-%d %H"),
            tuple(parts),
        )
    )
    return "kc:page:" + hashlib.sha256(raw.encode()).hexdigest()


def fill(request, html: str) -> SafeString:
    """Put this request's CSRF token where the cached body holds the placeholder."""
    if CSRF_SLOT in html:
        html = html.replace(CSRF_SLOT, get_token(request))
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, escaped there


def cached_body(
    request,
    *,
    page: str,
    client,
    template: str,
    build: Callable[[], tuple[dict, dict]],
    parts=(),
) -> tuple[SafeString, dict]:
    """The rendered body of ``template`` and the audit detail that goes with it.

    ``build`` returns (the template's context, the audit detail); it runs only on a
    miss. ``parts`` names whatever else the body depends on (a note's id, a query
    string)."""
    if len(get_messages(request)):
        # A flash message waits for this page: it is session data, never cached.
        context, detail = build()
        return mark_safe(render_to_string(template, context, request=request)), dict(detail)  # noqa: S308
    cache = caches[CACHE_ALIAS]
    key = page_key(request, page=page, client=client, parts=parts)
    hit = cache.get(key)
    if hit is not None:
        html, detail = hit
        return fill(request, html), dict(detail)
    context, detail = build()
    html = str(render_to_string(template, {**context, "csrf_token": CSRF_SLOT}, request=request))
    cache.set(key, (html, dict(detail)), TIMEOUT)
    return fill(request, html), dict(detail)
