"""A recorded health screen, its answers and a consent are final at every layer
(model, QuerySet, database trigger), and every change-history table is
append-only: raw SQL UPDATE and DELETE are refused on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent
from clinic import services
from clinic.models import Client, Consent, HealthScreen, ScreenAnswer
from core.records import RecordLocked

pytestmark = pytest.mark.django_db

LOCKED_TABLES = ["clinic_healthscreen", "clinic_screenanswer", "clinic_consent"]
HISTORY_TABLES = sorted(m._meta.db_table for m in apps.get_models() if m.__name__.startswith("Historical"))


def _raw(sql: str, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        return cursor.fetchone()[0]


def test_every_clinical_history_table_is_covered():
    assert set(HISTORY_TABLES) >= {
        "clinic_historicalclient",
        "notes_historicalvisitnote",
        "assessments_historicalassessment",
        "programs_historicalprogramversion",
        "programs_historicalprogramitem",
        "programs_historicaladherence",
        "programs_historicalexercise",
    }


def test_raw_sql_cannot_change_or_delete_a_screen_its_answers_or_a_consent(screened):
    screen = screened({"pregnancy": "12 weeks"})
    answer = screen.answers.first()
    consent = Consent.objects.get(client=screen.client)
    cases = [
        ("UPDATE clinic_healthscreen SET medications = 'tampered' WHERE id = %s", screen.pk),
        ("UPDATE clinic_healthscreen SET taken_at = taken_at WHERE id = %s", screen.pk),
        ("DELETE FROM clinic_healthscreen WHERE id = %s", screen.pk),
        ("UPDATE clinic_screenanswer SET answer = NOT answer WHERE id = %s", answer.pk),
        ("DELETE FROM clinic_screenanswer WHERE id = %s", answer.pk),
        ("UPDATE clinic_consent SET given = NOT given WHERE id = %s", consent.pk),
        ("UPDATE clinic_consent SET text_version = 'old' WHERE id = %s", consent.pk),
        ("DELETE FROM clinic_consent WHERE id = %s", consent.pk),
    ]
    for sql, pk in cases:
        with pytest.raises(DatabaseError, match="kc_locked"):
            _raw(sql, [pk])
    fresh = HealthScreen.objects.get(pk=screen.pk)
    assert fresh.medications == screen.medications
    assert ScreenAnswer.objects.get(pk=answer.pk).answer == answer.answer
    assert ScreenAnswer.objects.filter(screen=screen).count() == screen.answers.count()
    assert Consent.objects.get(pk=consent.pk).given is True


def test_the_model_and_queryset_refuse_to_change_or_delete_them(screened):
    screen = screened()
    loaded = HealthScreen.objects.get(pk=screen.pk)
    loaded.medications = "rewritten"
    answer = ScreenAnswer.objects.filter(screen=screen).first()
    answer.details = "rewritten"
    consent = Consent.objects.get(client=screen.client)
    consent.given = False
    for record in (loaded, answer, consent):
        with pytest.raises(RecordLocked):
            record.save()
        with pytest.raises(RecordLocked):
            record.delete()
    for qs in (
        HealthScreen.objects.filter(pk=screen.pk),
        ScreenAnswer.objects.filter(screen=screen),
        Consent.objects.filter(pk=consent.pk),
    ):
        with pytest.raises(RecordLocked):
            qs.update(created_at=screen.created_at)
        with pytest.raises(RecordLocked):
            qs.delete()
    assert HealthScreen.objects.get(pk=screen.pk).medications == ""
    assert Consent.objects.get(pk=consent.pk).given is True
    assert ScreenAnswer.objects.filter(screen=screen, details="rewritten").count() == 0


def test_deleting_consent_through_the_orm_fails_and_keeps_the_row(screened):
    consent = Consent.objects.get(client=screened().client)
    with pytest.raises(RecordLocked):
        Consent.objects.get(pk=consent.pk).delete()
    with pytest.raises(RecordLocked):
        consent.client.consents.all().delete()
    assert Consent.objects.filter(pk=consent.pk).exists()


def test_a_recheck_is_a_new_screen_and_the_first_stays_as_it_was(screened):
    first = screened()
    second = screened({"pregnancy": "8 weeks"})
    assert first.pk != second.pk
    assert HealthScreen.objects.filter(client=first.client).count() == 2
    assert not ScreenAnswer.objects.get(screen=first, question="pregnancy").answer
    assert HealthScreen.objects.latest_for(first.client) == second


def test_withdrawing_consent_adds_a_row_with_the_reason(screened, treating):
    given = Consent.objects.get(client=screened().client)
    withdrawal = services.consent_withdraw(client=given.client, by=treating, reason="Moving abroad")
    assert Consent.objects.filter(client=given.client).count() == 2
    assert given.client.consents.first() == withdrawal
    assert withdrawal.given is False and withdrawal.withdrawal_reason == "Moving abroad"
    assert Consent.objects.get(pk=given.pk).given is True  # the consent itself is untouched
    event = AuditEvent.objects.get(action="consent_withdraw")
    assert event.object_id == str(withdrawal.pk) and event.client_id == given.client_id


def test_a_withdrawal_needs_a_reason_and_a_consent_to_withdraw(screened, treating, client_record):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.consent_withdraw(client=client_record, by=treating, reason="No consent yet")
    screened()
    with pytest.raises(ValidationError):
        services.consent_withdraw(client=client_record, by=treating, reason="   ")
    assert Consent.objects.filter(client=client_record, given=False).count() == 0
    services.consent_withdraw(client=client_record, by=treating, reason="Changed mind")
    with pytest.raises(ValidationError):
        services.consent_withdraw(client=client_record, by=treating, reason="Again")
    assert Consent.objects.filter(client=client_record, given=False).count() == 1


def test_the_withdrawal_page_records_it_and_the_chart_says_so(as_treating, screened, client_record):
    screened()
    url = f"/clients/{client_record.pk}/consent/withdraw/"
    page = as_treating.get(url)
    assert page.status_code == 200
    assert b"Record withdrawal of consent" in page.content
    refused = as_treating.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert b"Say why consent was withdrawn." in refused.content
    assert Consent.objects.filter(client=client_record).count() == 1
    done = as_treating.post(url, {"reason": "Prefers another clinic"})
    assert done.status_code == 302
    chart = as_treating.get(f"/clients/{client_record.pk}/")
    assert b'id="consent-withdrawn"' in chart.content
    assert b"Prefers another clinic" in chart.content


def test_the_withdrawal_page_is_for_the_care_team_only(as_colleague, as_desk, screened, client_record):
    screened()
    url = f"/clients/{client_record.pk}/consent/withdraw/"
    for http in (as_colleague, as_desk):
        assert http.get(url).status_code == 404
        assert http.post(url, {"reason": "x"}).status_code == 404
    assert Consent.objects.filter(client=client_record).count() == 1


@pytest.mark.parametrize("table", HISTORY_TABLES)
def test_raw_sql_cannot_change_or_delete_history_rows(table, world, client_record, treating):
    # ``world`` builds one object of every kind through the real services, so
    # every history table holds rows written by simple-history itself; the
    # client's adherence to the issued program is added here.
    from programs import services as programs
    from programs.models import Exercise, ProgramItem

    item = ProgramItem.objects.filter(version__client=client_record, version__signed_at__isnull=False).first()
    programs.adherence_record(
        client=client_record, by=treating, rows=[{"item": item, "days_per_week": 3, "pain_response": "green"}]
    )
    programs.exercise_set_active(exercise=Exercise.objects.first(), by=treating, active=False)
    assert _count(table) > 0, world["errors"]
    before = _count(table)
    with pytest.raises(DatabaseError, match="kc_append_only"):
        _raw(f'UPDATE "{table}" SET history_change_reason = %s', ["tampered"])
    with pytest.raises(DatabaseError, match="kc_append_only"):
        _raw(f'DELETE FROM "{table}"')
    assert _count(table) == before


def test_simple_history_still_records_changes(client_record, desk):
    services.client_update(client=client_record, by=desk, data={"occupation": "Pilot"}, version=1)
    assert list(Client.history.filter(id=client_record.pk).values_list("occupation", flat=True)) == [
        "Pilot",
        "",
    ]


def _triggers() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        return {(table.strip('"'), name) for table, name in cursor.fetchall()}


@pytest.mark.parametrize("table", LOCKED_TABLES + HISTORY_TABLES)
def test_the_append_only_triggers_are_installed(table):
    """A later migration that rebuilds one of these tables on SQLite drops its
    triggers: this catches it."""
    found = _triggers()
    if connection.vendor == "postgresql":
        assert (table, f"{table}_append_only") in found
    else:
        assert {(table, f"{table}_no_update"), (table, f"{table}_no_delete")} <= found


def test_a_dropped_trigger_is_put_back_after_migrate():
    """SQLite rebuilds a table to change its columns and the rebuild drops its
    triggers; the post-migrate check installs them again."""
    from clinic.append_only import ensure_append_only

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute('DROP TRIGGER "clinic_consent_append_only" ON "clinic_consent"')
        else:
            cursor.execute('DROP TRIGGER "clinic_consent_no_update"')
            cursor.execute('DROP TRIGGER "clinic_consent_no_delete"')
    assert ensure_append_only(using=connection.alias) == ["clinic_consent"]
    assert ensure_append_only(using=connection.alias) == []
    assert ("clinic_consent", "clinic_consent_no_delete") in _triggers() or (
        "clinic_consent",
        "clinic_consent_append_only",
    ) in _triggers()
