"""Client links: issuing, the token stored only as a hash, expiry, revocation, the
date-of-birth step per device, the rate limits on guessing, and the audit of every use."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client as HttpClient
from django.utils import timezone

from clinic.models import AuditEvent
from portal import services
from portal.models import ClientLink, LinkThrottle
from portal.session import device_cookie_name


def test_issue_stores_only_the_hash_of_a_long_random_token(issued, client_record, treating, settings):
    link, token = issued
    assert len(token) >= 43
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = list(ClientLink.objects.values_list(flat=False))
    assert token not in repr(stored)
    assert link.issued_by == treating and link.client == client_record
    weeks = (link.expires_at - link.issued_at) / timedelta(weeks=1)
    assert weeks == settings.KC_PORTAL_LINK_WEEKS == 8
    event = AuditEvent.objects.filter(action="issue", object_type="portal.clientlink").get()
    assert event.actor == treating and event.client_id == client_record.pk
    assert token not in repr(event.detail)


def test_the_expiry_follows_the_setting(client_record, treating, settings):
    settings.KC_PORTAL_LINK_WEEKS = 2
    link, _ = services.link_issue(client=client_record, by=treating)
    assert link.expires_at - link.issued_at == timedelta(weeks=2)


def test_only_the_care_team_issues_and_revokes(client_record, colleague, desk, issued):
    for outsider in (colleague, desk):
        with pytest.raises(PermissionDenied):
            services.link_issue(client=client_record, by=outsider)
        with pytest.raises(PermissionDenied):
            services.link_revoke(link=issued[0], by=outsider)


def test_first_use_asks_the_date_of_birth_then_opens_the_view(issued, client_record):
    link, token = issued
    http = HttpClient()
    response = http.get(f"/c/{token}/")
    assert response.status_code == 302 and response["Location"] == f"/c/{token}/confirm/"
    page = http.get(f"/c/{token}/confirm/")
    assert page.status_code == 200 and b"date of birth" in page.content
    wrong = http.post(f"/c/{token}/confirm/", {"date_of_birth": "1990-01-01"})
    assert wrong.status_code == 200 and b"does not match" in wrong.content
    assert http.get(f"/c/{token}/").status_code == 302
    right = http.post(f"/c/{token}/confirm/", {"date_of_birth": client_record.date_of_birth.isoformat()})
    assert right.status_code == 302 and right["Location"] == f"/c/{token}/"
    home = http.get(f"/c/{token}/")
    assert home.status_code == 200 and b"Hello Priya" in home.content
    assert home["Cache-Control"] == "no-store" and home["Referrer-Policy"] == "same-origin"
    link.refresh_from_db()
    assert link.last_used_at is not None
    # Another device must give the date of birth again.
    assert HttpClient().get(f"/c/{token}/").status_code == 302


def test_every_use_is_audited_with_client_and_link(phone, issued, client_record):
    link, token = issued
    phone.get(f"/c/{token}/")
    events = AuditEvent.objects.filter(client_id=client_record.pk, object_type="portal.clientlink")
    actions = list(events.order_by("id").values_list("action", flat=True))
    assert actions == ["issue", "client_link_confirm", "client_link_view"]
    view = events.get(action="client_link_view")
    assert view.actor is None and view.object_id == str(link.pk)
    assert view.actor_username == "The client (by their link)"


def test_a_guessed_token_is_404_and_counted(anon, db):
    response = anon.get("/c/" + "A" * 43 + "/")
    assert response.status_code == 404
    assert b"cannot be opened" in response.content
    assert LinkThrottle.objects.get(key="address:127.0.0.1").count == 1
    assert AuditEvent.objects.filter(action="client_link_refused", outcome="denied").count() == 1
    assert anon.get("/c/short/").status_code == 404


@pytest.mark.parametrize("state", ["expired", "revoked"])
def test_expired_and_revoked_links_open_nothing(state, phone, issued, treating):
    link, token = issued
    if state == "expired":
        ClientLink.objects.filter(pk=link.pk).update(
            issued_at=timezone.now() - timedelta(weeks=9), expires_at=timezone.now() - timedelta(minutes=1)
        )
    else:
        services.link_revoke(link=link, by=treating)
        link.refresh_from_db()
        assert link.revoked_by == treating and link.status() == "revoked"
    response = phone.get(f"/c/{token}/")
    assert response.status_code == 404
    assert b"Priya" not in response.content
    assert phone.get(f"/c/{token}/confirm/").status_code == 404
    refused = AuditEvent.objects.filter(action="client_link_refused").order_by("id").first()
    assert refused.client_id == link.client_id and refused.detail["reason"] == f"{state} link"


def test_revoking_twice_writes_once(issued, treating):
    link, _ = issued
    services.link_revoke(link=link, by=treating)
    services.link_revoke(link=link, by=treating)
    assert AuditEvent.objects.filter(action="revoke").count() == 1


def test_a_flood_of_guesses_from_one_address_is_refused_even_for_a_real_link(issued, settings, client_record):
    settings.KC_PORTAL_ADDRESS_FAILURES = 5
    _, token = issued
    guesser = HttpClient(REMOTE_ADDR="198.51.100.9")
    for n in range(5):
        assert guesser.get(f"/c/{'B' * 42}{n}/").status_code == 404
    assert guesser.get(f"/c/{'B' * 43}/").status_code == 429
    # The real token from the same address is refused too until the window ends...
    assert guesser.get(f"/c/{token}/confirm/").status_code == 429
    # ... and from elsewhere it still works.
    assert HttpClient(REMOTE_ADDR="192.0.2.1").get(f"/c/{token}/confirm/").status_code == 200
    LinkThrottle.objects.filter(key="address:198.51.100.9").update(
        window_start=timezone.now() - timedelta(hours=2)
    )
    assert guesser.get(f"/c/{token}/confirm/").status_code == 200


def test_wrong_dates_of_birth_are_limited_per_link_across_addresses(issued, client_record, settings):
    settings.KC_PORTAL_BIRTH_DATE_FAILURES = 3
    _, token = issued
    for n in range(3):
        http = HttpClient(REMOTE_ADDR=f"192.0.2.{n + 10}")
        assert b"does not match" in http.post(f"/c/{token}/confirm/", {"date_of_birth": "1990-01-01"}).content
    late = HttpClient(REMOTE_ADDR="192.0.2.99")
    response = late.post(f"/c/{token}/confirm/", {"date_of_birth": client_record.date_of_birth.isoformat()})
    assert response.status_code == 200 and b"Too many tries" in response.content
    assert device_cookie_name() not in response.cookies


def test_a_forged_device_cookie_is_ignored(issued):
    _, token = issued
    http = HttpClient()
    http.cookies[device_cookie_name()] = "forged"
    assert http.get(f"/c/{token}/").status_code == 302


def test_the_device_cookie_of_one_link_does_not_open_another(phone, client_record, treating):
    _, other = services.link_issue(client=client_record, by=treating)
    assert phone.get(f"/c/{other}/").status_code == 302


def test_a_staff_session_is_not_used_on_the_client_view(issued, client_record, treating):
    _, token = issued
    http = HttpClient()
    http.force_login(treating)
    # Signed in as the therapist, the link still asks for the date of birth...
    assert http.get(f"/c/{token}/").status_code == 302
    http.post(f"/c/{token}/confirm/", {"date_of_birth": client_record.date_of_birth.isoformat()})
    page = http.get(f"/c/{token}/")
    # ... and the page shows nothing of the staff account.
    assert b"Sign out" not in page.content and b"Treating" not in page.content
    view = AuditEvent.objects.filter(action="client_link_view").get()
    assert view.actor is None


def test_the_client_view_carries_the_csp(phone, issued):
    response = phone.get(f"/c/{issued[1]}/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
