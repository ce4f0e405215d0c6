"""Writing, signing and locking progress reports, through the services and the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.models import AuditEvent
from core.records import NotTheAuthor, RecordLocked
from reports import services
from reports.models import ProgressReport
from tests.reports.conftest import INCLUDE_ALL, _assessment, _visit

pytestmark = pytest.mark.django_db


def test_a_draft_is_written_from_the_records_with_its_text_prefilled(make_report):
    report = make_report()
    assert not report.is_signed
    assert "3 visits" in report.summary
    assert "from 7 to 3 out of 10" in report.summary
    assert report.next_steps.startswith("Progress calf loading.")
    event = AuditEvent.objects.get(action="create", object_type="reports.progressreport")
    assert event.client_id == report.client_id


def test_a_period_without_visits_is_refused_with_a_message_on_the_period(history, treating):
    long_ago = timezone.localdate() - timedelta(days=400)
    with pytest.raises(ValidationError) as caught:
        services.report_create(
            client=history,
            audience="client",
            period_start=long_ago,
            period_end=long_ago + timedelta(days=10),
            includes=INCLUDE_ALL,
            by=treating,
        )
    assert "no signed visits in this period" in caught.value.message_dict["period_start"][0]
    assert ProgressReport.objects.count() == 0


def test_the_new_report_page_shows_the_empty_period_message_beside_the_dates(as_treating, history):
    long_ago = timezone.localdate() - timedelta(days=400)
    response = as_treating.post(
        f"/clients/{history.pk}/report/",
        {"period_start": long_ago, "period_end": long_ago + timedelta(days=5), "audience": "client"},
    )
    assert response.status_code == 400
    assert b"There are no signed visits in this period" in response.content
    assert ProgressReport.objects.count() == 0


def test_the_new_report_page_writes_a_draft_and_opens_it(as_treating, history):
    today = timezone.localdate()
    response = as_treating.get(f"/clients/{history.pk}/report/")
    assert response.status_code == 200 and b"Write a progress report" in response.content
    response = as_treating.post(
        f"/clients/{history.pk}/report/",
        {
            "period_start": today - timedelta(days=30),
            "period_end": today,
            "audience": "referrer",
            "include_pain": "on",
            "include_scores": "on",
            "recipient_name": "Dr Patel",
        },
    )
    report = ProgressReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    assert report.is_letter and not report.include_chain and report.recipient_name == "Dr Patel"


def test_only_the_author_changes_or_signs_a_draft(make_report, colleague, history):
    history.care_team.add(colleague)
    draft = make_report()
    with pytest.raises(NotTheAuthor):
        services.report_update(report=draft, data={"summary": "Rewritten"}, by=colleague)
    with pytest.raises(NotTheAuthor):
        services.report_sign(report=draft, by=colleague)
    draft.refresh_from_db()
    assert draft.summary != "Rewritten" and not draft.is_signed


def test_the_author_adjusts_the_wording_and_it_is_audited(make_report, treating):
    draft = make_report()
    services.report_update(
        report=draft, data={"summary": "Steady progress.", "next_steps": "Review"}, by=treating
    )
    draft.refresh_from_db()
    assert draft.summary == "Steady progress."
    event = AuditEvent.objects.filter(action="update", object_type="reports.progressreport").get()
    assert event.detail["fields"] == ["summary", "next_steps"]


def test_a_letter_without_an_address_is_refused_at_signing_with_a_clear_message(make_report, treating):
    letter = make_report(audience="referrer", recipient_name="Dr Patel")
    with pytest.raises(ValidationError) as caught:
        services.report_sign(report=letter, by=treating)
    assert caught.value.message_dict["recipient_address"] == [services.NO_ADDRESS]
    letter.refresh_from_db()
    assert not letter.is_signed and letter.content is None


def test_the_sign_page_shows_the_missing_address_and_signs_nothing(make_report, as_treating):
    letter = make_report(audience="referrer", recipient_name="Dr Patel")
    response = as_treating.post(f"/reports/{letter.pk}/sign/", {"password": "x" * 16})
    assert response.status_code in (400, 403)
    letter.refresh_from_db()
    assert not letter.is_signed


def test_signing_needs_the_password_again(make_report, as_treating, treating):
    import time

    from clinic.reauth import REAUTH_KEY

    draft = make_report()
    session = as_treating.session
    session[REAUTH_KEY] = time.time() - 3600  # the password was last entered an hour ago
    session.save()
    assert b'id="id_sign_password"' in as_treating.get(f"/reports/{draft.pk}/").content
    response = as_treating.post(f"/reports/{draft.pk}/sign/", {})
    assert response.status_code == 403 and b"Confirm your password to sign" in response.content
    response = as_treating.post(f"/reports/{draft.pk}/sign/", {"password": "wrong password here"})
    assert response.status_code == 403 and b"That password is not right" in response.content
    draft.refresh_from_db()
    assert not draft.is_signed
    response = as_treating.post(f"/reports/{draft.pk}/sign/", {"password": "test-pass-1234!"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_signed and draft.content_hash == services.content_hash(draft.content)
    assert AuditEvent.objects.filter(action="sign", object_type="reports.progressreport").count() == 1


def test_a_signed_report_is_locked_in_the_service_and_the_model(make_report, treating):
    signed = services.report_sign(report=make_report(), by=treating)
    with pytest.raises(RecordLocked):
        services.report_update(report=signed, data={"summary": "Changed"}, by=treating)
    with pytest.raises(RecordLocked):
        services.report_sign(report=signed, by=treating)
    fresh = ProgressReport.objects.get(pk=signed.pk)
    fresh.summary = "Changed"
    with pytest.raises(RecordLocked):
        fresh.save()
    with pytest.raises(RecordLocked):
        ProgressReport.objects.filter(pk=signed.pk).update(summary="Changed")
    with pytest.raises(RecordLocked):
        fresh.delete()


def test_the_database_refuses_to_change_or_delete_a_signed_report(make_report, treating):
    """Runs on SQLite and, with DATABASE_URL, on PostgreSQL."""
    signed = services.report_sign(report=make_report(), by=treating)
    draft = make_report()
    for sql in (
        "UPDATE reports_progressreport SET summary = 'tampered' WHERE id = %s",
        "UPDATE reports_progressreport SET signed_at = NULL WHERE id = %s",
        "DELETE FROM reports_progressreport WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="kc_locked"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(sql, [signed.pk])
    assert ProgressReport.objects.get(pk=signed.pk).summary == signed.summary
    with transaction.atomic(), connection.cursor() as cur:  # a draft is not locked
        cur.execute("UPDATE reports_progressreport SET summary = 'ok' WHERE id = %s", [draft.pk])


def test_a_signed_report_prints_what_was_signed_after_new_data_is_recorded(make_report, treating, history):
    import io

    from pypdf import PdfReader

    from reports.pdf import render_report_pdf

    signed = services.report_sign(report=make_report(), by=treating)
    before = signed.content
    # New visits and a new assessment after signing, inside the period.
    _visit(history, treating, days_ago=1, first_step=1)
    _assessment(history, treating, days_ago=1, lefs=4, ktw="12")
    fresh = ProgressReport.objects.get(pk=signed.pk)
    from reports.pages import content_for

    assert content_for(fresh) == before
    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(render_report_pdf(fresh.content, signed=True))).pages
    )
    assert "from 7 to 3 out of 10" in text and "to 1 out of 10" not in text
    assert services.report_matches(fresh)


def test_an_unsigned_draft_reads_the_records_as_they_are_now(make_report, treating, history):
    draft = make_report()
    _visit(history, treating, days_ago=1, first_step=1)
    from reports.pages import content_for

    assert content_for(draft)["pain"]["latest"] == 1


def test_a_therapist_off_the_care_team_cannot_write_a_report(as_colleague, history):
    today = timezone.localdate()
    response = as_colleague.post(
        f"/clients/{history.pk}/report/",
        {"period_start": today - timedelta(days=30), "period_end": today, "audience": "client"},
    )
    assert response.status_code == 404
    assert ProgressReport.objects.count() == 0


def test_views_and_downloads_are_audited(make_report, treating, as_treating):
    signed = services.report_sign(report=make_report(), by=treating)
    assert as_treating.get(f"/reports/{signed.pk}/").status_code == 200
    response = as_treating.get(f"/reports/{signed.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    actions = set(
        AuditEvent.objects.filter(object_type="reports.progressreport", object_id=str(signed.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"create", "sign", "view", "download"} <= actions
