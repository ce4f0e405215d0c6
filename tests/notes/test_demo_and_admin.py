"""Demo visits are idempotent; note content never appears in the Django admin."""

from __future__ import annotations

from django.contrib import admin

from notes import demo
from notes.models import Amendment, PalpationFinding, Treatment, VisitNote


def test_demo_seed_gives_each_client_signed_visits_and_is_idempotent(make_client, treating, colleague):
    clients = [make_client(treating), make_client(treating), make_client(colleague)]
    demo.seed(clients=clients, therapists=[treating, colleague])
    counts = (VisitNote.objects.count(), Treatment.objects.count(), Amendment.objects.count())
    for client in clients:
        assert VisitNote.objects.filter(client=client, signed_at__isnull=False).count() >= 4
    assert VisitNote.objects.filter(signed_at__isnull=True).count() == 2  # one draft per therapist
    assert not VisitNote.objects.filter(late_entry=True).exists()
    demo.seed(clients=clients, therapists=[treating, colleague])
    assert (VisitNote.objects.count(), Treatment.objects.count(), Amendment.objects.count()) == counts


def test_clinical_note_models_are_not_in_the_django_admin():
    for model in (VisitNote, Treatment, PalpationFinding, Amendment):
        assert model not in admin.site._registry
