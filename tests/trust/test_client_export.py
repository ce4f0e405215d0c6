"""The complete single-client export: every record type in one JSON document
and one PDF, for records officers and the care team (never a plain front-desk
admin), audited, following the published schema (PAT-1)."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AuditEvent
from clinic import services
from tests.trust.jsonschema_lite import validate

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(settings.BASE_DIR) / "docs" / "export-schema.json").read_text())
COMPLETE_NOTE = {
    "screen_changed": "no",
    "chief_complaint": "Left heel pain on first steps.",
    "nprs_first_step": 6,
    "nprs_rest": 2,
    "nprs_worst_24h": 7,
    "objective": "Calf tone increased; WBLT 6 cm left.",
    "analysis": "Load-related plantar heel pain picture.",
    "plan_next": "Re-test WBLT; progress calf work.",
    "goals": "First-step pain 2/10 within 6 weeks.",
    "frequency": "Weekly",
}


@pytest.fixture(autouse=True)
def reauthenticated(as_records_officer):
    """Exports ask for the password again; this records officer has just given it."""
    import time

    session = as_records_officer.session
    session["kc_reauth_at"] = time.time()
    session.save()


@pytest.fixture
def full_record(client_record, treating, desk, screened):
    """A client with every record type, built through the services."""
    from notes import services as note_services
    from tests.trust import objects

    services.client_update(
        client=client_record, by=desk, data={"occupation": "Nurse"}, version=client_record.version
    )
    screened(yes={"anticoagulant": "Apixaban"})
    services.disclosure_record(
        client=client_record,
        by=desk,
        disclosed_on=timezone.localdate(),
        recipient_name="Acme Insurance",
        description="Visit notes",
        purpose="Insurance claim",
    )
    built = objects.build_all(client=client_record, therapist=treating)
    assert built["errors"] == {}, built["errors"]
    note = note_services.note_create(
        client=client_record,
        by=treating,
        service_at=timezone.now() - timedelta(hours=3),
        template="",
        copy_forward=False,
    )
    note = note_services.note_update(note=note, by=treating, data=COMPLETE_NOTE, version=note.version)
    from notes.models import BodyRegion, Technique

    note_services.treatment_add(
        note=note,
        by=treating,
        data={
            "technique": Technique.objects.order_by("id").first(),
            "region": BodyRegion.objects.order_by("id").first(),
            "side": "L",
            "minutes": 15,
            "pressure": 3,
            "response": "eased",
        },
    )
    note = note_services.note_sign(note=note, by=treating)
    addendum = note_services.amendment_add(
        note=note, by=treating, kind="addendum", reason="Client phoned", text="Pain eased overnight."
    )
    built.update({"signed_note": note.pk, "addendum": addendum.pk})
    return built


def _json_export(http, client):
    response = http.get(f"/clients/{client.pk}/export.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    return json.loads(response.content)


def test_the_json_export_holds_every_record_type_once_and_follows_the_schema(
    as_records_officer, client_record, full_record
):
    data = _json_export(as_records_officer, client_record)
    assert validate(data, SCHEMA) == []
    records = data["records"]
    for label in (
        "clinic.healthscreen",
        "clinic.screenanswer",
        "clinic.consent",
        "clinic.historicalclient",
        "clinic.disclosure",
        "assessments.assessment",
        "notes.visitnote",
        "notes.amendment",
        "notes.treatment",
        "programs.programversion",
        "programs.programitem",
    ):
        assert records.get(label), f"no {label} in the export"
    for label, rows in records.items():
        ids = [r["id"] for r in rows]
        assert len(ids) == len(set(ids)), f"{label} repeats a record"
    notes = {r["id"]: r for r in records["notes.visitnote"]}
    assert full_record["signed_note"] in notes and full_record["note"] in notes
    assert notes[full_record["signed_note"]]["fields"]["signed_at"]
    addendum = next(r for r in records["notes.amendment"] if r["id"] == full_record["addendum"])
    assert addendum["fields"]["note"] == full_record["signed_note"]
    assert addendum["fields"]["text"] == "Pain eased overnight."
    assert {r["id"] for r in records["assessments.assessment"]} == {full_record["assessment"]}
    assert full_record["program_version"] in {r["id"] for r in records["programs.programversion"]}
    assert data["client"]["fields"]["occupation"] == "Nurse"
    assert str(data["client"]["fields"]["primary_therapist"]) in data["references"]["clinic.user"]
    # The client's audit trail, complete and in order.
    expected = list(
        AuditEvent.objects.for_client(client_record.pk).order_by("id").values_list("id", flat=True)
    )
    assert [e["id"] for e in data["audit_events"]] == expected[: len(data["audit_events"])]
    assert len(data["audit_events"]) >= len(expected) - 1


def test_nothing_of_another_client_leaks_into_the_export(
    as_records_officer, client_record, full_record, make_client, colleague
):
    from tests.trust import objects

    other = make_client(colleague, last_name="Elsewhere")
    objects.build_all(client=other, therapist=colleague)
    data = _json_export(as_records_officer, client_record)
    text = json.dumps(data)
    assert "Elsewhere" not in text
    assert all(e["action"] for e in data["audit_events"])
    assert {e.get("id") for e in data["audit_events"]}.isdisjoint(
        set(AuditEvent.objects.for_client(other.pk).values_list("id", flat=True))
    )


def test_the_pdf_export_holds_the_same_record_readably(as_records_officer, client_record, full_record):
    response = as_records_officer.get(f"/clients/{client_record.pk}/export.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    assert "Priya Raman" in text
    assert "Pain eased overnight." in text
    assert "Left heel pain on first steps." in text
    assert "Audit: who opened or changed this record" in text
    assert f"Page 1 of {len(reader.pages)}" in text


def _reauthenticated(http):
    import time

    session = http.session
    session["kc_reauth_at"] = time.time()
    session.save()
    return http


def test_records_officers_and_the_care_team_export_a_front_desk_admin_does_not(
    as_records_officer, as_treating, as_colleague, as_desk, anon, client_record, records_officer, treating
):
    """The complete record is clinical content: a plain front-desk admin and a therapist
    outside the care team get 404, as on every clinical page; the treating therapist and
    a records officer export, and every export is audited."""
    for http in (as_desk, as_colleague):
        _reauthenticated(http)
        for fmt in ("json", "pdf"):
            assert http.get(f"/clients/{client_record.pk}/export.{fmt}").status_code == 404
    assert as_desk.get("/exports/confirm/").status_code == 404
    assert anon.get(f"/clients/{client_record.pk}/export.json").status_code == 302
    assert not AuditEvent.objects.filter(action="export").exists()
    for http, user in ((as_records_officer, records_officer), (_reauthenticated(as_treating), treating)):
        for fmt in ("json", "pdf"):
            assert http.get(f"/clients/{client_record.pk}/export.{fmt}").status_code == 200
        formats = set(
            AuditEvent.objects.filter(actor=user, action="export", client_id=client_record.pk).values_list(
                "detail__format", flat=True
            )
        )
        assert formats == {"json", "pdf"}


def test_the_chart_offers_export_only_to_those_who_may(
    as_records_officer, as_treating, as_desk, client_record
):
    url = f"/clients/{client_record.pk}/"
    assert 'id="export-pdf"' not in as_desk.get(url).content.decode()
    for http in (as_records_officer, as_treating):
        assert 'id="export-pdf"' in http.get(url).content.decode()


def test_naming_a_records_officer_is_an_audited_role_change(desk, treating):
    services.user_update(user=treating, by=desk, data={"is_records_officer": True})
    event = AuditEvent.objects.get(action="role_change", object_id=str(treating.pk))
    assert event.detail["changed"]["is_records_officer"] == [False, True]
    treating.refresh_from_db()
    assert treating.role_label == "Therapist + Records officer"


def test_markup_in_the_record_is_literal_text_in_the_export_pdf(as_records_officer, make_client, treating):
    payload = '<b>bold</b><img src="http://127.0.0.1:9/x"/>'
    client = make_client(treating, first_name="Mark", last_name="Up", goals=payload)
    response = as_records_officer.get(f"/clients/{client.pk}/export.pdf")
    text = re.sub(
        r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    )
    assert payload in text


def test_the_export_command_writes_json_and_is_audited(client_record, records_officer, desk, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "record.json"
    call_command(
        "export_client", str(client_record.pk), "--output", str(out), "--by", "officer", stdout=io.StringIO()
    )
    data = json.loads(out.read_text())
    assert validate(data, SCHEMA) == []
    assert AuditEvent.objects.filter(
        action="export", client_id=client_record.pk, detail__via="command"
    ).exists()


def test_render_sample_pdf_for_review(as_records_officer, client_record, full_record):
    out = Path(settings.BASE_DIR) / "test-output" / "trust"
    out.mkdir(parents=True, exist_ok=True)
    (out / "client-export.pdf").write_bytes(
        as_records_officer.get(f"/clients/{client_record.pk}/export.pdf").content
    )


def test_an_export_asks_for_the_password_again_after_a_few_minutes(
    as_records_officer, client_record, records_officer, monkeypatch
):
    import time

    real = time.time
    monkeypatch.setattr("trust.auth.time.time", lambda: real() + 10 * 60)
    response = as_records_officer.get(f"/clients/{client_record.pk}/export.json")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauth/")
    wrong = as_records_officer.post("/accounts/reauth/", {"password": "not-it"})
    assert wrong.status_code == 200
    ok = as_records_officer.post(
        f"/accounts/reauth/?next=/clients/{client_record.pk}/export.json", {"password": "test-pass-1234!"}
    )
    assert ok["Location"] == f"/clients/{client_record.pk}/export.json"
    assert as_records_officer.get(ok["Location"]).status_code == 200
    assert AuditEvent.objects.filter(actor=records_officer, action="reauth").exists()
    assert AuditEvent.objects.filter(actor=records_officer, action="reauth_failed", outcome="denied").exists()
