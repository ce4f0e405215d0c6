"""The client's own view in the complete-record printout and in the restore drill: the part
"Client's own log" (what was logged, with the pain light, and the history of the links,
never a token), read back from the PDF."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from clinic.models import ClinicProfile
from core import composition
from core.pdf import Letterhead
from portal import export, services
from portal.log import entry_row
from portal.models import ClientLink, LogEntry
from tests.portal.conftest import issue_program
from tests.trust.pdf_text import pdf_text
from trust.export import collect_client_export, collect_pdf_parts, render_pdf

ODD = (
    '<b>bold</b> </para> & &amp; <script>alert("x")</script> שלום עולם مرحبا 😀👍🏽 e\u0301 \u202eevil\u202c'
)


def _record_pdf(client, by) -> str:
    body = render_pdf(
        collect_client_export(client=client, by=by),
        letterhead=Letterhead.from_profile(ClinicProfile.load()),
        parts=collect_pdf_parts(client=client, by=by),
    )
    return pdf_text(body)[1]


def _log(link, **fields):
    return services.log_entry_record(
        link=link, data={"entry_id": uuid.uuid4(), "done_on": timezone.localdate(), **fields}
    )[0]


def _squash(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def logged(client_record, treating, issued):
    """Two ticks, an amber pain score with a note, and the next-morning check; an older link
    revoked and one expired beside the working one."""
    link, token = issued
    version = issue_program(client_record, treating)
    first, second = list(version.items.order_by("position"))
    _log(link, kind="set", item=first.pk, set_number=1)
    _log(link, kind="session", item=second.pk)
    _log(link, kind="pain", pain=4, note="Sore after the stairs " + ODD)
    _log(link, kind="morning", pain=1, settled=True)
    revoked, revoked_token = services.link_issue(client=client_record, by=treating)
    services.link_revoke(link=revoked, by=treating)
    expired, expired_token = services.link_issue(client=client_record, by=treating)
    past = timezone.now() - timedelta(weeks=20)
    # Set back in time as if issued months ago (no service moves a link's dates).
    ClientLink.objects.filter(pk=expired.pk).update(issued_at=past, expires_at=past + timedelta(weeks=8))
    return {"link": link, "items": (first, second), "tokens": (token, revoked_token, expired_token)}


def test_the_record_printout_has_the_client_s_own_log_in_plain_words(
    client_record, treating, logged, django_assert_num_queries
):
    first, second = logged["items"]
    with django_assert_num_queries(2):
        layout = export.pdf_part(client_record)
    assert callable(layout)
    text = _record_pdf(client_record, treating)
    today = f"{timezone.localdate():%d %B %Y}"
    for words in (
        "Client's own log",
        "Exercises and pain logged (4)",
        today,
        f"{first.exercise.name}: set 1",
        f"{second.exercise.name}: session done",
        "Pain after the session",
        "4/10",
        "Amber",
        "Next morning: settled",
        "Green",
        "Sore after the stairs",
        "Links to the client's own view (3)",
        f"by {treating.display_name}",
        "Revoked",
        "Expired",
        "Works until",
        "Never used",
    ):
        assert _squash(words) in text, words
    # Never a token, its hash or an id.
    for token in logged["tokens"]:
        assert _squash(token) not in text and token[:12] not in text
    for link in ClientLink.objects.all():
        assert link.token_hash[:16] not in text
    assert str(LogEntry.objects.first().entry_id) not in text


def test_a_client_with_nothing_logged_prints_that_plainly(client_record, treating):
    text = _record_pdf(client_record, treating)
    assert _squash("Client's own log") in text
    assert _squash("Nothing logged.") in text and _squash("No link issued.") in text


def test_the_part_prints_long_and_odd_text_without_error(client_record, treating):
    """The note a client may send is short (200 characters); the layout still takes
    any length: markup, 5,000 characters, emoji and right-to-left script."""
    long_text = "Longword " + ("x" * 5_000) + " " + ODD + " Tailword"
    entries = [
        {"day": date(2026, 11, 2), "what": long_text, "pain": "4/10", "band": "amber", "note": long_text},
        {"day": date(2026, 11, 3), "what": ODD, "pain": "", "band": "", "note": ODD * 20},
    ]
    links = [(long_text, ODD, long_text, "Active")]
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
            "parts": [export.layout(entries, links)],
        },
    )
    pages, text = pdf_text(body)
    assert pages >= 2
    for marker in ("Longword", "Tailword", "Amber", "Entry1,What,infull"):
        assert marker in text, marker
    assert "<b>" in text and "<script>" in text  # markup prints as the text it is


def test_the_longest_note_a_client_can_send_prints(client_record, treating, issued, items_of_program):
    link, _ = issued
    note = (ODD + " ")[:200]
    _log(link, kind="pain", pain=7, note=note)
    text = _record_pdf(client_record, treating)
    assert _squash("7/10") in text and "Red" in text


@pytest.fixture
def items_of_program(client_record, treating):
    return list(issue_program(client_record, treating).items.all())


def test_the_restore_check_counts_links_and_log_entries(logged):
    check = dict(composition.providers("restore_check"))["portal"]()
    assert check.counts == {
        "client links": 3,
        "client links still working": 1,
        "client's own log entries": 4,
    }
    assert check.pdfs == {}


def test_the_chart_and_the_printout_say_an_entry_the_same_way(logged):
    entry = LogEntry.objects.for_chart().get(kind="pain")
    assert entry_row(entry)["what"] == "Pain after the session"
    assert entry_row(entry)["pain"] == "4/10" and entry_row(entry)["band"] == "amber"
