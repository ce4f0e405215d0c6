"""The care-set catalogues, findings wording in the note templates, and joint
mobilisation only for therapists whose profile puts it in their scope."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from clinic.services import user_update
from notes import services
from notes.models import NoteTemplate, Technique, Treatment

NEW_TECHNIQUES = {
    "effleurage",
    "petrissage",
    "cross_fibre_friction",
    "soft_tissue_release",
    "compression",
    "percussion_device",
    "heat",
    "ice",
    "education",
    "exercise_instruction",
    "taping",
}
NEW_REGIONS = {
    "abductor_hallucis",
    "long_toe_flexors",
    "deep_posterior_calf",
    "tibialis_anterior",
    "adductors",
    "heel_fat_pad",
    "first_mtp_toes",
    "ankle_subtalar",
}


def test_the_catalogues_hold_every_code_the_safety_table_names(catalogue):
    assert set(catalogue["technique"]) >= NEW_TECHNIQUES
    assert set(catalogue["region"]) >= NEW_REGIONS
    assert not any(catalogue["technique"][code].has_grade for code in NEW_TECHNIQUES)
    from notes import safety

    if hasattr(safety, "AWAITING_CATALOGUE"):
        assert set(safety.AWAITING_CATALOGUE) <= set(catalogue["technique"]) | set(catalogue["region"])


def test_the_initial_visit_template_asks_for_findings_not_a_diagnosis(db):
    analysis = NoteTemplate.objects.get(kind="initial").content["analysis"]
    assert analysis.startswith("Findings")
    assert "consistent with" not in analysis.lower()
    assert "fasciitis" not in analysis.lower()


def _scope(user, desk, value: bool) -> None:
    user_update(user=user, by=desk, data={"joint_mobilisation_in_scope": value})
    user.refresh_from_db()


def test_joint_mobilisation_is_refused_without_scope_and_nothing_is_saved(make_note, add_row, treating):
    note = make_note()
    with pytest.raises(ValidationError) as exc:
        add_row(note, technique="joint_mobilisation", region="ankle_subtalar", grade="II")
    assert "scope of practice" in exc.value.message_dict["technique"][0]
    assert note.treatments.count() == 0


def test_joint_mobilisation_is_logged_once_the_profile_puts_it_in_scope(make_note, add_row, treating, desk):
    _scope(treating, desk, True)
    note = make_note()
    row = add_row(note, technique="joint_mobilisation", region="ankle_subtalar", grade="II")
    assert row.technique.code == "joint_mobilisation"


def test_the_treatment_form_hides_joint_mobilisation_without_scope(make_note, as_treating, treating, desk):
    joint = Technique.objects.get(code="joint_mobilisation")
    note = make_note()
    page = as_treating.get(reverse("note_detail", args=[note.pk])).content.decode()
    assert f'value="{joint.pk}"' not in page.split('name="t-technique"')[1].split("</select>")[0]
    assert "Effleurage" in page
    _scope(treating, desk, True)
    page = as_treating.get(reverse("note_detail", args=[note.pk])).content.decode()
    assert f'value="{joint.pk}"' in page.split('name="t-technique"')[1].split("</select>")[0]


def test_a_posted_joint_mobilisation_without_scope_is_refused_beside_the_field(
    make_note, as_treating, catalogue
):
    note = make_note()
    response = as_treating.post(
        reverse("treatment_add", args=[note.pk]),
        {
            "t-technique": catalogue["technique"]["joint_mobilisation"].pk,
            "t-region": catalogue["region"]["ankle_subtalar"].pk,
            "t-side": "L",
            "t-minutes": 8,
            "t-pressure": 2,
            "t-grade": "II",
            "t-response": "eased",
        },
    )
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content
    assert Treatment.objects.filter(note=note).count() == 0


def test_repeat_last_does_not_carry_a_colleagues_joint_mobilisation_to_a_therapist_without_scope(
    make_note, add_row, treating, colleague, desk, catalogue, client_record
):
    _scope(treating, desk, True)
    previous = make_note(hours_ago=24 * 7)
    add_row(previous, technique="joint_mobilisation", region="ankle_subtalar", grade="II")
    add_row(previous, technique="effleurage", region="gastroc_medial")
    _scope(treating, desk, False)
    copied = services._copy_treatments(source=previous, target=make_note(), therapist=treating)
    assert [row.technique.code for row in copied] == ["effleurage"]


def test_scope_is_set_on_the_user_page_by_an_admin_and_audited_as_a_role_change(as_desk, treating):
    response = as_desk.post(
        reverse("user_edit", args=[treating.pk]),
        {
            "first_name": treating.first_name,
            "last_name": treating.last_name,
            "email": "",
            "credentials": "RMT",
            "is_therapist": "on",
            "joint_mobilisation_in_scope": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    treating.refresh_from_db()
    assert treating.joint_mobilisation_in_scope
    event = AuditEvent.objects.filter(action="role_change", object_id=str(treating.pk)).latest("id")
    assert event.detail["changed"]["joint_mobilisation_in_scope"] == [False, True]


def test_scope_is_refused_for_an_account_that_is_not_a_therapist(desk, as_desk):
    from clinic.models import User

    other = User.objects.create_user(username="frontdesk2", password="test-pass-1234!", is_clinic_admin=True)
    with pytest.raises(ValidationError):
        user_update(user=other, by=desk, data={"joint_mobilisation_in_scope": True})
    other.refresh_from_db()
    assert not other.joint_mobilisation_in_scope
