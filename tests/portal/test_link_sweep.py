"""Nothing staff-only is reachable with a client link: every URL pattern of the project,
on every method, from the client's confirmed phone (its device cookie and whatever the
link set), answers the login page, 404 or 405, shows nothing of the client and changes
nothing."""

from __future__ import annotations

import pytest
from django.apps import apps

from tests.trust.test_url_classification import CLIENT_LINK, METHODS, ROUTES, _is_denied, _url, rule_for

STAFF_ROUTES = [
    (route, name)
    for route, name in ROUTES
    if (rule_for(name, route) or None) is None or rule_for(name, route).kind != CLIENT_LINK
]


def _counts() -> dict[str, int]:
    skip = ("audit.auditevent", "sessions.session", "portal.linkthrottle")
    return {
        m._meta.label_lower: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.label_lower not in skip and not m._meta.app_label.startswith(("axes", "otp_"))
    }


@pytest.mark.django_db
def test_a_client_link_session_reaches_nothing_staff_only(phone, issued, issued_program, client_record):
    link, token = issued
    item = issued_program.items.first()
    ids = {
        "pk": client_record.pk,
        "screen": 1,
        "row": item.pk,
        "token": token,
        "item": item.pk,
    }
    # The phone has opened its own view: it holds whatever the link gave it.
    assert phone.get(f"/c/{token}/program/").status_code == 200
    before = _counts()
    reached = []
    for route, name in STAFF_ROUTES:
        for pk in {client_record.pk, issued_program.pk, item.pk, link.pk}:
            url = _url(route, name, {**ids, "pk": pk})
            for method in METHODS:
                response = getattr(phone, method)(url)
                if not _is_denied(response) or client_record.last_name.encode() in response.content:
                    if name in ("healthz", "login", "admin_login"):
                        continue  # public by design, and they name no client
                    reached.append((name, method, url, response.status_code))
    assert reached == []
    assert _counts() == before
    # The same phone still opens its own view afterwards.
    assert phone.get(f"/c/{token}/").status_code == 200
