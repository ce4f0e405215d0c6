"""Ids beyond the database's integer range are an invalid choice, not a 500."""

from django.urls import reverse

from clinic.models import Client

HUGE = str(2**70)


def test_client_form_refuses_an_overflowing_primary_therapist_id(as_desk, treating):
    response = as_desk.post(
        reverse("client_create"),
        {
            "first_name": "Ada",
            "last_name": "Overflow",
            "date_of_birth": "1980-01-01",
            "sex": "U",
            "primary_therapist": HUGE,
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Client.objects.filter(last_name="Overflow").exists()


def test_client_form_refuses_an_overflowing_care_team_id(as_desk, treating):
    response = as_desk.post(
        reverse("client_create"),
        {
            "first_name": "Ada",
            "last_name": "Overflow",
            "date_of_birth": "1980-01-01",
            "sex": "U",
            "primary_therapist": str(treating.pk),
            "care_team": [HUGE],
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Client.objects.filter(last_name="Overflow").exists()


def test_client_list_filter_with_an_overflowing_therapist_id_answers_normally(as_desk, client_record):
    response = as_desk.get(reverse("client_list"), {"therapist": HUGE})
    assert response.status_code == 200
