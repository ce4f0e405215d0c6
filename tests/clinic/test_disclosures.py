"""The disclosure log and the client's accounting of disclosures (PAT-4; 45 CFR
164.528): date, recipient, what was released and why; refused without a
recipient or a purpose or with a future date; listed for the last six years;
printable; admins only; audited; insert-only at every layer."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AuditEvent
from clinic import services
from clinic.models import ClinicProfile, Disclosure, accounting_start
from core.records import RecordLocked

from .helpers import BACKGROUND, SIGNED_IN_FLOOR, audit_queries, audit_rows

pytestmark = pytest.mark.django_db


def _years_ago(years: int, days: int = 0) -> date:
    """``years`` is 0 (today), 6 (the first day the accounting covers) or 7."""
    today = timezone.localdate()
    start = {0: today, 6: accounting_start(today), 7: today - timedelta(days=7 * 366)}[years]
    return start - timedelta(days=days)


def _pdf_text(content: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))


def _form(**overrides) -> dict:
    data = {
        "disclosed_on": timezone.localdate().isoformat(),
        "recipient_name": "Hale & Partners Solicitors",
        "recipient_address": "12 Chancery Lane\nLondon WC2A 1LS",
        "description": "Visit notes from March to June",
        "purpose": "Personal injury claim; client's signed authorisation of 2 May",
        "export_event_id": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def disclose(client_record, desk):
    """Builder: record a disclosure through the service."""

    def build(client=None, **fields) -> Disclosure:
        data = {
            "disclosed_on": timezone.localdate(),
            "recipient_name": "Acme Insurance",
            "description": "Treatment summary",
            "purpose": "Insurance claim",
            **fields,
        }
        return services.disclosure_record(client=client or client_record, by=desk, **data)

    return build


# --- Recording ------------------------------------------------------------------------------


def test_an_admin_records_a_disclosure_from_the_form(as_desk, client_record, desk):
    response = as_desk.post(f"/clients/{client_record.pk}/disclosures/new/", _form())
    assert response.status_code == 302
    assert response["Location"] == f"/clients/{client_record.pk}/disclosures/"
    disclosure = Disclosure.objects.get(client=client_record)
    assert disclosure.recipient_name == "Hale & Partners Solicitors"
    assert disclosure.recipient_address == "12 Chancery Lane\nLondon WC2A 1LS"
    assert disclosure.description == "Visit notes from March to June"
    assert disclosure.purpose.startswith("Personal injury claim")
    assert disclosure.disclosed_on == timezone.localdate()
    assert disclosure.recorded_by == desk
    assert disclosure.recorded_at is not None
    rows = audit_rows(action="disclose")
    assert len(rows) == 1
    assert (rows[0].actor, rows[0].client_id, rows[0].object_id) == (
        desk,
        client_record.pk,
        str(disclosure.pk),
    )
    assert rows[0].object_type == "clinic.disclosure"


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("recipient_name", "Name the recipient."),
        ("purpose", "Give the purpose of the disclosure"),
        ("description", "Describe what was released."),
    ],
)
@pytest.mark.parametrize("blank", ["", "   "])
def test_a_disclosure_without_recipient_purpose_or_description_is_refused_next_to_the_field(
    as_desk, client_record, field, message, blank
):
    response = as_desk.post(f"/clients/{client_record.pk}/disclosures/new/", _form(**{field: blank}))
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert message in form.errors[field][0]
    assert message in response.content.decode()
    assert not Disclosure.objects.exists()
    assert not AuditEvent.objects.filter(action="disclose").exists()


def test_a_future_date_is_refused(as_desk, client_record):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = as_desk.post(
        f"/clients/{client_record.pk}/disclosures/new/", _form(disclosed_on=tomorrow.isoformat())
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.context["form"].errors["disclosed_on"][0]
    assert not Disclosure.objects.exists()


def test_the_service_refuses_missing_fields_and_a_future_date_too(client_record, desk, disclose):
    for field in ("recipient_name", "purpose", "description"):
        with pytest.raises(ValidationError) as exc:
            disclose(**{field: "  "})
        assert field in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        disclose(disclosed_on=timezone.localdate() + timedelta(days=1))
    assert "disclosed_on" in exc.value.message_dict
    assert not Disclosure.objects.exists()


def test_only_an_admin_may_record_through_the_service(client_record, treating):
    with pytest.raises(ValidationError):
        services.disclosure_record(
            client=client_record,
            by=treating,
            disclosed_on=timezone.localdate(),
            recipient_name="X",
            description="Y",
            purpose="Z",
        )
    assert not Disclosure.objects.exists()


def test_the_export_event_must_be_an_export_of_this_client(
    as_desk, client_record, make_client, treating, desk
):
    other = make_client(treating, last_name="Other")
    from audit.log import audit_record

    theirs = audit_record(actor=desk, action="export", client=other, target=other)
    not_export = audit_record(actor=desk, action="view", client=client_record, target=client_record)
    ours = audit_record(actor=desk, action="export", client=client_record, target=client_record)
    url = f"/clients/{client_record.pk}/disclosures/new/"
    for event in (theirs, not_export):
        response = as_desk.post(url, _form(export_event_id=str(event.pk)))
        assert response.status_code == 400
        assert list(response.context["form"].errors) == ["export_event_id"]
    assert not Disclosure.objects.exists()
    assert as_desk.post(url, _form(export_event_id=str(ours.pk))).status_code == 302
    assert Disclosure.objects.get().export_event_id == ours.pk


@pytest.mark.parametrize("value", ["abc", "-1", "0", "99999999999999999999999", "2026-13-40"])
def test_nonsense_input_is_a_form_error_not_a_crash(as_desk, client_record, value):
    response = as_desk.post(
        f"/clients/{client_record.pk}/disclosures/new/",
        _form(export_event_id=value, disclosed_on=value),
    )
    assert response.status_code == 400
    assert not Disclosure.objects.exists()


# --- Insert-only --------------------------------------------------------------------------


def test_the_model_and_queryset_refuse_update_and_delete(disclose):
    disclosure = disclose()
    loaded = Disclosure.objects.get(pk=disclosure.pk)
    loaded.purpose = "rewritten"
    with pytest.raises(RecordLocked):
        loaded.save()
    with pytest.raises(RecordLocked):
        loaded.delete()
    with pytest.raises(RecordLocked):
        Disclosure.objects.filter(pk=disclosure.pk).update(purpose="rewritten")
    with pytest.raises(RecordLocked):
        Disclosure.objects.filter(pk=disclosure.pk).delete()
    assert Disclosure.objects.get(pk=disclosure.pk).purpose == "Insurance claim"


def test_the_database_refuses_update_and_delete_too(disclose):
    disclosure = disclose()
    for sql, params in (
        ("UPDATE clinic_disclosure SET purpose = %s WHERE id = %s", ["rewritten", disclosure.pk]),
        ("DELETE FROM clinic_disclosure WHERE id = %s", [disclosure.pk]),
    ):
        with (
            pytest.raises(DatabaseError, match="kc_locked"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, params)
    assert Disclosure.objects.get(pk=disclosure.pk).purpose == "Insurance claim"


def test_there_is_no_edit_or_delete_route(as_desk, disclose, client_record):
    disclosure = disclose()
    from django.urls import NoReverseMatch, reverse

    for name in ("disclosure_edit", "disclosure_delete", "disclosure_detail"):
        with pytest.raises(NoReverseMatch):
            reverse(name, args=[disclosure.pk])
    # The list page takes no writes.
    assert as_desk.post(f"/clients/{client_record.pk}/disclosures/").status_code == 405


# --- The accounting ------------------------------------------------------------------------


def test_the_accounting_lists_the_last_six_years_only_newest_first(as_desk, client_record, disclose):
    seven = disclose(recipient_name="Seven Years Ago Ltd", disclosed_on=_years_ago(7))
    edge_out = disclose(recipient_name="Just Too Old LLP", disclosed_on=_years_ago(6, days=1))
    edge_in = disclose(recipient_name="Exactly Six Years LLP", disclosed_on=_years_ago(6))
    recent = disclose(recipient_name="Last Month Insurance", disclosed_on=_years_ago(0, days=30))
    today = disclose(recipient_name="Today Solicitors")
    response = as_desk.get(f"/clients/{client_record.pk}/disclosures/")
    assert response.status_code == 200
    assert [d.pk for d in response.context["disclosures"]] == [today.pk, recent.pk, edge_in.pk]
    body = response.content.decode()
    assert "Today Solicitors" in body and "Exactly Six Years LLP" in body
    assert "Seven Years Ago Ltd" not in body and "Just Too Old LLP" not in body
    # Kept in the log, only left out of the accounting.
    assert Disclosure.objects.filter(pk__in=[seven.pk, edge_out.pk]).count() == 2


def test_the_accounting_shows_only_this_clients_disclosures(
    as_desk, client_record, make_client, treating, disclose
):
    other = make_client(treating, last_name="Elsewhere")
    disclose(client=other, recipient_name="Not Priyas Insurer")
    mine = disclose(recipient_name="Priyas Insurer")
    response = as_desk.get(f"/clients/{client_record.pk}/disclosures/")
    assert [d.pk for d in response.context["disclosures"]] == [mine.pk]
    assert "Not Priyas Insurer" not in response.content.decode()


def test_six_years_back_from_a_leap_day_is_the_28th_of_february():
    assert accounting_start(date(2028, 2, 29)) == date(2022, 2, 28)
    assert accounting_start(date(2026, 11, 24)) == date(2020, 11, 24)


def test_the_accounting_pages_by_25(as_desk, client_record, disclose):
    for n in range(27):
        disclose(recipient_name=f"Recipient {n:02d}", disclosed_on=_years_ago(0, days=n))
    first = as_desk.get(f"/clients/{client_record.pk}/disclosures/")
    second = as_desk.get(f"/clients/{client_record.pk}/disclosures/", {"page": 2})
    assert len(first.context["disclosures"]) == 25
    assert [d.recipient_name for d in second.context["disclosures"]] == ["Recipient 25", "Recipient 26"]
    assert as_desk.get(f"/clients/{client_record.pk}/disclosures/", {"page": "x"}).status_code == 200


def test_the_accounting_page_runs_a_fixed_number_of_queries(
    as_desk, client_record, disclose, django_assert_num_queries
):
    for n in range(30):
        disclose(recipient_name=f"Recipient {n:02d}", disclosed_on=_years_ago(0, days=n))
    as_desk.get("/ping")  # warm the session up (see helpers.BACKGROUND)
    # The floor, then: the client, the count, one page of disclosures with who
    # recorded them (select_related), and the audit row.
    with django_assert_num_queries(SIGNED_IN_FLOOR + 3 + audit_queries()):
        response = as_desk.get(f"/clients/{client_record.pk}/disclosures/", **BACKGROUND)
    assert response.status_code == 200
    assert len(response.context["disclosures"]) == 25


def test_the_accounting_pdf_runs_a_fixed_number_of_queries(
    as_desk, client_record, disclose, django_assert_num_queries
):
    for n in range(30):
        disclose(recipient_name=f"Recipient {n:02d}", disclosed_on=_years_ago(0, days=n))
    ClinicProfile.load()  # an installation has its profile; the first load creates it
    as_desk.get("/ping")
    # The floor, then: the client, every disclosure of the period with who
    # recorded it, the audit row, and the clinic profile for the letterhead.
    with django_assert_num_queries(SIGNED_IN_FLOOR + 3 + audit_queries()):
        response = as_desk.get(f"/clients/{client_record.pk}/disclosures/accounting.pdf", **BACKGROUND)
    assert response.status_code == 200


def test_viewing_the_accounting_is_audited(as_desk, client_record, desk, disclose):
    shown = disclose()
    as_desk.get(f"/clients/{client_record.pk}/disclosures/")
    row = audit_rows(action="view", client_id=client_record.pk)[-1]
    assert row.actor == desk
    assert row.detail["category"] == "disclosures"
    assert row.detail["shown"] == [shown.pk]


def test_the_printable_accounting_holds_recipient_purpose_and_is_audited(
    as_desk, client_record, desk, disclose
):
    disclose(
        recipient_name="Hale & Partners Solicitors",
        recipient_address="12 Chancery Lane, London",
        description="Visit notes March to June",
        purpose="Personal injury claim",
    )
    disclose(recipient_name="Seven Years Ago Ltd", disclosed_on=_years_ago(7))
    response = as_desk.get(f"/clients/{client_record.pk}/disclosures/accounting.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = _pdf_text(response.content)
    assert "Accounting of disclosures" in text
    assert "Priya Raman" in text
    assert "Hale & Partners Solicitors" in text
    assert "12 Chancery Lane, London" in text
    assert "Visit notes March to June" in text
    assert "Personal injury claim" in text
    assert "Seven Years Ago Ltd" not in text
    rows = audit_rows(action="accounting")
    assert len(rows) == 1
    assert (rows[0].actor, rows[0].client_id) == (desk, client_record.pk)
    assert rows[0].detail["count"] == 1


@pytest.mark.parametrize(
    "payload",
    [
        '<b>bold</b><img src="http://127.0.0.1:9/x"/>',
        "<script>alert(1)</script>",
        '<font color="red">red</font> & <br/> &amp;',
    ],
)
def test_markup_in_a_disclosure_is_literal_text_in_the_pdf_and_inert_in_the_page(
    as_desk, client_record, payload
):
    response = as_desk.post(
        f"/clients/{client_record.pk}/disclosures/new/",
        _form(recipient_name=payload, recipient_address=payload, description=payload, purpose=payload),
    )
    assert response.status_code == 302
    page = as_desk.get(f"/clients/{client_record.pk}/disclosures/").content.decode()
    assert payload not in page
    assert "&lt;" in page
    text = _pdf_text(as_desk.get(f"/clients/{client_record.pk}/disclosures/accounting.pdf").content)
    assert text.count(payload) >= 4


def test_a_very_long_request_copied_in_still_prints(as_desk, client_record, disclose):
    disclose(purpose="The written request reads: " + "word " * 1900)
    response = as_desk.get(f"/clients/{client_record.pk}/disclosures/accounting.pdf")
    assert response.status_code == 200
    assert len(PdfReader(io.BytesIO(response.content)).pages) >= 2


# --- Who may see it ---------------------------------------------------------------------------


def test_the_chart_links_admins_to_the_accounting(as_desk, as_treating, client_record):
    link = f'href="/clients/{client_record.pk}/disclosures/"'
    assert link in as_desk.get(f"/clients/{client_record.pk}/").content.decode()
    assert link not in as_treating.get(f"/clients/{client_record.pk}/").content.decode()


def test_the_clinic_owner_who_is_admin_and_therapist_may_use_it(as_owner, client_record):
    assert as_owner.get(f"/clients/{client_record.pk}/disclosures/").status_code == 200
    assert as_owner.post(f"/clients/{client_record.pk}/disclosures/new/", _form()).status_code == 302


def test_therapists_who_are_not_admins_get_404_even_on_the_care_team(
    as_treating, as_colleague, anon, client_record, disclose
):
    disclose()
    base = f"/clients/{client_record.pk}/disclosures/"
    for http in (as_treating, as_colleague):
        assert http.get(base).status_code == 404
        assert http.get(base + "new/").status_code == 404
        assert http.post(base + "new/", _form()).status_code == 404
        assert http.get(base + "accounting.pdf").status_code == 404
    assert anon.get(base)["Location"].startswith("/accounts/login/")
    assert Disclosure.objects.count() == 1
    assert not AuditEvent.objects.filter(action="accounting").exists()


def test_an_unknown_client_is_404(as_desk):
    for suffix in ("", "new/", "accounting.pdf"):
        assert as_desk.get(f"/clients/999999/disclosures/{suffix}").status_code == 404


# --- The complete-record export -----------------------------------------------------------


def test_disclosures_are_in_the_complete_record_export(as_records_officer, client_record, disclose):
    import time
    from pathlib import Path

    from django.conf import settings

    from tests.trust.jsonschema_lite import validate

    session = as_records_officer.session
    session["kc_reauth_at"] = time.time()
    session.save()
    old = disclose(recipient_name="Seven Years Ago Ltd", disclosed_on=_years_ago(7))
    new = disclose(recipient_name="Acme Insurance", recipient_address="1 High St")
    data = json.loads(as_records_officer.get(f"/clients/{client_record.pk}/export.json").content)
    schema = json.loads((Path(settings.BASE_DIR) / "docs" / "export-schema.json").read_text())
    assert validate(data, schema) == []
    broken = json.loads(json.dumps(data))
    del broken["records"]["clinic.disclosure"][0]["fields"]["purpose"]
    assert validate(broken, schema) != []  # the schema describes each disclosure field
    rows = {r["id"]: r["fields"] for r in data["records"]["clinic.disclosure"]}
    # The export is the whole log, older entries included.
    assert set(rows) == {old.pk, new.pk}
    assert rows[new.pk]["recipient_name"] == "Acme Insurance"
    assert rows[new.pk]["recipient_address"] == "1 High St"
    assert rows[new.pk]["purpose"] == "Insurance claim"
    assert str(rows[new.pk]["recorded_by"]) in data["references"]["clinic.user"]
    text = _pdf_text(as_records_officer.get(f"/clients/{client_record.pk}/export.pdf").content)
    assert "Acme Insurance" in text and "Seven Years Ago Ltd" in text
