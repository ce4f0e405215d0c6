"""The client's side of a link: resolving the token, the date-of-birth step per
device, and the decorator every client-link view wears.

    @client_link_required
    def my_view(request, *, link, **kwargs): ...

with a URL of the form ``c/<str:token>/...``. The staff session is never used on
these pages: the view sees an anonymous ``request.user`` whoever is signed in on
the same browser, and nothing the link opens reads it.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.shortcuts import redirect, render

from audit.log import client_ip
from portal import services, throttle
from portal.models import ClientLink, token_hash

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{40,64}$")
DEVICE_COOKIE_SALT = "portal.session.device"
DEVICE_COOKIE_MAX_LINKS = 5


# --- the token --------------------------------------------------------------------------


def find_link(token: str) -> ClientLink | None:
    """The link a token opens, usable or not (None for a token never issued)."""
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        return None
    return ClientLink.objects.select_related("client").filter(token_hash=token_hash(token)).first()


# --- the device -------------------------------------------------------------------------


def device_cookie_name() -> str:
    return "__Host-kc_client_device" if settings.SESSION_COOKIE_SECURE else "kc_client_device"


def _device_cookie_age() -> timedelta:
    return timedelta(weeks=settings.KC_PORTAL_LINK_WEEKS)


def _confirmed_links(request) -> list[int]:
    raw = request.COOKIES.get(device_cookie_name())
    if not raw:
        return []
    try:
        value = signing.loads(raw, salt=DEVICE_COOKIE_SALT, max_age=_device_cookie_age())
    except signing.BadSignature:
        return []
    ids = value.get("l") if isinstance(value, dict) else None
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def is_device_confirmed(request, link: ClientLink) -> bool:
    """True when the date of birth was given for this link on this browser."""
    return link.pk in _confirmed_links(request)


def remember_device(request, response, link: ClientLink) -> None:
    ids = [link.pk] + [i for i in _confirmed_links(request) if i != link.pk]
    response.set_cookie(
        device_cookie_name(),
        signing.dumps({"l": ids[:DEVICE_COOKIE_MAX_LINKS]}, salt=DEVICE_COOKIE_SALT),
        max_age=int(_device_cookie_age().total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


# --- answers ------------------------------------------------------------------------------


def private(response):
    """Nothing of the client's view stays in a shared cache, and the token in the
    address never leaves for another site in a Referer header (same-origin, not
    no-referrer: a form posted with no-referrer carries "Origin: null", which the
    CSRF check rightly refuses)."""
    if not response.has_header("Cache-Control"):
        response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def refused_page(request, *, status: int = 404, message: str = ""):
    """The plain refusal a client sees for a link that opens nothing (or too many tries)."""
    text = message or (
        "This link does not open anything. It may have expired or been stopped by the clinic. "
        "Please ask your therapist for a new link."
    )
    return private(render(request, "portal/refused.html", {"message": text}, status=status))


TOO_MANY_TRIES = "Too many tries from here. Please wait an hour and try again, or call the clinic."


def resolve(request, token: str) -> tuple[ClientLink | None, object | None]:
    """(link, None) for a usable link, or (None, the refusal to answer). Every refusal
    counts against the address and is audited."""
    request.user = AnonymousUser()
    ip = client_ip(request)
    if throttle.address_refused(ip):
        services.link_refused(reason="too many tries from one address")
        return None, refused_page(request, status=429, message=TOO_MANY_TRIES)
    link = find_link(token)
    if link is None or not link.is_usable:
        throttle.hit(throttle.address_key(ip))
        reason = "unknown link" if link is None else f"{link.status_label.lower()} link"
        services.link_refused(reason=reason, link=link)
        return None, refused_page(request)
    return link, None


# --- the decorator -----------------------------------------------------------------------


def client_link_required(view):
    """For a view under ``c/<token>/``: answers 404 for an unknown, expired or revoked
    token (429 after too many refused tries from one address), sends a browser that
    has not yet given the date of birth for this link to that step, and otherwise
    calls ``view(request, *args, link=<ClientLink>, **kwargs)``. A GET is audited
    here as a use of the link; a view that writes audits what it wrote."""

    @login_not_required
    @wraps(view)
    def wrapped(request, *args, token: str, **kwargs):
        link, refusal = resolve(request, token)
        if link is None:  # refused: resolve gave the answer instead
            return refusal
        if not is_device_confirmed(request, link):
            return private(redirect("portal:confirm", token=token))
        request.client_link_token = token
        if request.method in ("GET", "HEAD"):
            page = getattr(request.resolver_match, "url_name", "") or "page"
            services.link_used(link=link, action="client_link_view", detail={"page": page.replace("_", " ")})
        return private(view(request, *args, link=link, **kwargs))

    return wrapped


def confirm_birth_date(request, link: ClientLink, given) -> str:
    """Check the date of birth given on this device. Returns "" when it matches, else
    the message to show beside the field. Wrong answers count against the link and
    the address."""
    ip = client_ip(request)
    if throttle.birth_date_refused(link.pk) or throttle.address_refused(ip):
        services.link_refused(reason="too many wrong dates of birth", link=link)
        return TOO_MANY_TRIES
    if given != link.client.date_of_birth:
        throttle.hit(throttle.birth_date_key(link.pk))
        throttle.hit(throttle.address_key(ip))
        services.link_refused(reason="wrong date of birth", link=link)
        return "That date of birth does not match. Please check it and try again."
    services.link_used(link=link, action="client_link_confirm")
    return ""
