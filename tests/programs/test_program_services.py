"""Issuing, revising and diffing programs; suggestions from real findings."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent
from core.records import RecordLocked
from programs import services
from programs.models import ProgramItem, ProgramVersion
from programs.selectors import items_of, latest_findings, suggestions_for, version_diff

pytestmark = pytest.mark.django_db


def test_issuing_numbers_the_version_signs_it_and_audits(issue, client_record, treating):
    version = issue(client_record, ["Plantar-fascia stretch"], start_date=date(2026, 10, 1))
    assert version.number == 1 and version.is_issued
    assert version.signed_by == treating and version.signature_line == "Treating Therapist, RMT"
    assert version.review_date == date(2026, 10, 29)  # 4 weeks by default
    assert AuditEvent.objects.filter(action="issue", object_id=str(version.pk)).exists()


def test_an_issued_version_refuses_changes_at_the_model_layer(issue, client_record):
    version = issue(client_record, ["Plantar-fascia stretch"])
    version = ProgramVersion.objects.get(pk=version.pk)
    version.review_date = date(2030, 1, 1)
    with pytest.raises(RecordLocked):
        version.save()
    item = ProgramItem.objects.get(version=version)
    item.sets = 3
    with pytest.raises(RecordLocked):
        item.save()
    with pytest.raises(RecordLocked):
        ProgramItem.objects.filter(version=version).update(sets=2)


def test_an_issued_version_refuses_changes_at_the_database_layer(issue, client_record, library):
    version = issue(client_record, ["Plantar-fascia stretch"])
    item = ProgramItem.objects.get(version=version)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE programs_programitem SET sets = 5 WHERE id = %s", [item.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE programs_programversion SET review_date = NULL WHERE id = %s", [version.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO programs_programitem (version_id, exercise_id, position, sets, reps, tempo, "
            "frequency, side, load_note, therapist_note, reason, source_code, created_at, updated_at) "
            "VALUES (%s, %s, 9, 1, 5, '', 'daily', '', '', '', '', '', %s, %s)",
            [version.pk, library["Clamshell"].pk, "2026-01-01 00:00:00", "2026-01-01 00:00:00"],
        )
    item.refresh_from_db()
    assert item.sets == 1


def test_services_refuse_to_edit_an_issued_version(issue, client_record, treating, library):
    version = issue(client_record, ["Plantar-fascia stretch"])
    with pytest.raises(RecordLocked):
        services.program_item_add(draft=version, exercise=library["Clamshell"], by=treating)
    with pytest.raises(RecordLocked):
        services.program_issue(version=version, by=treating)


def test_revising_starts_a_draft_copied_from_the_issued_version_and_leaves_it_unchanged(
    issue, client_record, treating, library
):
    v1 = issue(client_record, ["Plantar-fascia stretch", "Clamshell"])
    draft = services.program_draft(client=client_record, by=treating)
    assert draft.based_on == v1 and not draft.is_issued
    copied = items_of(draft)
    assert [i.exercise.name for i in copied] == ["Plantar-fascia stretch", "Clamshell"]
    services.program_item_update(item=copied[1], by=treating, data={"sets": 3, "reps": 15})
    services.program_item_remove(item=copied[0], by=treating)
    services.program_item_add(
        draft=draft, exercise=library["Glute bridge"], by=treating, reason="Weak glutes."
    )
    v2 = services.program_issue(version=draft, by=treating)
    assert v2.number == 2
    assert [(i.exercise.name, i.sets) for i in items_of(v1)] == [
        ("Plantar-fascia stretch", 1),
        ("Clamshell", 2),
    ]
    assert [i.exercise.name for i in items_of(v2)] == ["Clamshell", "Glute bridge"]


def test_only_one_draft_per_client(client_record, treating):
    first = services.program_draft(client=client_record, by=treating)
    again = services.program_draft(client=client_record, by=treating)
    assert first.pk == again.pk
    assert ProgramVersion.objects.filter(client=client_record).count() == 1


def test_an_empty_program_cannot_be_issued(client_record, treating):
    draft = services.program_draft(client=client_record, by=treating)
    with pytest.raises(ValidationError, match="at least one exercise"):
        services.program_issue(version=draft, by=treating)
    draft.refresh_from_db()
    assert not draft.is_issued and draft.number is None


def test_adding_an_exercise_twice_is_refused(client_record, treating, library):
    draft = services.program_draft(client=client_record, by=treating)
    services.program_item_add(draft=draft, exercise=library["Clamshell"], by=treating)
    with pytest.raises(ValidationError, match="already in this program"):
        services.program_item_add(draft=draft, exercise=library["Clamshell"], by=treating)
    assert ProgramItem.objects.filter(version=draft).count() == 1


@pytest.mark.parametrize(
    "data",
    [{"sets": 0}, {"reps": 500}, {"hold_seconds": 3600}, {"reps": None, "hold_seconds": None}],
    ids=["zero-sets", "500-reps", "hour-hold", "neither-reps-nor-hold"],
)
def test_absurd_dosage_is_refused_and_nothing_changes(client_record, treating, library, data):
    draft = services.program_draft(client=client_record, by=treating)
    item = services.program_item_add(draft=draft, exercise=library["Clamshell"], by=treating)
    with pytest.raises(ValidationError):
        services.program_item_update(item=item, by=treating, data=data)
    item.refresh_from_db()
    assert (item.sets, item.reps, item.hold_seconds) == (2, 12, None)


def test_reordering_moves_items_and_keeps_positions_dense(client_record, treating, library):
    draft = services.program_draft(client=client_record, by=treating)
    for name in ("Clamshell", "Glute bridge", "Toe yoga"):
        services.program_item_add(draft=draft, exercise=library[name], by=treating)
    toe = ProgramItem.objects.get(version=draft, exercise=library["Toe yoga"])
    services.program_item_move(item=toe, by=treating, offset=-1)
    services.program_item_move(item=toe, by=treating, offset=-1)
    services.program_item_move(item=toe, by=treating, offset=-1)  # already first: stays
    assert [(i.position, i.exercise.name) for i in items_of(draft)] == [
        (1, "Toe yoga"),
        (2, "Clamshell"),
        (3, "Glute bridge"),
    ]


def test_moving_an_item_leaves_an_audit_row_in_plain_words(client_record, treating, library):
    from trust import audit_words

    draft = services.program_draft(client=client_record, by=treating)
    for name in ("Clamshell", "Glute bridge", "Toe yoga"):
        services.program_item_add(draft=draft, exercise=library[name], by=treating)
    toe = ProgramItem.objects.get(version=draft, exercise=library["Toe yoga"])
    before = AuditEvent.objects.count()
    services.program_item_move(item=toe, by=treating, offset=-1)
    [event] = AuditEvent.objects.order_by("id")[before:]
    assert (event.actor, event.client_id, event.action) == (treating, client_record.pk, "update")
    sentence = audit_words.sentence(
        action=event.action,
        actor=treating.display_name,
        object_type=event.object_type,
        client=client_record.full_name,
    )
    assert sentence == f"{treating.display_name} changed a program version of {client_record.full_name}"
    assert audit_words.detail_lines(event.detail) == ["moved: Toe yoga", "position: 2 of 3"]


def test_an_item_already_first_stays_and_records_nothing(client_record, treating, library):
    draft = services.program_draft(client=client_record, by=treating)
    first = services.program_item_add(draft=draft, exercise=library["Clamshell"], by=treating)
    services.program_item_add(draft=draft, exercise=library["Toe yoga"], by=treating)
    before = AuditEvent.objects.count()
    services.program_item_move(item=first, by=treating, offset=-1)
    assert AuditEvent.objects.count() == before


def test_version_diff_reports_added_removed_changed_and_reordered(issue, client_record, treating, library):
    v1 = issue(client_record, ["Plantar-fascia stretch", "Clamshell", "Toe yoga"])
    draft = services.program_draft(client=client_record, by=treating)
    items = {i.exercise.name: i for i in items_of(draft)}
    services.program_item_remove(item=items["Toe yoga"], by=treating)
    services.program_item_update(
        item=items["Clamshell"], by=treating, data={"sets": 3, "load_note": "Red band"}
    )
    services.program_item_move(item=items["Clamshell"], by=treating, offset=-1)
    services.program_item_add(draft=draft, exercise=library["Glute bridge"], by=treating)
    v2 = services.program_issue(version=draft, by=treating)
    diff = version_diff(items_of(v1), items_of(v2))
    kinds = {(c.name, c.kind) for c in diff.changes}
    assert kinds == {("Clamshell", "changed"), ("Glute bridge", "added"), ("Toe yoga", "removed")}
    changed = next(c for c in diff.changes if c.kind == "changed")
    assert ("Sets", "2", "3") in changed.fields and ("Load", "-", "Red band") in changed.fields
    assert diff.reordered


def test_identical_versions_have_an_empty_diff(issue, client_record, treating):
    v1 = issue(client_record, ["Plantar-fascia stretch", "Clamshell"])
    v2 = services.program_issue(
        version=services.program_draft(client=client_record, by=treating), by=treating
    )
    assert version_diff(items_of(v1), items_of(v2)).is_empty


def test_suggestions_come_from_the_latest_assessments_flagged_findings(flagged_assessment, client_record):
    flagged_assessment()
    findings = latest_findings(client_record)
    codes = {f.code for f in findings}
    assert {"knee_to_wall", "windlass", "mmt_glute_med", "nprs_first_step"} <= codes
    suggestions = suggestions_for(findings)
    names = [s.exercise.name for s in suggestions]
    assert len(names) == len(set(names))  # one suggestion per exercise
    for expected in (
        "Plantar-fascia stretch",
        "High-load heel raise with towel",
        "Calf stretch, back knee straight",
        "Knee-to-wall ankle mobilisation",
        "Side-lying hip abduction",
        "Clamshell",
    ):
        assert expected in names
    by_name = {s.exercise.name: s for s in suggestions}
    assert by_name["Clamshell"].reason and by_name["Clamshell"].code == "mmt_glute_med"


def test_suggestions_mark_exercises_already_in_the_program_and_list_them_last(
    flagged_assessment, client_record, library
):
    flagged_assessment()
    stretch = library["Plantar-fascia stretch"]
    suggestions = suggestions_for(latest_findings(client_record), exclude_exercise_ids={stretch.pk})
    assert suggestions[-1].exercise == stretch and suggestions[-1].already_in
    assert not any(s.already_in for s in suggestions[:-1])


def test_no_assessment_means_no_suggestions(client_record):
    assert latest_findings(client_record) == []
    assert suggestions_for([]) == []


def test_an_added_suggestion_keeps_its_reason(flagged_assessment, client_record, treating):
    flagged_assessment()
    suggestion = next(s for s in suggestions_for(latest_findings(client_record)) if s.code == "windlass")
    draft = services.program_draft(client=client_record, by=treating)
    item = services.program_item_add(
        draft=draft,
        exercise=suggestion.exercise,
        by=treating,
        reason=suggestion.reason,
        source_code=suggestion.code,
    )
    version = services.program_issue(version=draft, by=treating)
    assert items_of(version)[0].reason == suggestion.reason == item.reason
    assert items_of(version)[0].source_code == "windlass"


def test_adding_the_top_suggestions_fills_the_draft_up_to_the_limit_with_reasons(
    flagged_assessment, client_record, treating, library
):
    flagged_assessment()
    suggestions = suggestions_for(latest_findings(client_record))
    draft = services.program_draft(client=client_record, by=treating)
    services.program_item_add(draft=draft, exercise=suggestions[1].exercise, by=treating)
    added = services.program_items_add_suggested(draft=draft, suggestions=suggestions, by=treating, limit=4)
    assert len(added) == 3
    items = items_of(draft)
    assert len(items) == 4
    assert [i.exercise for i in items[1:]] == [
        suggestions[0].exercise,
        suggestions[2].exercise,
        suggestions[3].exercise,
    ]
    assert all(i.reason and i.source_code for i in items[1:])
    assert (
        services.program_items_add_suggested(draft=draft, suggestions=suggestions, by=treating, limit=4) == []
    )


def test_program_items_keep_djangos_ordered_flag_and_list_in_program_order():
    # The items' query method is in_order(); Django's own "ordered" flag still tells
    # whether a query has an order, so first() and last() order by id when it has none.
    assert ProgramItem.objects.all().ordered is True
    assert ProgramItem.objects.order_by().ordered is False
    in_order = ProgramItem.objects.all().in_order()
    assert in_order.query.order_by == ("position", "id")
    assert in_order.query.select_related == {"exercise": {}}
