from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from portal import services


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
