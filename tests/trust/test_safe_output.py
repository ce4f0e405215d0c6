"""Every payload through every free-text field of the client and intake forms
comes out inert: escaped in HTML pages and the Django admin, literal text in
PDFs, formula-neutralised in CSV (IO-1, IO-3, IO-4)."""

from __future__ import annotations

import html
import io
import re
import socket
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone
from pypdf import PdfReader

from clinic.forms import ClientForm, HealthScreenForm
from clinic.models import Client, HealthScreen
from clinic.screening import QUESTIONS
from notes import services
from tests.trust.payloads import PAYLOADS
from tests.trust.test_headers import ScriptAudit

pytestmark = pytest.mark.django_db

CLIENT_TEXT_FIELDS = [
    name
    for name, field in ClientForm.base_fields.items()
    if field.__class__.__name__ == "CharField" and name not in ("email",)
]
INTAKE_TEXT_FIELDS = ["medications", "notes"] + [f"d_{q.code}" for q in QUESTIONS]


def _fit(text: str, field) -> str:
    limit = getattr(field, "max_length", None)
    return text[:limit] if limit else text


def _create_client_through_the_form(as_desk, treating, payload: str, n: int) -> Client:
    fields = ClientForm.base_fields
    data = {name: _fit(payload, fields[name]) for name in CLIENT_TEXT_FIELDS}
    data.update(
        {
            "last_name": f"Xss{n}",
            "date_of_birth": "1980-02-03",
            "sex": "U",
            "involved_side": "L",
            "primary_therapist": treating.pk,
            "care_team": [treating.pk],
            "confirm_duplicate": "1",
        }
    )
    response = as_desk.post("/clients/new/", data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    return Client.objects.get(last_name=f"Xss{n}")


def _record_intake_through_the_form(as_treating, client: Client, payload: str) -> None:
    form_fields = HealthScreenForm().fields
    data = {f"q_{q.code}": "yes" for q in QUESTIONS}
    data.update({name: _fit(payload, form_fields[name]) for name in INTAKE_TEXT_FIELDS})
    data["consent_given"] = "on"
    data["pregnancy_stage"] = "t2"  # every question is answered yes, pregnancy included
    response = as_treating.post(f"/clients/{client.pk}/intake/", data)
    assert response.status_code == 302, response.context and response.context["form"].errors


def _assert_inert_html(body: str, payload: str, where: str, *, shown: bool) -> None:
    audit = ScriptAudit()
    audit.feed(body)
    assert audit.inline_scripts == [], (where, payload)
    assert audit.handlers == [], (where, payload)
    if any(ch in payload for ch in '<>"'):
        assert payload not in body, (where, payload)  # never verbatim ...
    if shown:  # ... but visibly there, as text
        escaped = {html.escape(payload, quote=False)[:20], html.escape(payload)[:20]}
        assert any(e in body for e in escaped), (where, payload)


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    assert not reader.attachments  # no embedded files
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def no_network(monkeypatch):
    """Any outbound connection during rendering fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("rendering tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def staff_owner(owner):
    owner.is_staff = owner.is_superuser = True
    owner.save()
    http = HttpClient()
    http.force_login(owner)
    return http


@pytest.mark.parametrize("n", range(len(PAYLOADS)))
def test_payloads_in_client_and_intake_fields_come_out_inert_everywhere(
    n, as_desk, as_treating, staff_owner, treating, no_network
):
    payload = PAYLOADS[n]
    client = _create_client_through_the_form(as_desk, treating, payload, n)
    _record_intake_through_the_form(as_treating, client, payload)
    screen = HealthScreen.objects.latest_for(client)
    assert screen.medications == _fit(payload, HealthScreenForm().fields["medications"])
    assert client.occupation == _fit(payload, ClientForm.base_fields["occupation"])

    # (who, page, whether the payload must be visible there as text)
    pages = [
        (as_treating, f"/clients/{client.pk}/", True),
        (as_treating, f"/clients/{client.pk}/edit/", True),
        (as_treating, f"/clients/{client.pk}/intake/", True),
        (as_treating, "/clients/?status=all", True),
        (as_treating, "/", False),
        (as_desk, f"/clients/{client.pk}/", True),
        (as_desk, "/clients/?status=all", True),
        (as_desk, f"/audit/?client={client.pk}", False),
        (staff_owner, f"/admin/clinic/client/{client.pk}/change/", True),
        (staff_owner, "/admin/clinic/client/", True),
        (staff_owner, f"/admin/clinic/client/{client.pk}/history/", False),
    ]
    for http, path, shown in pages:
        response = http.get(path)
        assert response.status_code == 200, path
        _assert_inert_html(response.content.decode(), payload, path, shown=shown)


def _note_pdf(client, therapist, http) -> bytes:
    note = services.note_create(
        client=client,
        by=therapist,
        service_at=timezone.now() - timedelta(hours=1),
        template="",
        copy_forward=False,
    )
    response = http.get(f"/notes/{note.pk}/pdf/")
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("n", range(len(PAYLOADS)))
def test_a_client_name_payload_is_literal_text_in_the_visit_note_pdf(
    n, as_desk, as_treating, treating, no_network
):
    payload = PAYLOADS[n]
    client = _create_client_through_the_form(as_desk, treating, payload, n)
    pdf = _note_pdf(client, treating, as_treating)
    text = _pdf_text(pdf)
    assert re.sub(r"\s+", " ", payload[:80]) in text, (payload, text[:300])


def test_the_export_pdf_and_csv_helpers_neutralise_markup_and_formulas():
    from core.csvsafe import csv_bytes
    from core.pdf import esc

    for payload in PAYLOADS:
        assert "<" not in esc(payload)
    body = csv_bytes(["value"], [[p] for p in PAYLOADS]).decode("utf-8-sig")
    import csv as csvmod

    cells = [row[0] for row in csvmod.reader(io.StringIO(body))][1:]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


DISCLOSURE_TEXT_FIELDS = ["recipient_name", "recipient_address", "description", "purpose"]


@pytest.mark.parametrize("n", range(len(PAYLOADS)))
def test_payloads_in_disclosure_fields_come_out_inert_in_the_pages_and_literal_in_the_pdf(
    n, as_desk, client_record, no_network
):
    from django.utils import timezone

    from clinic.models import Disclosure
    from trust.forms import DisclosureForm

    payload = PAYLOADS[n]
    fields = DisclosureForm.base_fields
    data = {name: _fit(payload, fields[name]) for name in DISCLOSURE_TEXT_FIELDS}
    data["disclosed_on"] = timezone.localdate().isoformat()
    response = as_desk.post(f"/clients/{client_record.pk}/disclosures/new/", data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    disclosure = Disclosure.objects.get(client=client_record)
    assert disclosure.purpose == payload.strip()
    for path, shown in (
        (f"/clients/{client_record.pk}/disclosures/", True),
        (f"/clients/{client_record.pk}/", False),
        (f"/audit/?client={client_record.pk}", False),
    ):
        response = as_desk.get(path)
        assert response.status_code == 200, path
        _assert_inert_html(response.content.decode(), payload, path, shown=shown)
    pdf = as_desk.get(f"/clients/{client_record.pk}/disclosures/accounting.pdf")
    assert re.sub(r"\s+", " ", payload.strip()) in _pdf_text(pdf.content)
