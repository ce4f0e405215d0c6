"""Questionnaires and intake forms before a visit in the complete-record printout: accepted and
discarded ones (with the reason) and those still waiting, read back from the PDF."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from clinic.models import ClinicProfile
from core.pdf import Letterhead
from previsit import export, services
from previsit.models import Measure
from tests.previsit.conftest import intake_answers
from tests.trust.pdf_text import pdf_text
from trust.export import collect_client_export, collect_pdf_parts, render_pdf

ODD = (
    '<b>bold</b> </para> & &amp; <script>alert("x")</script> שלום עולם مرحبا 😀👍🏽 e\u0301 \u202eevil\u202c'
)


def _squash(text: str) -> str:
    return "".join(text.split())


def _record_pdf(client, by) -> str:
    body = render_pdf(
        collect_client_export(client=client, by=by),
        letterhead=Letterhead.from_profile(ClinicProfile.load()),
        parts=collect_pdf_parts(client=client, by=by),
    )
    return pdf_text(body)[1]


@pytest.fixture
def decided(client_record, treating, submitted_lefs):
    services.questionnaire_accept(qrequest=submitted_lefs, by=treating)
    nprs = services.questionnaire_request_create(client=client_record, measure=Measure.NPRS, by=treating)
    services.questionnaire_discard(qrequest=nprs, by=treating, reason="Asked by mistake " + ODD)
    discarded = services.intake_submit(
        client=client_record, answers=intake_answers(), fields={"consent_given": True}
    )
    services.intake_discard(intake=discarded, by=treating, reason="Sent twice " + ODD)
    return services.intake_submit(
        client=client_record,
        answers=intake_answers({"dvt": "Calf swollen since Tuesday " + ODD}),
        fields={"consent_given": True, "medications": "Ibuprofen " + ODD},
    )


def test_the_record_printout_lists_questionnaires_and_intake_forms_with_their_decisions(
    client_record, treating, decided, django_assert_num_queries
):
    with django_assert_num_queries(2):
        export.pdf_part(client_record)
    text = _record_pdf(client_record, treating)
    for words in (
        "Before the visit",
        "Questionnaires (2)",
        "LEFS (lower extremity function)",
        "Accepted into the record",
        f"by {treating.display_name}",
        "Discarded",
        "Asked by mistake",
        "Not sent",
        "Intake forms (2)",
        "Sent twice",
        "Filled in by the client on their link",
        "Waiting for the therapist's review",
        "Calf swollen since Tuesday",
        "Ibuprofen",
        "No to every question",
        "Consent given",
    ):
        assert _squash(words) in text, words
    assert "<script>" in text  # the client's markup prints as the text it is


def test_the_part_prints_long_and_odd_text_without_error(client_record):
    long_text = "Longword " + ("y" * 5_000) + " " + ODD + " Tailword"
    questionnaires = [("LEFS", long_text, "Not sent", long_text, long_text)]
    intakes = [
        {
            "title": "Intake form sent 2 November 2026",
            "facts": [("How", long_text), ("Medicines", ODD * 30)],
            "yes": [("A question " + ODD, long_text)],
        }
    ]
    body = render_pdf(
        {
            "client": {"model": "clinic.client", "id": client_record.pk, "fields": {}},
            "records": {},
            "documents": [],
            "audit_events": [],
        },
        letterhead=Letterhead.from_profile(ClinicProfile.load()),
        parts={
            "client_name": "Ann Example",
            "date_of_birth": date(1980, 1, 2),
            "demographics": [("Name", "Ann Example")],
            "flags": [],
            "screened_on": None,
            "consent": "Given",
            "care_team": [],
            "primary_therapist": "",
            "exported_at": datetime(2026, 11, 2, 9, 0),
            "exported_by": "Someone",
            "disclosures": [],
            "actor_names": {},
            "parts": [export.layout(questionnaires, intakes)],
        },
    )
    pages, text = pdf_text(body)
    assert pages >= 2
    for marker in ("Longword", "Tailword", "Questionnaire1,Score,infull"):
        assert marker in text, marker


def test_nothing_asked_or_sent_prints_that_plainly(client_record, treating):
    text = _record_pdf(client_record, treating)
    assert _squash("No questionnaire asked for.") in text and _squash("No intake form sent.") in text
