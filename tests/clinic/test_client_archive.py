"""Archive and restore: clients are archived, never deleted, and only by admins."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from audit.models import AuditEvent
from clinic.models import Client


def test_admin_archives_a_client_and_the_record_is_kept(as_desk, desk, client_record):
    response = as_desk.post(f"/clients/{client_record.pk}/archive/")
    assert response.status_code == 302
    client_record.refresh_from_db()
    assert client_record.status == "archived"
    assert client_record.version == 2
    event = AuditEvent.objects.get(action="archive")
    assert (event.actor, event.client_id) == (desk, client_record.pk)


def test_archived_client_leaves_the_default_list_and_home(as_desk, as_treating, client_record):
    as_desk.post(f"/clients/{client_record.pk}/archive/")
    assert b"Raman" not in as_treating.get("/clients/").content
    assert b"Raman" not in as_treating.get("/").content
    assert b"Raman" in as_treating.get("/clients/?status=archived").content


def test_admin_restores_an_archived_client(as_desk, client_record):
    as_desk.post(f"/clients/{client_record.pk}/archive/")
    as_desk.post(f"/clients/{client_record.pk}/archive/", {"restore": "1"})
    client_record.refresh_from_db()
    assert client_record.status == "active"
    assert AuditEvent.objects.filter(action="restore", client_id=client_record.pk).count() == 1


def test_archiving_twice_changes_nothing_the_second_time(as_desk, client_record):
    as_desk.post(f"/clients/{client_record.pk}/archive/")
    as_desk.post(f"/clients/{client_record.pk}/archive/")
    client_record.refresh_from_db()
    assert client_record.version == 2
    assert AuditEvent.objects.filter(action="archive").count() == 1


def test_therapist_cannot_archive(as_treating, client_record):
    assert as_treating.post(f"/clients/{client_record.pk}/archive/").status_code == 404
    client_record.refresh_from_db()
    assert client_record.status == "active"


def test_colleague_gets_404(as_colleague, client_record):
    assert as_colleague.post(f"/clients/{client_record.pk}/archive/").status_code == 404


def test_anonymous_visitor_is_sent_to_login(anon, client_record):
    response = anon.post(f"/clients/{client_record.pk}/archive/")
    assert response.status_code == 302
    client_record.refresh_from_db()
    assert client_record.status == "active"


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_archive_needs_post(as_desk, client_record, method):
    assert getattr(as_desk, method)(f"/clients/{client_record.pk}/archive/").status_code == 405
    client_record.refresh_from_db()
    assert client_record.status == "active"


def test_there_is_no_delete_path_for_clients(as_desk, client_record):
    for name in ("client_delete", "clinic_client_delete"):
        with pytest.raises(NoReverseMatch):
            reverse(name, args=[client_record.pk])
    assert as_desk.delete(f"/clients/{client_record.pk}/").status_code == 405
    assert as_desk.post(f"/clients/{client_record.pk}/delete/").status_code == 404
    assert Client.objects.filter(pk=client_record.pk).exists()
