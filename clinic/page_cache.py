"""Page bodies rendered once and served from Django's cache until the record changes.

A page about a client (the chart, a note, an assessment, a program) is a pure function
of: who reads it (user, role, scope), the client's record, the clinic-wide settings and
catalogues, and the time (labels such as "overdue" or "5 h"). The record and the
clinic-wide settings are summed up by one number, ``Client.record_version``, which the
database bumps in every writing transaction (``clinic.record_version``); it arrives with
the access check's own query, so the key costs nothing to build. A body is also keyed
by the hour, so a label that depends on the time is never older than that. The request
still does the access check and writes its audit row; only the rendering is reused: the
whole page, or the body alone when the layout around it shows something that can change
without a write (``layout_is_fixed``). The client list keeps its pages the same way,
keyed by the list's own version (``clinic.care_team_version``).

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
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
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


def page_key(request, *, page: str, client=None, versions=(), parts=()) -> str:
    """The cache key of a page: ``client`` (its id and record version) or ``versions``
    (whatever numbers from the database stand for what the page shows), the reader's
    scope, the hour, and ``parts``."""
    if client is not None:
        versions = (client.pk, client.record_version)
    raw = repr(
        (
            page,
            # The sections the apps registered (fixed while the clinic runs; tests swap it).
            id(composition.REGISTRY),
            tuple(versions),
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


def layout_is_fixed(request) -> bool:
    """Whether the layout around a body (navigation, banners) is a pure function of the
    reader's scope, so the whole page can be kept: not for a therapist who may break the
    glass, whose every page shows the open emergency grants (they lapse with the clock,
    without a write)."""
    return not getattr(request.user, "may_break_glass", False)


def cached_page(
    request,
    *,
    page: str,
    template: str,
    build: Callable[[], tuple[dict, dict]],
    outer: str,
    outer_context: dict | Callable[[], dict],
    client=None,
    versions: tuple | None = (),
    parts=(),
) -> tuple[HttpResponse, dict]:
    """The page ``outer`` around the body ``template``, and the audit detail that goes
    with it.

    ``build`` returns (the body's context, the audit detail); it runs only on a miss.
    ``client`` or ``versions`` name the record the page shows (``page_key``); ``parts``
    whatever else it depends on (a note's id, a query string). When the layout holds
    nothing beyond the reader's scope (``layout_is_fixed``), the whole page is kept;
    otherwise the body, and the layout is rendered around it on every request.
    ``outer_context`` may be a function, called only when the layout is rendered (a page
    whose record is loaded only on a miss)."""

    def around() -> dict:
        return outer_context() if callable(outer_context) else outer_context

    if (client is None and versions is None) or len(get_messages(request)):
        # No version to key it by (a flushed database), or a flash message waits for
        # this page (session data): rendered afresh, never cached.
        context, detail = build()
        body = mark_safe(render_to_string(template, context, request=request))  # noqa: S308
        return render(request, outer, {**around(), "body": body}), dict(detail)
    whole = layout_is_fixed(request)
    cache = caches[CACHE_ALIAS]
    key = page_key(request, page=page, client=client, versions=versions, parts=parts)
    hit = cache.get(key)
    if hit is None:
        context, detail = build()
        html = str(render_to_string(template, {**context, "csrf_token": CSRF_SLOT}, request=request))
        if whole:
            html = str(
                render_to_string(
                    outer,
                    {**around(), "body": mark_safe(html), "csrf_token": CSRF_SLOT},  # noqa: S308
                    request=request,
                )
            )
        hit = (html, dict(detail))
        cache.set(key, hit, TIMEOUT)
    html, detail = hit
    if whole:
        return HttpResponse(fill(request, html)), dict(detail)
    return render(request, outer, {**around(), "body": fill(request, html)}), dict(detail)
