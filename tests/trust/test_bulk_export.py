"""Bulk export of complete records: past a few clients within the hour, a second
confirmation with a written reason, kept in the audit log and sent to the other
admins; the audit CSV asks for the password again like the record export."""

from __future__ import annotations

import time

import pytest
from django.core import mail

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

REASON = "Transfer of every active client to the new clinic, agreed with the owner."


@pytest.fixture(autouse=True)
def limits(settings):
    settings.KC_BULK_EXPORT_LIMIT = 3
    settings.KC_BULK_EXPORT_WINDOW_MINUTES = 60
    settings.KC_BULK_EXPORT_CONFIRM_MINUTES = 60


@pytest.fixture
def clients(make_client, treating):
    return [make_client(treating, first_name=f"Bulk{n}") for n in range(5)]


@pytest.fixture
def other_admin(owner):
    owner.email = "owner@clinic.example"
    owner.save(update_fields=["email"])
    return owner


@pytest.fixture
def as_owner(owner):
    from django.test import Client as HttpClient

    http = HttpClient()
    http.force_login(owner)
    return http


def _export(http, client, fmt="json"):
    return http.get(f"/clients/{client.pk}/export.{fmt}")


def _exports(records_officer):
    return AuditEvent.objects.filter(actor=records_officer, action="export", client_id__isnull=False)


def test_the_fourth_client_needs_a_confirmation_and_is_not_exported_before(
    as_records_officer, records_officer, clients
):
    for client in clients[:3]:
        assert _export(as_records_officer, client).status_code == 200
    response = _export(as_records_officer, clients[3])
    assert response.status_code == 302
    assert response["Location"].startswith("/exports/confirm/?next=")
    assert _exports(records_officer).count() == 3
    # Exporting again a client already exported this hour needs nothing more.
    assert _export(as_records_officer, clients[0], "pdf").status_code == 200


def test_a_confirmation_needs_a_written_reason(as_records_officer, records_officer, clients):
    for client in clients[:3]:
        _export(as_records_officer, client)
    for reason in ("", "   ", "because"):
        response = as_records_officer.post("/exports/confirm/", {"reason": reason})
        assert response.status_code == 200
        assert response.context["form"].errors["reason"]
    assert not AuditEvent.objects.filter(action="bulk_export_confirm").exists()
    assert _export(as_records_officer, clients[3]).status_code == 302


def test_the_confirmation_is_audited_with_its_reason_and_told_to_the_other_admins(
    as_records_officer, records_officer, clients, other_admin, django_capture_on_commit_callbacks
):
    records_officer.email = "officer@clinic.example"
    records_officer.save(update_fields=["email"])
    for client in clients[:3]:
        _export(as_records_officer, client)
    target = f"/clients/{clients[3].pk}/export.json"
    page = as_records_officer.get(f"/exports/confirm/?next={target}")
    assert page.status_code == 200
    assert "exported the complete records of 3 clients" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_records_officer.post(
            f"/exports/confirm/?next={target}", {"reason": REASON, "next": target}
        )
    assert response.status_code == 302
    assert response["Location"] == target
    event = AuditEvent.objects.get(action="bulk_export_confirm")
    assert event.actor_id == records_officer.pk
    assert event.detail["reason"] == REASON
    assert event.detail["exported_in_window"] == 3
    assert [m.to for m in mail.outbox] == [["owner@clinic.example"]]  # the others, not the one exporting
    assert REASON in mail.outbox[0].body
    # Now the further exports go through, each carrying the reason.
    assert as_records_officer.get(target).status_code == 200
    assert _export(as_records_officer, clients[4], "pdf").status_code == 200
    rows = _exports(records_officer).filter(client_id__in=[clients[3].pk, clients[4].pk])
    assert [r.detail["bulk_reason"] for r in rows] == [REASON, REASON]
    assert {r.detail["bulk_confirmation"] for r in rows} == {event.pk}


def test_the_other_admins_see_it_on_their_home_page(as_records_officer, clients, other_admin, as_owner):
    for client in clients[:3]:
        _export(as_records_officer, client)
    as_records_officer.post("/exports/confirm/", {"reason": REASON})
    page = as_owner.get("/").content.decode()
    assert 'id="bulk-exports"' in page
    assert REASON in page


def test_a_confirmation_lapses(as_records_officer, records_officer, clients, monkeypatch):
    for client in clients[:3]:
        _export(as_records_officer, client)
    as_records_officer.post("/exports/confirm/", {"reason": REASON})
    real = time.time
    monkeypatch.setattr("trust.bulk_export.time.time", lambda: real() + 61 * 60)
    # Within the export window the earlier exports still count: ask again.
    session = as_records_officer.session
    session["kc_reauth_at"] = real() + 61 * 60
    session.save()
    monkeypatch.setattr("trust.auth.time.time", lambda: real() + 61 * 60)
    assert _export(as_records_officer, clients[3]).status_code == 302


def test_a_front_desk_admin_who_may_not_export_never_reaches_the_confirmation(as_desk, anon):
    assert as_desk.get("/exports/confirm/").status_code == 404
    assert as_desk.post("/exports/confirm/", {"reason": REASON}).status_code == 404
    assert not AuditEvent.objects.filter(action="bulk_export_confirm").exists()


def test_the_confirmation_only_redirects_inside_the_site(as_records_officer):
    response = as_records_officer.post(
        "/exports/confirm/", {"reason": REASON, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/clients/"


def test_the_audit_csv_asks_for_the_password_again(as_desk, desk, monkeypatch):
    real = time.time
    assert as_desk.get("/audit/export.csv").status_code == 200
    monkeypatch.setattr("trust.auth.time.time", lambda: real() + 10 * 60)
    response = as_desk.get("/audit/export.csv?action=login")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauth/?next=")
    ok = as_desk.post("/accounts/reauth/?next=/audit/export.csv", {"password": "test-pass-1234!"})
    assert ok["Location"] == "/audit/export.csv"
    assert as_desk.get(ok["Location"])["Content-Type"].startswith("text/csv")
