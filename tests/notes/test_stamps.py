"""The narrow access checks of the cached pages (``clinic.access.Stamp``): run from SQL
compiled once per reader shape (``core.compiled``), they answer exactly as the access
functions they stand for, for every role, in scope and out of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from clinic import access, services
from clinic.models import User
from core.compiled import _Fallback, lookups
from notes.access import get_note_for_user, note_stamp_for_user

pytestmark = pytest.mark.django_db

REASON = "Collapsed in the waiting room."


@pytest.fixture(autouse=True)
def _fresh_store():
    lookups.clear()
    yield
    lookups.clear()


@pytest.fixture
def medic(db) -> User:
    return User.objects.create_user(
        username="medic", password="test-pass-1234!", is_therapist=True, may_break_glass=True
    )


@pytest.fixture
def gone(db) -> User:
    return User.objects.create_user(
        username="gone", password="test-pass-1234!", is_therapist=True, is_active=False
    )


def _answer(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except access.OutOfScope:
        return "404"


def test_every_reader_gets_the_answer_of_the_access_function_it_stands_for(
    make_client, make_note, treating, colleague, desk, owner, records_officer, medic, gone, client_record
):
    client_record.care_team.add(owner)
    elsewhere = make_client(colleague)
    services.emergency_access_start(user=medic, client=elsewhere, reason=REASON)
    notes = [make_note(), make_note(client=elsewhere, by=colleague)]
    clients = [client_record, elsewhere]
    readers = (treating, colleague, desk, owner, records_officer, medic, gone)
    for _round in range(2):  # the first call compiles, the second runs the compiled SQL
        for user in readers:
            for client in clients:
                stamp = _answer(access.client_stamp_for_user, user, client.pk)
                full = _answer(access.get_client_for_user, user, client.pk, with_clinical=True)
                if full == "404":
                    assert stamp == "404", (user.username, client.pk)
                    continue
                assert (stamp.pk, stamp.client_id, stamp.record_version, stamp.clinical) == (
                    full.pk,
                    full.pk,
                    full.record_version,
                    full.clinical,
                ), (user.username, client.pk)
            for note in notes:
                stamp = _answer(note_stamp_for_user, user, note.pk)
                full = _answer(get_note_for_user, user, note.pk)
                if full == "404":
                    assert stamp == "404", (user.username, note.pk)
                    continue
                assert (stamp.pk, stamp.client_id, stamp.record_version) == (
                    full.pk,
                    full.client_id,
                    full.client.record_version,
                ), (user.username, note.pk)
    # The assessment and program pages' stamps, likewise.
    from assessments.access import assessment_stamp_for_user, get_assessment_for_user
    from assessments.models import Assessment

    assessments = list(Assessment.objects.all()[:2])
    for user in readers:
        for client in clients:
            stamp = _answer(access.clinical_client_stamp_for_user, user, client.pk)
            full = _answer(access.get_clinical_client_for_user, user, client.pk)
            if full == "404":
                assert stamp == "404", (user.username, client.pk)
            else:
                assert (stamp.pk, stamp.record_version) == (full.pk, full.record_version)
        for assessment in assessments:
            stamp = _answer(assessment_stamp_for_user, user, assessment.pk)
            full = _answer(get_assessment_for_user, user, assessment.pk)
            if full == "404":
                assert stamp == "404", (user.username, assessment.pk)
            else:
                assert (stamp.pk, stamp.client_id) == (full.pk, full.client_id)
    for bad in ("abc", "-1", "0", str(2**70), note.pk + 1000):
        with pytest.raises(Exception) as caught:
            note_stamp_for_user(treating, bad)
        assert caught.value.__class__.__name__ in ("Http404", "OutOfScope")


def test_a_shape_with_a_time_in_it_is_never_reused(medic, make_client, treating):
    """An emergency grant is checked against the clock: that lookup is compiled afresh
    every time (the ORM's own path), so a lapsed grant is out at once."""
    client = make_client(treating)
    grant = services.emergency_access_start(user=medic, client=client, reason=REASON)
    assert access.client_stamp_for_user(medic, client.pk).pk == client.pk
    entries = list(lookups._store.values())
    assert entries and all(isinstance(e, _Fallback) for e in entries)
    now = timezone.now()
    type(grant).objects.filter(pk=grant.pk).update(
        started_at=now - timedelta(hours=2), expires_at=now - timedelta(hours=1)
    )
    with pytest.raises(access.OutOfScope):
        access.client_stamp_for_user(medic, client.pk)


def test_a_therapists_lookup_is_compiled_once_and_follows_a_change_of_role(
    client_record, make_client, colleague, treating, django_assert_num_queries
):
    access.client_stamp_for_user(treating, client_record.pk)
    compiled = [e for e in lookups._store.values() if not isinstance(e, _Fallback)]
    assert len(compiled) == 1
    with django_assert_num_queries(1):
        assert access.client_stamp_for_user(treating, client_record.pk).clinical is True
    other = make_client(colleague)
    with pytest.raises(access.OutOfScope):
        access.client_stamp_for_user(treating, other.pk)
    # Made an admin: every client's details, clinical content only of their own.
    treating.is_clinic_admin = True
    treating.save(update_fields=["is_clinic_admin"])
    assert access.client_stamp_for_user(treating, other.pk).clinical is False
    assert access.client_stamp_for_user(treating, client_record.pk).clinical is True
    if connection.vendor == "postgresql":
        assert len([e for e in lookups._store.values() if not isinstance(e, _Fallback)]) >= 1
