"""The request's part of an audit row (the address) reaches rows written by services that
take only the actor: the middleware binds it for one request and resets it after."""

from __future__ import annotations

import threading

import pytest

from audit import context as audit_context
from audit.log import audit_record
from audit.models import AuditEvent


@pytest.mark.django_db
def test_a_row_written_without_the_request_carries_the_address_of_the_request_being_served(treating):
    with audit_context.bound(audit_context.AuditContext(ip="10.1.2.3", user_agent="Tablet")):
        inside = audit_record(actor=treating, action="view")
    outside = audit_record(actor=treating, action="view")
    assert inside.ip == "10.1.2.3"
    assert outside.ip is None  # a management command or a test: no request, no address
    assert audit_context.current() is None


@pytest.mark.django_db
def test_the_context_of_one_thread_never_leaks_into_another(treating):
    seen = {}

    def other():
        seen["ip"] = getattr(audit_context.current(), "ip", None)

    with audit_context.bound(audit_context.AuditContext(ip="10.9.9.9")):
        worker = threading.Thread(target=other)
        worker.start()
        worker.join()
    assert seen["ip"] is None


@pytest.mark.django_db
def test_each_request_is_bound_to_its_own_address_and_nothing_is_left_after_it(as_treating, client_record):
    as_treating.get(f"/clients/{client_record.pk}/", REMOTE_ADDR="192.0.2.7")
    as_treating.get(f"/clients/{client_record.pk}/", REMOTE_ADDR="192.0.2.8")
    rows = AuditEvent.objects.filter(action="view", client_id=client_record.pk).order_by("id")
    assert [r.ip for r in rows] == ["192.0.2.7", "192.0.2.8"]
    assert audit_context.current() is None
