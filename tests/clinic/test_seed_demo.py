"""seed_demo: the demo clinic loads, and loading it twice changes nothing."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command

from clinic.models import Client, Consent, HealthScreen, User

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"clinic", "assessments", "notes", "programs"}
        and model._meta.label != "clinic.AuditEvent"
        and not model._meta.label.startswith("clinic.Historical")
    }


def test_seed_demo_loads_the_demo_clinic():
    call_command("seed_demo", stdout=None)
    assert Client.objects.count() >= 12
    therapist, therapist2 = User.objects.get(username="therapist"), User.objects.get(username="therapist2")
    mine = set(Client.objects.filter(primary_therapist=therapist))
    theirs = set(Client.objects.filter(primary_therapist=therapist2))
    assert mine and theirs
    shared = Client.objects.filter(care_team=therapist).filter(care_team=therapist2)
    assert shared.count() >= 2
    assert HealthScreen.objects.filter(
        client__first_name="George", answers__question="dvt", answers__answer=True
    ).exists()


def test_demo_logins_are_exactly_the_documented_ones():
    call_command("seed_demo")
    for username, therapist, admin in [
        ("admin", False, True),
        ("therapist", True, False),
        ("therapist2", True, False),
    ]:
        user = User.objects.get(username=username)
        assert user.check_password("kinetic-demo")
        assert (user.is_therapist, user.is_clinic_admin, user.is_active) == (therapist, admin, True)


def test_running_seed_demo_twice_leaves_the_same_counts():
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first


def test_consent_carries_the_back_dated_intake_date():
    call_command("seed_demo")
    for screen in HealthScreen.objects.all():
        consent = Consent.objects.get(client=screen.client)
        assert consent.given_at == screen.taken_at
        assert consent.recorded_by_id == screen.recorded_by_id
