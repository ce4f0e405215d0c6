"""The home page shows the signed-in user's own clients."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from clinic import services
from core import composition

from .helpers import BACKGROUND, SIGNED_IN_FLOOR, audit_queries


@pytest.fixture
def clinic_clients(make_client, treating, colleague, owner):
    return {
        "mine": make_client(treating, first_name="Mine"),
        "shared": make_client(colleague, care_team=[treating], first_name="Shared"),
        "theirs": make_client(colleague, first_name="Theirs"),
        "owners": make_client(owner, first_name="Owners"),
    }


def _first_names(response) -> set[str]:
    return {c.first_name for c in response.context["clients"]}


def test_therapist_sees_their_care_team_clients(as_treating, clinic_clients):
    response = as_treating.get("/")
    assert response.status_code == 200
    assert _first_names(response) == {"Mine", "Shared"}
    assert b"My clients" in response.content


def test_owner_sees_their_own_clients_not_the_whole_clinic(as_owner, clinic_clients):
    assert _first_names(as_owner.get("/")) == {"Owners"}


def test_desk_admin_sees_the_active_clients_of_the_clinic(as_desk, desk, clinic_clients):
    services.client_set_status(client=clinic_clients["theirs"], by=desk, status="archived")
    assert _first_names(as_desk.get("/")) == {"Mine", "Shared", "Owners"}


def test_home_is_audited_with_the_clients_listed(as_treating, treating, clinic_clients):
    as_treating.get("/")
    event = AuditEvent.objects.filter(action="list").latest("id")
    assert event.actor == treating
    assert sorted(event.detail["clients"]) == sorted([clinic_clients["mine"].pk, clinic_clients["shared"].pk])


def test_home_runs_a_fixed_number_of_queries(
    as_treating, make_client, treating, django_assert_num_queries, monkeypatch
):
    # Other apps' home sections pin their own queries.
    monkeypatch.setattr("core.composition.REGISTRY", composition.registry_only())
    for n in range(30):
        make_client(treating, first_name=f"H{n:02d}")
    as_treating.get("/ping")
    # The floor, then: count, one page with primary therapists, the audit row.
    with django_assert_num_queries(SIGNED_IN_FLOOR + 2 + audit_queries()):
        response = as_treating.get("/", **BACKGROUND)
    assert len(response.context["clients"]) == 25
    assert response.context["client_count"] == 30


def test_anonymous_visitor_is_sent_to_login(anon, db):
    response = anon.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("method", ["post", "delete"])
def test_home_refuses_other_methods(as_treating, method):
    assert getattr(as_treating, method)("/").status_code == 405
