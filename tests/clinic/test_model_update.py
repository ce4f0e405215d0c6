"""The shared partial update: only changed fields are set and saved, bad input is
refused with nothing saved."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.models import ClinicProfile
from core.services import model_changes, model_update

pytestmark = pytest.mark.django_db


def _updates(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]


def test_only_the_changed_fields_are_saved_with_the_update_time():
    profile = ClinicProfile.load()
    stamped = profile.updated_at
    data = {"name": "Harbour Sports Massage", "phone": profile.phone, "unlisted": "ignored"}
    with CaptureQueriesContext(connection) as queries:
        profile, changed = model_update(instance=profile, fields=["name", "phone"], data=data)
    assert changed == ["name"]
    [update] = _updates(queries.captured_queries)
    assert '"name"' in update and '"updated_at"' in update and '"phone"' not in update
    fresh = ClinicProfile.objects.get(pk=profile.pk)
    assert fresh.name == "Harbour Sports Massage"
    assert fresh.updated_at > stamped


def test_nothing_changed_saves_nothing():
    profile = ClinicProfile.load()
    with CaptureQueriesContext(connection) as queries:
        _, changed = model_update(instance=profile, fields=["name"], data={"name": profile.name})
    assert changed == [] and _updates(queries.captured_queries) == []


def test_bad_input_is_refused_and_nothing_is_saved():
    profile = ClinicProfile.load()
    before = profile.name
    with pytest.raises(ValidationError) as error:
        model_update(instance=profile, fields=["name"], data={"name": "x" * 500})
    assert "name" in error.value.message_dict
    assert ClinicProfile.objects.get(pk=profile.pk).name == before


def test_changes_are_set_but_not_saved_by_model_changes():
    profile = ClinicProfile.load()
    before = profile.name
    changed = model_changes(instance=profile, fields=["name", "email"], data={"name": "New name"})
    assert changed == ["name"] and profile.name == "New name"
    assert ClinicProfile.objects.get(pk=profile.pk).name == before
