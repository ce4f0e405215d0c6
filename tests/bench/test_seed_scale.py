"""seed_scale: the benchmark's synthetic clinic, run tiny on the test database."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import F

from clinic.models import Client, User
from core.records import RecordLocked

COUNTS = {"clients": 30, "notes": 200, "assessments": 50, "programs": 20}


def _seed(**overrides):
    options = {**COUNTS, **overrides}
    call_command("seed_scale", *[f"--{name}={value}" for name, value in options.items()], stdout=_Null())


class _Null:
    def write(self, *args, **kwargs):
        pass


@pytest.mark.django_db
def test_tiny_run_loads_the_requested_counts():
    from assessments.models import Assessment, Measurement
    from notes.models import Treatment, VisitNote
    from programs.models import ProgramItem, ProgramVersion

    _seed()

    assert Client.objects.count() == 30
    assert User.objects.filter(username__startswith="bench-t", is_therapist=True).count() == 6
    assert VisitNote.objects.count() == 200
    assert Assessment.objects.count() == 50
    assert ProgramVersion.objects.count() == 20
    # Every note has a treatment log, every assessment measurements, every version items.
    assert Treatment.objects.values("note").distinct().count() == 200
    assert Measurement.objects.values("assessment").distinct().count() == 50
    assert ProgramItem.objects.values("version").distinct().count() == 20
    # Every client is on its primary therapist's care team.
    assert not Client.objects.exclude(care_team=F("primary_therapist")).exists()


@pytest.mark.django_db
def test_records_are_signed_after_their_children_and_stay_locked():
    from assessments.models import Assessment
    from notes.models import Treatment, VisitNote
    from programs.models import ProgramVersion

    _seed()

    signed = VisitNote.objects.signed()
    # All but a few latest-visit drafts are signed; every issued program is numbered.
    assert signed.count() >= 190
    assert not ProgramVersion.objects.drafts().exists()
    assert list(ProgramVersion.objects.values_list("number", flat=True).distinct()) != [None]
    # A signed note's assessment is signed with it.
    assert not Assessment.objects.drafts().filter(visit_note__signed_at__isnull=False).exists()
    # The database refuses to change a signed note's treatment rows.
    note = signed.filter(treatments__isnull=False).first()
    with pytest.raises(DatabaseError, match="kc_locked"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE notes_treatment SET minutes = 1 WHERE note_id = %s", [note.pk])
    with pytest.raises(RecordLocked):
        Treatment.objects.filter(note=note).update(minutes=1)


@pytest.mark.django_db
def test_visits_lie_in_the_past_and_long_histories_exist():
    from django.db.models import Count
    from django.utils import timezone

    from notes.models import VisitNote

    _seed(clients=20, notes=400)

    assert not VisitNote.objects.filter(service_at__gt=timezone.now()).exists()
    busiest = Client.objects.annotate(n=Count("visit_notes")).order_by("-n").first()
    assert busiest.n >= 20


@pytest.mark.django_db
def test_a_second_run_on_the_same_database_is_refused():
    _seed(clients=5, notes=10, assessments=2, programs=1)
    with pytest.raises(CommandError):
        _seed(clients=5, notes=10, assessments=2, programs=1)


@pytest.mark.django_db
def test_signed_notes_carry_the_hash_the_product_takes_at_signing():
    """A seeded signed note reads as intact, as a note signed in the product does:
    no tamper warning and no security audit row on its page."""
    from audit.models import AuditEvent
    from notes.models import VisitNote
    from notes.services import note_verify, signed_notes_verify

    call_command("seed_scale", "--small", stdout=_Null())

    signed = list(VisitNote.objects.signed())
    assert len(signed) >= 300
    assert all(len(note.content_hash) == 64 for note in signed)
    assert all(note.signed_by_id and note.signature_line for note in signed)
    assert [note.pk for note in signed if not note_verify(note)] == []
    assert signed_notes_verify() == []
    # Drafts are not signed and carry no hash.
    assert not VisitNote.objects.filter(signed_at__isnull=True).exclude(content_hash="").exists()
    assert not AuditEvent.objects.filter(action="signature_mismatch").exists()
