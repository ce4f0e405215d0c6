"""The discharge summary: a reason to sign, the episode of care it closes, the
outcome table (baseline vs discharge against the published meaningful change),
the snapshot taken at signing, the page, the PDF, the chart and the lock."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessments import scoring
from assessments.services import AssessmentData, ResponseInput, assessment_create, assessment_sign
from notes import discharge, selectors, services
from notes.models import VisitNote
from tests.notes.conftest import COMPLETE

DAY = 24


@pytest.fixture
def visit(make_note, treating):
    """``visit(days_ago, kind=..., sign=True, **fields)`` -> a note of that kind."""

    def build(days_ago: float, *, kind: str = "follow_up", sign: bool = True, **fields):
        note = make_note(hours_ago=DAY * days_ago, **{**COMPLETE, "kind": kind, **fields})
        return services.note_sign(note=note, by=treating) if sign else note

    return build


@pytest.fixture
def lefs(treating, client_record):
    """``lefs(days_ago, per_item)`` -> a signed assessment with a LEFS of 20 × per_item."""

    def build(days_ago: int, per_item: int, *, sign: bool = True, client=None):
        on = timezone.localdate() - timedelta(days=days_ago)
        data = AssessmentData(assessed_on=on, responses=[ResponseInput("lefs", [per_item] * 20)])
        assessment = assessment_create(client=client or client_record, by=treating, data=data)
        return assessment_sign(assessment=assessment, by=treating) if sign else assessment

    return build


def _discharge(visit, days_ago=1, **fields):
    return visit(days_ago, kind="discharge", discharge_reason="goals_met", **fields)


# --- The reason for discharge ----------------------------------------------------------


def test_a_discharge_note_cannot_be_signed_without_a_reason(make_note, treating):
    note = make_note(**{**COMPLETE, "kind": "discharge"})
    with pytest.raises(ValidationError) as caught:
        services.note_sign(note=note, by=treating)
    assert caught.value.message_dict["discharge_reason"] == [
        "Discharge: choose the reason for discharge before signing."
    ]
    assert not VisitNote.objects.get(pk=note.pk).is_signed


def test_other_as_the_reason_needs_the_reason_written(make_note, treating):
    note = make_note(**{**COMPLETE, "kind": "discharge", "discharge_reason": "other"})
    with pytest.raises(ValidationError) as caught:
        services.note_sign(note=note, by=treating)
    assert "discharge_detail" in caught.value.message_dict
    note = services.note_update(
        note=note, by=treating, data={"discharge_detail": "Moved to another city."}, version=note.version
    )
    signed = services.note_sign(note=note, by=treating)
    assert signed.discharge_reason == "other" and signed.discharge_detail == "Moved to another city."


def test_other_kinds_of_note_need_no_reason_and_keep_none(make_note, treating):
    note = make_note(**{**COMPLETE, "kind": "follow_up", "discharge_reason": "goals_met"})
    signed = services.note_sign(note=note, by=treating)
    assert signed.is_signed
    assert signed.discharge_reason is None and signed.discharge_outcome is None
    assert services.note_verify(signed)


def test_the_sign_view_shows_the_missing_reason_beside_its_field(make_note, as_treating):
    note = make_note(**{**COMPLETE, "kind": "discharge"})
    data = {
        **COMPLETE,
        "kind": "discharge",
        "version": note.version,
        "service_at": timezone.localtime(note.service_at).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": note.duration_minutes,
    }
    response = as_treating.post(reverse("note_sign", args=[note.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="error_1_id_discharge_reason"' in body
    assert body.count("Discharge: choose the reason for discharge before signing.") == 2
    assert not VisitNote.objects.get(pk=note.pk).is_signed


# --- The episode of care ---------------------------------------------------------------------


def test_an_episode_runs_from_the_first_note_after_the_previous_discharge(visit, make_note):
    first = visit(40, kind="initial")
    middle = visit(30)
    closed = _discharge(visit, 20)
    again = visit(10, kind="initial")
    draft = make_note(hours_ago=DAY * 1, kind="discharge")
    assert list(VisitNote.objects.episode_of(closed)) == [first, middle, closed]
    assert list(VisitNote.objects.episode_of(middle)) == [first, middle]
    assert list(VisitNote.objects.episode_of(draft)) == [again, draft]
    start, end = discharge.episode_bounds(draft)
    assert start == timezone.localtime(again.service_at).date()
    assert end == timezone.localtime(draft.service_at).date()


def test_a_draft_or_erroneous_discharge_does_not_close_an_episode(visit, make_note, treating):
    first = visit(40, kind="initial")
    make_note(hours_ago=DAY * 30, kind="discharge")  # a draft: closes nothing
    wrong = _discharge(visit, 20)
    services.amendment_add(note=wrong, by=treating, kind="entered_in_error", reason="Wrong client")
    latest = visit(10)
    episode = list(VisitNote.objects.episode_of(latest))
    assert episode[0] == first and episode[-1] == latest
    assert wrong not in episode


def test_an_episode_is_one_clients_own(visit, make_client, make_note, treating):
    other = make_client(treating)
    make_note(client=other, hours_ago=DAY * 5)
    note = visit(3, kind="initial")
    assert list(VisitNote.objects.episode_of(note)) == [note]


# --- The outcome rows -----------------------------------------------------------------------


def test_pain_and_lefs_rows_show_baseline_discharge_change_and_the_meaningful_change(visit, lefs):
    visit(30, kind="initial", nprs_first_step=7)
    visit(20, nprs_first_step=5)
    lefs(30, 2)  # 40 of 80
    lefs(2, 3)  # 60 of 80
    note = _discharge(visit, 1, nprs_first_step=3)
    rows = {row.measure: row for row in discharge.rows_for(note)}
    pain = rows["First-step pain (NPRS)"]
    assert (pain.baseline, pain.latest, pain.change) == ("7", "3", "−4")
    assert pain.meaningful_change == "2 points or 30% (Farrar 2001)"
    # Lower is better: a fall of 4 from 7 passes max(2, 30% of 7 rounded up = 3).
    assert pain.reached is True
    assert pain.verdict == "Improved by at least the meaningful change (3 points; Farrar 2001)."
    score = rows["Lower Extremity Functional Scale (LEFS)"]
    assert (score.baseline, score.latest, score.change) == ("40", "60", "+20")
    assert score.baseline_on == timezone.localdate() - timedelta(days=30)
    assert score.verdict == "Improved by at least the meaningful change (9 points; Binkley 1999)."
    assert score.reached is True


def test_a_change_under_the_meaningful_change_or_worse_is_said_plainly(visit, lefs):
    visit(30, kind="initial", nprs_first_step=4)
    lefs(30, 2)  # 40
    lefs(3, 2)  # 40: no change
    note = _discharge(visit, 1, nprs_first_step=7)
    rows = {row.measure: row for row in discharge.rows_for(note)}
    pain = rows["First-step pain (NPRS)"]
    assert pain.change == "+3" and pain.reached is False
    assert pain.verdict.startswith("Worse by at least the meaningful change")
    assert rows["Lower Extremity Functional Scale (LEFS)"].verdict == "No change."


def test_a_small_fall_in_pain_is_under_the_meaningful_change(visit):
    visit(30, kind="initial", nprs_first_step=5)
    note = _discharge(visit, 1, nprs_first_step=4)
    (pain,) = discharge.rows_for(note)
    assert pain.reached is False
    assert pain.verdict == "Changed by less than the meaningful change (2 points; Farrar 2001)."


def test_a_low_pain_baseline_is_judged_by_function(visit):
    visit(30, kind="initial", nprs_first_step=2)
    note = _discharge(visit, 1, nprs_first_step=0)
    (pain,) = discharge.rows_for(note)
    assert pain.reached is None and "judge by function" in pain.verdict


def test_one_measurement_only_says_not_enough_measurements(visit, lefs):
    visit(30, kind="initial", nprs_first_step=None)
    lefs(10, 3)
    note = _discharge(visit, 1, nprs_first_step=None)
    (row,) = discharge.rows_for(note)
    assert row.measure.startswith("Lower Extremity")
    assert (row.latest, row.change, row.reached) == ("", "", None)
    assert row.verdict == discharge.NOT_ENOUGH


def test_a_measure_without_a_published_meaningful_change_says_so(monkeypatch):
    # FFI has no change rule; a rule with an MDC but no MCID has no meaningful change either.
    monkeypatch.setitem(scoring.CHANGE_RULES, "lefs", replace(scoring.CHANGE_RULES["lefs"], mcid=None))
    assert discharge._meaningful("ffi") == "No published meaningful change for one client"
    assert discharge._meaningful("lefs") == "No published meaningful change for one client"
    assert discharge._meaningful("nprs").startswith("2 points or 30% (Farrar 2001)")


def test_no_measures_at_all_gives_no_rows(visit):
    visit(30, kind="initial", nprs_first_step=None)
    note = _discharge(visit, 1, nprs_first_step=None)
    assert discharge.rows_for(note) == []


def test_an_intake_assessment_before_the_first_visit_note_is_the_baseline(visit, lefs):
    lefs(40, 2)  # intake questionnaires, before the first visit note
    visit(30, kind="initial", nprs_first_step=6)
    lefs(3, 3)
    note = _discharge(visit, 1, nprs_first_step=2)
    score = next(row for row in discharge.rows_for(note) if row.measure.startswith("Lower"))
    assert (score.baseline, score.latest) == ("40", "60")


def test_measures_before_the_episode_and_unsigned_assessments_are_left_out(visit, lefs):
    visit(90, kind="initial", nprs_first_step=9)
    lefs(90, 1)  # previous episode
    _discharge(visit, 60, nprs_first_step=8)
    visit(30, kind="initial", nprs_first_step=6)
    lefs(20, 2)
    lefs(10, 4, sign=False)  # a draft assessment: not counted
    note = _discharge(visit, 1, nprs_first_step=2)
    rows = {row.measure: row for row in discharge.rows_for(note)}
    assert rows["First-step pain (NPRS)"].baseline == "6"
    score = rows["Lower Extremity Functional Scale (LEFS)"]
    assert score.baseline == "40" and score.latest == ""


# --- The snapshot ----------------------------------------------------------------------------


def test_the_signed_table_does_not_change_after_later_measurements(visit, lefs):
    visit(30, kind="initial", nprs_first_step=7)
    lefs(30, 2)
    lefs(5, 3)
    note = _discharge(visit, 1, nprs_first_step=3)
    signed_rows = discharge.rows_for(note)
    assert note.discharge_outcome == discharge.snapshot(signed_rows)
    lefs(1, 4)  # a later, back-dated assessment in the same days
    fresh = VisitNote.objects.get(pk=note.pk)
    assert discharge.rows_for(fresh) == signed_rows
    assert discharge.outcome_rows(fresh) != signed_rows  # computed afresh it would differ
    assert services.note_verify(fresh)


def test_the_new_columns_cannot_change_after_signing_in_the_database(visit):
    note = _discharge(visit, 1, nprs_first_step=3)
    table = VisitNote._meta.db_table
    for column, value in (
        ("discharge_reason", "plateau"),
        ("discharge_detail", "rewritten"),
        ("discharge_outcome", "[]"),
    ):
        with (
            pytest.raises(DatabaseError, match="kc_locked"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, note.pk])
    fresh = VisitNote.objects.get(pk=note.pk)
    assert fresh.discharge_reason == "goals_met" and fresh.discharge_outcome == note.discharge_outcome


def test_the_signature_covers_the_reason_and_the_table(visit):
    note = _discharge(visit, 1, nprs_first_step=3)
    content = services.note_content(note, [], [])
    assert content["discharge"]["reason"] == "goals_met"
    assert content["discharge"]["outcome"] == note.discharge_outcome


# --- Page, PDF, chart, new note, other apps ------------------------------------------------


def test_the_note_page_shows_the_outcome_at_discharge(visit, lefs, as_treating):
    visit(30, kind="initial", nprs_first_step=7)
    lefs(30, 2)
    lefs(3, 3)
    note = _discharge(visit, 1, nprs_first_step=3)
    body = as_treating.get(reverse("note_detail", args=[note.pk])).content.decode()
    assert "Outcome at discharge" in body and "Goals met" in body
    assert "9 points (Binkley 1999)" in body
    assert "goals_met" not in body.replace('value="goals_met"', "")


def test_the_pdf_prints_the_outcome_at_discharge_in_plain_words(visit, lefs, as_treating):
    visit(30, kind="initial", nprs_first_step=7)
    lefs(30, 2)
    lefs(3, 3)
    note = _discharge(visit, 1, nprs_first_step=3)
    response = as_treating.get(reverse("note_pdf", args=[note.pk]))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())
    assert "Outcome at discharge" in flat
    assert "Reason for discharge: Goals met" in flat
    assert "Binkley 1999" in flat and "Farrar 2001" in flat
    assert "Improved by at least the meaningful change" in flat
    for code in ("goals_met", "lefs", "nprs_first_step", "{", "None"):
        assert code not in flat


def test_an_over_long_reason_is_refused_beside_the_field(make_note, treating):
    note = make_note(**{**COMPLETE, "kind": "discharge"})
    with pytest.raises(ValidationError) as caught:
        services.note_update(
            note=note, by=treating, data={"discharge_detail": "x" * 2001}, version=note.version
        )
    assert "discharge_detail" in caught.value.message_dict
    assert VisitNote.objects.get(pk=note.pk).discharge_detail is None


def test_an_empty_episode_and_odd_text_still_print(visit, as_treating):
    odd = "<b>&amp; ünïcode ' \" \\ " + "x" * 1900
    visit(30, kind="initial", nprs_first_step=None)
    note = visit(1, kind="discharge", nprs_first_step=None, discharge_reason="other", discharge_detail=odd)
    response = as_treating.get(reverse("note_pdf", args=[note.pk]))
    assert response.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "No outcome measures were recorded in this episode of care." in " ".join(text.split())


def test_the_chart_shows_the_closed_episode_and_a_new_note_starts_a_new_one(
    visit, as_treating, client_record
):
    visit(30, kind="initial")
    note = _discharge(visit, 1)
    body = as_treating.get(reverse("client_detail", args=[client_record.pk])).content.decode()
    day = timezone.localtime(note.service_at).date()
    assert f"Discharged {day.day} {day:%b %Y}: goals met" in body
    form = as_treating.get(reverse("note_new", args=[client_record.pk])).context["form"]
    assert form.fields["template"].initial == "initial"
    assert form.fields["copy_forward"].initial is False


def test_latest_discharge_for_the_referrer_letter(visit, lefs, client_record, make_note):
    visit(60, kind="initial", nprs_first_step=8)
    older = _discharge(visit, 40, nprs_first_step=4)
    visit(30, kind="initial", nprs_first_step=6)
    newer = visit(5, kind="discharge", discharge_reason="plateau", nprs_first_step=5)
    make_note(hours_ago=DAY * 2, kind="discharge")  # a draft never counts
    found = selectors.latest_discharge(client_record)
    assert found.note == newer and found.reason == "Plateau: no further benefit expected"
    assert [row.baseline for row in found.rows] == ["6"]
    end = timezone.localdate() - timedelta(days=20)
    assert selectors.latest_discharge(client_record, end=end).note == older
    assert selectors.latest_discharge(client_record, start=timezone.localdate()) is None
    assert found.headline.startswith("Discharged ")


def test_a_signed_discharge_note_page_costs_no_more_queries_than_another(
    visit, as_treating, django_assert_num_queries
):
    from tests.notes.test_query_counts import SIGNED_NOTE_QUERIES, _audit_lock

    visit(30, kind="initial", nprs_first_step=7)
    note = _discharge(visit, 1, nprs_first_step=3)
    # The busy note of test_query_counts has palpation rows and addenda; this one has
    # neither, and the outcome table comes from the snapshot: no query of its own.
    with django_assert_num_queries(SIGNED_NOTE_QUERIES + _audit_lock()):
        response = as_treating.get(reverse("note_detail", args=[note.pk]))
    assert response.status_code == 200


def test_a_draft_discharge_page_adds_three_queries_for_its_live_outcome_table(
    visit, make_note, add_row, as_treating, django_assert_num_queries
):
    from tests.notes.test_query_counts import DRAFT_NOTE_QUERIES, _audit_lock

    visit(30, kind="initial", nprs_first_step=7)
    note = make_note(hours_ago=3, kind="discharge")
    for _ in range(10):
        add_row(note, minutes=5)
    # Previous discharge, the episode's pain scores, the outcome questionnaires.
    with django_assert_num_queries(DRAFT_NOTE_QUERIES + 3 + _audit_lock()):
        response = as_treating.get(reverse("note_detail", args=[note.pk]))
    assert response.status_code == 200
    assert "Draft: the table is fixed when the note is signed." in response.content.decode()
