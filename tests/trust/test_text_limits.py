"""Each free-text field accepts a length a clinic needs, and says so at the
field: in ``full_clean()`` (every service) and on the forms. Nothing is saved
when a value is too long."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from clinic.models import ClinicProfile, Disclosure
from core.textlimits import limits
from notes.models import Amendment, VisitNote
from programs.models import Exercise
from tests.clinic.test_clinic_profile import _profile_form
from tests.notes.conftest import COMPLETE
from tests.notes.test_views import _form_data
from tests.programs.test_library_pages import _data as _exercise_form


def _draft(client, by, **fields):
    from django.utils import timezone

    from notes import services

    note = services.note_create(
        client=client, by=by, service_at=timezone.now(), template="", copy_forward=False
    )
    return services.note_update(note=note, by=by, data=fields, version=note.version)


# Every app registers its own models' limits when it starts.
LIMITS = limits()
CASES = [(label, field, limit) for label, fields in LIMITS.items() for field, limit in fields.items()]


@pytest.mark.parametrize("label, field, limit", CASES, ids=[f"{c[0]}.{c[1]}" for c in CASES])
def test_full_clean_refuses_one_character_over_the_limit_at_the_field(label, field, limit):
    model = apps.get_model(label)
    assert isinstance(model._meta.get_field(field), models.TextField)
    others = [f.name for f in model._meta.get_fields() if f.name != field]
    instance = model(**{field: "x" * limit})
    instance.clean_fields(exclude=others)  # exactly at the limit: accepted
    setattr(instance, field, "x" * (limit + 1))
    with pytest.raises(ValidationError) as caught:
        instance.clean_fields(exclude=others)
    message = caught.value.message_dict[field][0]
    assert f"Keep this to {limit:,} characters or fewer (it has {limit + 1:,})." in message


def test_the_limits_cover_every_printed_free_text_field():
    """Every TextField of a record that reaches a printout has a limit."""
    printed = [
        "clinic.clinicprofile",
        "clinic.client",
        "clinic.disclosure",
        "clinic.clientdocument",
        "notes.visitnote",
        "notes.amendment",
        "notes.amendmentrequest",
        "programs.exercise",
    ]
    for label in printed:
        text_fields = {
            f.name for f in apps.get_model(label)._meta.get_fields() if isinstance(f, models.TextField)
        }
        assert text_fields <= set(LIMITS[label]), (label, text_fields - set(LIMITS[label]))


@pytest.mark.django_db
def test_a_too_long_soap_field_is_refused_on_the_form_and_by_autosave(client_record, treating, as_treating):
    note = _draft(client_record, treating, **COMPLETE)
    too_long = "x" * 10_001
    response = as_treating.post(reverse("note_detail", args=[note.pk]), _form_data(note, subjective=too_long))
    assert response.status_code == 400  # the draft form, shown again with its errors
    assert response.context["form"].errors["subjective"] == [
        "Keep this to 10,000 characters or fewer (it has 10,001). "
        "For a longer letter or report, summarise it here and keep the original on file."
    ]
    response = as_treating.post(
        reverse("note_autosave", args=[note.pk]), _form_data(note, objective=too_long), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert b"Keep this to 10,000 characters" in response.content
    stored = VisitNote.objects.get(pk=note.pk)
    assert (stored.version, stored.subjective, stored.objective) == (note.version, "", COMPLETE["objective"])


@pytest.mark.django_db
def test_a_too_long_addendum_is_refused_at_the_field(client_record, treating, as_treating, screened):
    from notes import services

    screened()  # signing needs consent on file
    note = services.note_sign(note=_draft(client_record, treating, **COMPLETE), by=treating)
    response = as_treating.post(
        reverse("amendment_new", args=[note.pk]), {"kind": "addendum", "reason": "r" * 2_001, "text": "Fine."}
    )
    assert response.status_code == 400
    assert "Keep this to 2,000 characters" in response.context["form"].errors["reason"][0]
    assert not Amendment.objects.filter(note=note).exists()


@pytest.mark.django_db
def test_a_too_long_clinic_address_is_refused_at_the_field(as_desk):
    before = ClinicProfile.load().address
    response = as_desk.post("/clinic/profile/", _profile_form(address="a" * 501))
    assert response.status_code == 200
    assert "Keep this to 500 characters" in response.context["form"].errors["address"][0]
    assert ClinicProfile.load().address == before


@pytest.mark.django_db
def test_too_long_exercise_steps_are_refused_at_the_field(as_treating):
    count = Exercise.objects.count()
    response = as_treating.post(reverse("programs:exercise_create"), _exercise_form(steps="s" * 5_001))
    assert response.status_code == 200
    assert "Keep this to 5,000 characters" in response.context["form"].errors["steps"][0]
    assert Exercise.objects.count() == count


@pytest.mark.django_db
def test_a_too_long_recipient_address_is_refused_at_the_field(as_desk, client_record):
    from tests.clinic.test_disclosures import _form

    response = as_desk.post(
        f"/clients/{client_record.pk}/disclosures/new/", _form(recipient_address="a" * 501)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["recipient_address"]
    assert not Disclosure.objects.exists()
