"""The audit page reads as plain sentences: no model labels, record codes or raw JSON."""

from __future__ import annotations

from audit.log import audit_record
from trust import audit_words
from trust.views.audit import KNOWN_ACTIONS


def test_viewing_a_chart_reads_as_a_sentence(as_desk, treating, client_record):
    audit_record(actor=treating, action="view", client=client_record.pk, target=client_record)
    html = as_desk.get("/audit/", {"client": client_record.pk}).content.decode()
    assert "Treating Therapist viewed the chart of Priya Raman" in html
    assert "clinic.client" not in html


def test_details_are_words_not_json(as_desk, treating, client_record):
    audit_record(
        actor=treating,
        action="update",
        client=client_record.pk,
        target=client_record,
        detail={"fields": ["phone", "email"], "late_entry": False},
    )
    page = as_desk.get("/audit/", {"client": client_record.pk, "action": "update"}).content.decode()
    html = page[page.index("<tbody>") :]
    assert "fields: phone, email" in html
    assert "late entry: no" in html
    assert '{"' not in html and "[&quot;" not in html


def test_records_are_named_by_their_plain_name():
    assert audit_words.record_name("notes.visitnote") == "visit note"
    assert (
        audit_words.sentence(
            action="sign", actor="Sam Okafor", object_type="notes.visitnote", client="Maya Thornbury"
        )
        == "Sam Okafor signed a visit note of Maya Thornbury"
    )
    assert (
        audit_words.sentence(action="login", actor="Sam Okafor", object_type="", client="")
        == "Sam Okafor signed in"
    )


def test_every_action_in_the_filter_has_a_plain_label():
    for action in KNOWN_ACTIONS:
        label = audit_words.action_label(action)
        assert "_" not in label and label[:1].isupper(), action


def test_progress_report_events_read_as_sentences():
    def said(action, object_type="reports.progressreport"):
        return audit_words.sentence(action=action, actor="Sam Okafor", object_type=object_type, client="Maya")

    assert said("create") == "Sam Okafor added a progress report of Maya"
    assert said("update") == "Sam Okafor changed a progress report of Maya"
    assert said("sign") == "Sam Okafor signed a progress report of Maya"
    assert said("view") == "Sam Okafor viewed a progress report of Maya"
    assert said("download") == "Sam Okafor downloaded a progress report of Maya"
    assert said("report_preview", "") == (
        "Sam Okafor printed a progress report preview for a period, not saved as a record (record of Maya)"
    )


def test_moving_a_program_exercise_reads_as_words_on_the_audit_page(as_desk, treating, client_record):
    from programs import services
    from programs.models import Exercise

    draft = services.program_draft(client=client_record, by=treating)
    for name in ("Clamshell", "Toe yoga"):
        services.program_item_add(draft=draft, exercise=Exercise.objects.get(name=name), by=treating)
    toe = draft.items.get(exercise__name="Toe yoga")
    services.program_item_move(item=toe, by=treating, offset=-1)
    page = as_desk.get("/audit/", {"client": client_record.pk, "action": "update"}).content.decode()
    html = page[page.index("<tbody>") :]
    assert "Treating Therapist changed a program version of Priya Raman" in html
    assert "moved: Toe yoga" in html and "position: 1 of 2" in html
    assert "programs.programversion" not in html and '{"' not in html
