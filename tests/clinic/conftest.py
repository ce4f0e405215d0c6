"""Fixtures for the clinic tests: the owner persona's HTTP client and a valid client form."""

from __future__ import annotations

import pytest

from clinic.models import User


@pytest.fixture
def as_owner(owner):
    from django.test import Client as HttpClient

    http = HttpClient()
    http.force_login(owner)
    return http


@pytest.fixture
def client_form():
    """Builder: the POST body of a valid client form, with overrides."""

    def build(therapist: User, **overrides) -> dict:
        data = {
            "first_name": "Jordan",
            "last_name": "Avery",
            "preferred_name": "",
            "date_of_birth": "1990-04-12",
            "sex": "F",
            "email": "jordan@example.com",
            "phone": "07700 900456",
            "address": "",
            "emergency_contact_name": "",
            "emergency_contact_phone": "",
            "occupation": "Nurse",
            "sports": "Running",
            "weekly_volume": "30 km/week",
            "footwear": "",
            "goals": "",
            "referral_source": "",
            "involved_side": "R",
            "primary_therapist": str(therapist.pk),
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    return build
