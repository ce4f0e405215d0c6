from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from portal import services
from programs import services as program_services
from programs.models import Exercise


@pytest.fixture
def issued(client_record, treating):
    """A link for the treating therapist's client: (link, token)."""
    return services.link_issue(client=client_record, by=treating)


@pytest.fixture
def phone(issued, client_record) -> HttpClient:
    """The client's phone, past the date-of-birth step for the issued link."""
    link, token = issued
    http = HttpClient(REMOTE_ADDR="203.0.113.7")
    response = http.post(f"/c/{token}/confirm/", {"date_of_birth": client_record.date_of_birth.isoformat()})
    assert response.status_code == 302, response.content
    return http


def issue_program(client, therapist, count=2):
    version = program_services.program_draft(client=client, by=therapist)
    for exercise in Exercise.objects.filter(kind="exercise").order_by("id")[:count]:
        program_services.program_item_add(draft=version, exercise=exercise, by=therapist)
    return program_services.program_issue(version=version, by=therapist, start_date=timezone.localdate())


@pytest.fixture
def issued_program(client_record, treating):
    return issue_program(client_record, treating)
