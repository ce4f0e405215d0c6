"""Reading a client through the Django admin is audited like the app's own
pages: the list, a search, a client's page and its history page each leave a
row marked as read through the admin, naming the clients shown."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from audit.models import AuditEvent
from clinic.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return User.objects.create_user(
        username="root", password="root-pass-1234!", is_staff=True, is_superuser=True, is_clinic_admin=True
    )


@pytest.fixture
def as_superuser(superuser):
    http = HttpClient()
    http.force_login(superuser)
    return http


def _admin_rows():
    return list(AuditEvent.objects.filter(detail__via="django-admin").order_by("id"))


def test_the_client_list_is_audited_with_the_clients_shown(
    as_superuser, superuser, client_record, make_client, colleague
):
    other = make_client(colleague, first_name="Other", last_name="Person")
    response = as_superuser.get("/admin/clinic/client/")
    assert response.status_code == 200
    (row,) = _admin_rows()
    assert row.actor == superuser and row.action == "query"
    assert sorted(row.detail["shown"]) == sorted([client_record.pk, other.pk])
    assert row.detail["search"] == ""


def test_a_search_is_audited_with_its_text_and_only_the_matches(
    as_superuser, client_record, make_client, colleague
):
    make_client(colleague, first_name="Other", last_name="Person")
    response = as_superuser.get("/admin/clinic/client/", {"q": "raman", "status__exact": "active"})
    assert response.context["cl"].result_count == 1
    (row,) = _admin_rows()
    assert row.detail["search"] == "raman"
    assert row.detail["filters"] == {"status__exact": "active"}
    assert row.detail["shown"] == [client_record.pk]


def test_a_clients_page_in_the_admin_is_audited(as_superuser, superuser, client_record):
    response = as_superuser.get(f"/admin/clinic/client/{client_record.pk}/change/")
    assert response.status_code == 200
    assert b"Raman" in response.content
    (row,) = _admin_rows()
    assert (row.action, row.client_id, row.object_type, row.object_id) == (
        "view",
        client_record.pk,
        "clinic.client",
        str(client_record.pk),
    )
    assert row.detail["page"] == "change"


def test_a_clients_history_page_in_the_admin_is_audited(as_superuser, client_record):
    response = as_superuser.get(f"/admin/clinic/client/{client_record.pk}/history/")
    assert response.status_code == 200
    (row,) = _admin_rows()
    assert (row.action, row.client_id, row.detail["page"]) == ("view", client_record.pk, "history")


def test_a_missing_client_in_the_admin_writes_no_read(as_superuser, client_record):
    as_superuser.get("/admin/clinic/client/999999/change/")
    assert _admin_rows() == []


def test_reading_the_audit_log_in_the_admin_is_audited(as_superuser, client_record):
    as_superuser.get("/admin/audit/auditevent/")
    rows = _admin_rows()
    assert [r.action for r in rows] == ["audit_view"]


def test_the_audit_logs_earlier_admin_address_still_leads_to_it(as_superuser):
    """The audit log moved to an app of its own; bookmarks of its admin pages keep working."""
    response = as_superuser.get("/admin/clinic/auditevent/?action=export")
    assert response.status_code == 301
    assert response["Location"] == "/admin/audit/auditevent/?action=export"
    moved = as_superuser.get("/admin/clinic/auditevent/7/change/")
    assert moved["Location"] == "/admin/audit/auditevent/7/change/"


def test_every_registered_model_holding_client_data_audits_its_reads():
    from django.contrib import admin

    from audit.models import AuditEvent
    from clinic.admin import AuditedReadsAdmin
    from clinic.models import Client

    for model in (Client, AuditEvent):
        assert isinstance(admin.site._registry[model], AuditedReadsAdmin)
    client_fields = {
        model
        for model in admin.site._registry
        if any(f.related_model is Client and not f.auto_created for f in model._meta.get_fields())
    }
    assert client_fields - {Client, AuditEvent} == set()  # nothing else registered shows client rows
