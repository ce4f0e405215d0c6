"""notes.services: create, copy-forward, autosave conflicts, treatment rows, signing, amendments."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from core.records import RecordLocked
from notes import services
from notes.models import Amendment, Treatment, VisitNote
from tests.notes.conftest import COMPLETE


def test_seeded_catalogues_exist_in_every_database(catalogue):
    assert len(catalogue["technique"]) == 23
    assert {"joint_mobilisation", "iastm", "kinesiology_taping", "rigid_taping", "pnf"} <= set(
        catalogue["technique"]
    )
    assert catalogue["technique"]["joint_mobilisation"].has_grade
    assert len(catalogue["region"]) == 25
    assert {"plantar_fascia", "gastroc_medial", "gastroc_lateral", "tfl_itb", "lumbar"} <= set(
        catalogue["region"]
    )


def test_a_new_note_is_a_draft_of_the_therapist_and_is_audited(make_note, treating, client_record):
    note = make_note()
    assert not note.is_signed
    assert note.therapist == treating
    assert AuditEvent.objects.filter(
        action="create", object_id=str(note.pk), client_id=client_record.pk
    ).exists()


def test_a_template_fills_the_empty_soap_fields(make_note):
    note = make_note(template="follow_up")
    assert note.kind == "follow_up"
    assert note.subjective.startswith("Since last visit")
    assert note.analysis.startswith("Response to treatment")


def test_copy_forward_takes_plan_stable_history_and_treatments_marked_for_review(
    signed_note, make_note, treating
):
    previous = signed_note(rows=3, hours_ago=24 * 7, plan_next="Add soleus work next time.")
    note = make_note(copy_forward=True)
    assert note.carried_forward_from == previous
    assert note.focus == "Add soleus work next time."
    assert note.chief_complaint == COMPLETE["chief_complaint"]
    assert note.goals == COMPLETE["goals"]
    assert set(note.carried_fields) >= {"focus", "chief_complaint", "goals", "frequency"}
    rows = list(note.treatments.all())
    assert len(rows) == 3 and all(r.carried_forward for r in rows)
    # Pain scores and assessment are today's, never carried.
    assert note.nprs_first_step is None and note.analysis == ""


def test_editing_or_reviewing_a_carried_field_clears_its_mark(signed_note, make_note, treating):
    signed_note(hours_ago=24 * 7)
    note = make_note(copy_forward=True)
    note = services.note_update(note=note, by=treating, data={"goals": "New goal"}, version=note.version)
    assert "goals" not in note.carried_fields and "chief_complaint" in note.carried_fields
    note = services.note_update(
        note=note, by=treating, data={}, version=note.version, reviewed=["chief_complaint"]
    )
    assert "chief_complaint" not in note.carried_fields


def test_a_stale_save_from_another_tab_is_refused_and_overwrites_nothing(make_note, treating):
    note = make_note()
    tab_a = VisitNote.objects.get(pk=note.pk)
    tab_b = VisitNote.objects.get(pk=note.pk)
    services.note_update(note=tab_a, by=treating, data={"subjective": "From tab A"}, version=tab_a.version)
    with pytest.raises(services.NoteConflict):
        services.note_update(
            note=tab_b, by=treating, data={"subjective": "From tab B"}, version=tab_b.version
        )
    fresh = VisitNote.objects.get(pk=note.pk)
    assert fresh.subjective == "From tab A"
    assert fresh.version == note.version + 1


def test_only_the_author_edits_a_draft(make_note, owner, client_record):
    note = make_note()
    with pytest.raises(services.NotePermissionError):
        services.note_update(note=note, by=owner, data={"subjective": "x"}, version=note.version)


def test_nprs_out_of_range_is_refused(make_note, treating):
    note = make_note()
    with pytest.raises(ValidationError) as exc:
        services.note_update(note=note, by=treating, data={"nprs_rest": 11}, version=note.version)
    assert "nprs_rest" in exc.value.message_dict
    assert VisitNote.objects.get(pk=note.pk).nprs_rest is None


def test_treatment_minutes_must_be_positive_and_within_the_visit(make_note, add_row):
    note = make_note()  # 60-minute visit
    with pytest.raises(ValidationError, match="at least 1"):
        add_row(note, minutes=-5)
    with pytest.raises(ValidationError, match="visit length"):
        add_row(note, minutes=61)
    add_row(note, minutes=40)
    with pytest.raises(ValidationError, match="more than the 60-minute visit"):
        add_row(note, minutes=25)
    assert note.treatments.count() == 1


def test_treatment_pressure_must_be_1_to_5(make_note, add_row):
    note = make_note()
    for bad in (0, 6):
        with pytest.raises(ValidationError) as exc:
            add_row(note, pressure=bad)
        assert "pressure" in exc.value.message_dict
    assert note.treatments.count() == 0


def test_joint_mobilisation_needs_a_grade(make_note, add_row, treating, desk):
    from clinic.services import user_update

    user_update(user=treating, by=desk, data={"joint_mobilisation_in_scope": True})
    treating.refresh_from_db()
    note = make_note()
    with pytest.raises(ValidationError, match="grade"):
        add_row(note, technique="joint_mobilisation", region="achilles")
    row = add_row(note, technique="joint_mobilisation", region="achilles", grade="III")
    assert row.grade == "III"


def test_repeat_last_visit_copies_its_treatments_in_one_call(signed_note, make_note, treating):
    signed_note(rows=3, hours_ago=24 * 7)
    note = make_note()
    rows = services.treatments_repeat_last(note=note, by=treating)
    assert len(rows) == 3
    assert note.treatments.count() == 3


def test_repeat_last_visit_without_an_earlier_visit_says_so(make_note, treating):
    note = make_note()
    with pytest.raises(ValidationError, match="no earlier signed visit"):
        services.treatments_repeat_last(note=note, by=treating)


def test_signing_records_signer_credentials_time_and_a_verifiable_hash(make_note, add_row, treating):
    note = make_note(**COMPLETE)
    add_row(note)
    before = timezone.now()
    signed = services.note_sign(note=note, by=treating)
    assert signed.is_signed and signed.signed_by == treating
    assert signed.signature_line == "Treating Therapist, RMT"
    assert signed.signed_at >= before
    assert not signed.late_entry
    assert len(signed.content_hash) == 64
    assert services.note_verify(signed)
    assert AuditEvent.objects.filter(action="sign", object_id=str(note.pk)).exists()


@pytest.mark.parametrize(
    "missing, field",
    [
        ({"chief_complaint": "", "subjective": ""}, "subjective"),
        ({"objective": ""}, "objective"),
        ({"analysis": ""}, "analysis"),
        ({"plan_next": "", "goals": ""}, "plan_next"),
    ],
)
def test_signing_needs_s_o_a_and_p(make_note, treating, missing, field):
    note = make_note(**{**COMPLETE, **missing})
    with pytest.raises(ValidationError) as exc:
        services.note_sign(note=note, by=treating)
    assert field in exc.value.message_dict
    assert not VisitNote.objects.get(pk=note.pk).is_signed


def test_a_palpation_finding_counts_as_objective_content(make_note, treating, catalogue):
    note = make_note(**{**COMPLETE, "objective": ""})
    services.palpation_add(
        note=note, by=treating, data={"region": catalogue["region"]["soleus"], "tone": "increased"}
    )
    assert services.note_sign(note=note, by=treating).is_signed


def test_a_note_signed_more_than_24_hours_after_the_visit_is_a_late_entry(make_note, treating):
    note = make_note(hours_ago=30, **COMPLETE)
    assert services.note_sign(note=note, by=treating).late_entry
    fresh = make_note(hours_ago=23, **COMPLETE)
    assert not services.note_sign(note=fresh, by=treating).late_entry


def test_only_the_author_signs(make_note, owner):
    note = make_note(**COMPLETE)
    with pytest.raises(services.NotePermissionError):
        services.note_sign(note=note, by=owner)


def test_signing_saves_the_editors_current_fields_in_the_same_step(make_note, treating):
    note = make_note(**{**COMPLETE, "analysis": ""})
    signed = services.note_sign(
        note=note, by=treating, version=note.version, data={"analysis": "Typed just before signing."}
    )
    assert signed.analysis == "Typed just before signing."


def test_signing_also_signs_the_linked_assessment(make_note, treating, client_record):
    from assessments.services import AssessmentData, assessment_create

    assessment = assessment_create(
        client=client_record, by=treating, data=AssessmentData(assessed_on=timezone.localdate())
    )
    note = make_note(**COMPLETE)
    services.note_link_assessment(note=note, by=treating, assessment=assessment)
    services.note_sign(note=note, by=treating)
    assessment.refresh_from_db()
    assert assessment.is_signed and assessment.signed_by == treating


def test_an_assessment_of_another_client_cannot_be_linked(make_note, treating, make_client):
    from assessments.services import AssessmentData, assessment_create

    other = make_client(treating)
    assessment = assessment_create(
        client=other, by=treating, data=AssessmentData(assessed_on=timezone.localdate())
    )
    note = make_note()
    with pytest.raises(ValidationError, match="another client"):
        services.note_link_assessment(note=note, by=treating, assessment=assessment)


def test_a_signed_note_refuses_every_service_write(signed_note, treating, add_row, catalogue):
    note = signed_note()
    with pytest.raises(RecordLocked):
        services.note_update(note=note, by=treating, data={"analysis": "changed"}, version=note.version)
    with pytest.raises(RecordLocked):
        add_row(note)
    with pytest.raises(RecordLocked):
        services.treatment_remove(treatment=note.treatments.first(), by=treating)
    with pytest.raises(RecordLocked):
        services.note_sign(note=note, by=treating)
    with pytest.raises(RecordLocked):
        services.palpation_add(note=note, by=treating, data={"region": catalogue["region"]["soleus"]})


def test_an_addendum_is_a_separate_signed_record_and_leaves_the_note_unchanged(
    signed_note, colleague, treating
):
    note = signed_note()
    original = VisitNote.objects.get(pk=note.pk)
    amendment = services.amendment_add(
        note=note, by=treating, kind="addendum", reason="Client called back", text="Soreness settled in 24 h."
    )
    assert amendment.is_signed and amendment.signature_line == "Treating Therapist, RMT"
    assert amendment.note_id == note.pk
    after = VisitNote.objects.get(pk=note.pk)
    assert (after.analysis, after.content_hash, after.version) == (
        original.analysis,
        original.content_hash,
        original.version,
    )
    assert services.note_verify(after)


def test_an_amendment_needs_a_reason_and_text(signed_note, treating):
    note = signed_note()
    with pytest.raises(ValidationError) as exc:
        services.amendment_add(note=note, by=treating, kind="correction", reason=" ", text="")
    assert {"reason", "text"} <= set(exc.value.message_dict)
    assert not Amendment.objects.exists()


def test_a_draft_takes_no_addendum_but_can_be_marked_entered_in_error(make_note, treating):
    note = make_note()
    with pytest.raises(ValidationError, match="still a draft"):
        services.amendment_add(note=note, by=treating, kind="addendum", reason="r", text="t")
    services.amendment_add(note=note, by=treating, kind="entered_in_error", reason="Wrong client")
    with pytest.raises(RecordLocked):
        services.note_update(note=note, by=treating, data={"subjective": "x"}, version=note.version)


def test_entered_in_error_keeps_the_note_and_can_be_marked_only_once(signed_note, treating):
    note = signed_note()
    services.amendment_add(note=note, by=treating, kind="entered_in_error", reason="Wrong chart")
    with pytest.raises(ValidationError, match="already marked"):
        services.amendment_add(note=note, by=treating, kind="entered_in_error", reason="again")
    annotated = VisitNote.objects.with_error_flag().get(pk=note.pk)
    assert annotated.in_error
    assert VisitNote.objects.filter(pk=note.pk).exists()


def test_late_entry_amendment_keeps_its_own_time(signed_note, treating):
    note = signed_note(hours_ago=72)
    later = timezone.now()
    amendment = services.amendment_add(
        note=note, by=treating, kind="late_entry", reason="Documented after the fact", text="Taping applied."
    )
    assert amendment.signed_at >= later > note.service_at + timedelta(hours=24)


def test_a_snippet_is_personal_unless_an_admin_makes_it_clinic_wide(treating, owner):
    mine = services.snippet_create(by=treating, title="Mine", text="Personal phrase")
    assert mine.owner == treating
    with pytest.raises(ValidationError):
        services.snippet_create(by=treating, title="All", text="x", clinic_wide=True)
    shared = services.snippet_create(by=owner, title="All", text="Clinic phrase", clinic_wide=True)
    assert shared.owner is None


def test_treatment_rows_are_ordered_as_logged(make_note, add_row):
    note = make_note()
    add_row(note, technique="cupping")
    add_row(note, technique="pnf")
    assert [t.technique.code for t in Treatment.objects.for_note(note)] == ["cupping", "pnf"]
