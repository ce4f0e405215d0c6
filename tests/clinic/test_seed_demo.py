"""seed_demo: the demo clinic loads, and loading it twice changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

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
    _the_red_flag_client_cannot_have_calf_treatment()


def _the_red_flag_client_cannot_have_calf_treatment():
    from django.utils import timezone

    from notes import services as notes_services
    from notes.models import BodyRegion, Technique, Treatment, VisitNote

    george = Client.objects.get(first_name="George", last_name="Mensah")
    calf = BodyRegion.objects.get(code="soleus")
    assert not Treatment.objects.filter(note__client=george, region=calf).exists()
    assert all(n.referrals for n in VisitNote.objects.filter(client=george, signed_at__isnull=False))
    therapist2 = User.objects.get(username="therapist2")
    note = notes_services.note_create(client=george, by=therapist2, service_at=timezone.now())
    data = {
        "technique": Technique.objects.get(code="sports_massage"),
        "region": calf,
        "side": "L",
        "minutes": 10,
        "pressure": 3,
    }
    with pytest.raises(notes_services.InterlockRefused, match="blood clot"):
        notes_services.treatment_add(note=note, by=therapist2, data=data)
    assert not note.treatments.exists()


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


def test_the_demo_has_one_historical_signed_note_with_a_safety_override():
    """A clinic trying the demo sees how an override shows on the note page, the
    PDF and the audit log."""
    import io

    from django.test import Client as HttpClient
    from django.urls import reverse
    from pypdf import PdfReader

    from audit.models import AuditEvent
    from notes.demo import OVERRIDE_REASON
    from notes.models import SafetyOverride

    call_command("seed_demo", stdout=None)
    override = SafetyOverride.objects.select_related("note", "note__client").get()
    note = override.note
    assert (note.client.first_name, note.client.last_name) == ("Fatima", "El-Sayed")
    assert note.is_signed and override.recheck_confirmed and override.reason == OVERRIDE_REASON
    assert override.at < note.signed_at < note.service_at + timedelta(days=1)
    assert note.service_at < timezone.now() - timedelta(weeks=2)  # historical, not today's work
    http = HttpClient()
    http.force_login(note.therapist)
    page = http.get(reverse("note_detail", args=[note.pk])).content.decode()
    assert 'id="overrides"' in page and "right calf only" in page
    pdf = http.get(reverse("note_pdf", args=[note.pk]))
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Safety overrides" in text and "right calf only" in text
    assert AuditEvent.objects.filter(action="safety_override", client_id=note.client_id).count() == 1
    admin = User.objects.get(username="admin")
    http.force_login(admin)
    audit = http.get(reverse("audit_list"), {"action": "safety_override"}).content.decode()
    assert "El-Sayed" in audit or "Fatima" in audit
    # Seeding again adds no second override.
    call_command("seed_demo", stdout=None)
    assert SafetyOverride.objects.count() == 1


def test_the_demo_has_one_client_discharged_with_an_outcome_table():
    """Grace Adeyemi's latest episode ends with a signed discharge note: a reason,
    and baseline vs discharge from her visits and her signed assessments."""
    from notes import selectors
    from notes.models import VisitNote

    call_command("seed_demo", stdout=None)
    grace = Client.objects.get(first_name="Grace", last_name="Adeyemi")
    summary = selectors.latest_discharge(grace)
    assert summary is not None and summary.reason == "Goals met"
    assert summary.note.is_signed and summary.note.discharge_outcome
    rows = {row.measure: row for row in summary.rows}
    pain = rows["First-step pain (NPRS)"]
    assert (pain.baseline, pain.latest, pain.reached) == ("7", "1", True)
    assert "Lower Extremity Functional Scale (LEFS)" in rows
    assert all(row.latest for row in rows.values())
    assert VisitNote.objects.filter(kind="discharge", signed_at__isnull=False).count() == 1
