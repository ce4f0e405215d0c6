"""The audit log's head is published outside the database (AUD-5): deleting the newest
rows, or rewriting rows behind a published head, fails audit_verify without --anchor;
an edited head line is detected by its own signature."""

from __future__ import annotations

import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit import log as audit
from audit.heads import (
    RESTORE,
    PublishedHead,
    check_heads,
    head_file,
    heads_in_force,
    parse_line,
    publish_head,
    read_heads,
)
from audit.log import audit_record, key_id_for, verify_chain
from audit.models import AuditEvent
from tests.trust.audit_tamper import drop_append_only_trigger, rewrite_from

pytestmark = pytest.mark.django_db


def _record(user, n: int) -> list[AuditEvent]:
    return [audit_record(actor=user, action="view", client=3, detail={"n": i}) for i in range(n)]


def _verify() -> tuple[bool, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue(), err.getvalue() + str(exc)
    return True, out.getvalue(), err.getvalue()


def _publish() -> str:
    out = StringIO()
    call_command("audit_publish_head", stdout=out)
    return out.getvalue()


def test_publishing_appends_one_signed_line_to_a_private_file_and_the_log(
    settings, tmp_path, treating, caplog
):
    settings.KC_AUDIT_HEAD_FILE = tmp_path / "heads" / "audit-heads.log"
    events = _record(treating, 3)
    with caplog.at_level(logging.INFO, logger="clinic.audit"):
        out = _publish()
    path = settings.KC_AUDIT_HEAD_FILE
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert path.stat().st_mode & 0o777 == 0o600
    [line] = path.read_text().splitlines()
    assert line in out
    assert [r.getMessage() for r in caplog.records if r.name == "clinic.audit"] == [line]
    head = events[-1]
    assert f" audit-head id={head.pk} hash={head.hash} key={head.key_id} mac={head.key_id}:" in line
    parsed, problem = parse_line(line, 1)
    assert problem is None and parsed.event_id == head.pk

    more = _record(treating, 2)
    _publish()
    heads, problems = read_heads()
    assert problems == []
    assert [h.event_id for h in heads] == [head.pk, more[-1].pk]
    ok, text, err = _verify()
    assert ok, err
    assert "2 published head(s)" in text


def test_the_head_file_defaults_to_the_backup_folder(settings, tmp_path, monkeypatch, treating):
    settings.KC_AUDIT_HEAD_FILE = None
    monkeypatch.setattr("audit.heads.default_backup_dir", lambda: tmp_path / "backups")
    assert head_file() == tmp_path / "backups" / "audit-heads.log"
    _record(treating, 1)
    publish_head()
    assert (tmp_path / "backups").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "backups" / "audit-heads.log").stat().st_mode & 0o777 == 0o600


def test_deleting_the_newest_rows_after_a_head_was_published_fails_verification(treating):
    events = _record(treating, 20)
    _publish()
    drop_append_only_trigger()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM clinic_auditevent WHERE id >= %s", [events[15].pk])
    assert verify_chain() == []  # the shorter chain is intact ...

    ok, _, err = _verify()  # ... but the published head is gone, no --anchor needed

    assert not ok
    assert f"published head {events[-1].pk} (line 1, " in err
    assert "the event is missing from the database (the log was truncated)" in err
    assert f"the newest event is {events[14].pk}, but head {events[-1].pk} was published" in err
    failed = AuditEvent.objects.filter(action="audit_verify_failed").get()
    assert failed.outcome == "denied"
    assert failed.detail["problems"] == 2
    assert "the log was truncated" in failed.detail["first"]


def test_rows_rewritten_behind_a_published_head_fail_even_when_rewritten_with_the_key(treating):
    """An insider holding the key can recompute the chain; the published head still differs."""
    events = _record(treating, 10)
    _publish()
    key = audit.current_key()
    rewrite_from(
        events[4].pk,
        sign=lambda prev, fields: audit.compute_hash(prev, fields, key),
        key_id=key.key_id,
        edit=lambda event: setattr(event, "outcome", "denied"),
    )
    assert verify_chain() == []
    ok, _, err = _verify()
    assert not ok
    assert f"published head {events[-1].pk}" in err and "differs from the published one (rewritten)" in err


def test_an_edited_head_line_is_detected(treating):
    events = _record(treating, 4)
    _publish()
    path = head_file()
    line = path.read_text()
    path.write_text(line.replace(f"id={events[-1].pk} ", f"id={events[1].pk} "))
    ok, _, err = _verify()
    assert not ok
    assert "head file line 1: its signature does not match (the line was edited)" in err

    path.write_text("2026-01-01T00:00:00Z audit-head id=1\n")
    assert read_heads()[1] == ["head file line 1: not a published head (the line was edited or damaged)"]


def test_a_head_line_signed_with_a_key_the_server_does_not_hold_is_reported(settings, treating):
    settings.KC_AUDIT_KEYS = ["a-key-that-is-later-dropped-" + "x" * 20]
    _record(treating, 2)
    _publish()
    dropped = key_id_for(settings.KC_AUDIT_KEYS[0].encode())
    settings.KC_AUDIT_KEYS = []
    assert read_heads()[1] == [
        f"head file line 1: signed with a key this server does not hold (key id {dropped}); "
        "put that key back on a retired line of KC_AUDIT_KEY_FILE"
    ]


def test_without_a_head_file_verification_warns_that_truncation_goes_unseen(treating):
    _record(treating, 2)
    ok, _, err = _verify()
    assert ok
    assert "Warning: no published audit heads" in err
    assert "deleting the newest audit events cannot be detected" in err


def test_a_head_is_not_published_over_a_log_tampered_with_since_the_last_one(treating):
    events = _record(treating, 5)
    _publish()
    later = _record(treating, 5)
    drop_append_only_trigger()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE clinic_auditevent SET outcome = 'denied' WHERE id = %s", [later[2].pk])
    with pytest.raises(CommandError, match=f"event {later[2].pk}: contents do not match its hash"):
        _publish()
    assert len(head_file().read_text().splitlines()) == 1
    assert AuditEvent.objects.filter(action="audit_verify_failed").exists()

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM clinic_auditevent WHERE id >= %s", [events[-1].pk])
    with pytest.raises(CommandError, match="the log was truncated"):
        _publish()


def test_audit_record_logs_the_head_every_so_many_rows_at_no_extra_query(
    monkeypatch, treating, caplog, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(audit, "HEAD_LOG_EVERY", 4)
    first = audit_record(actor=treating, action="login")
    while (first.pk + 2) % 4:  # the next row logs no head, the one after it does
        first = audit_record(actor=treating, action="login")
    with CaptureQueriesContext(connection) as plain:
        audit_record(actor=treating, action="login")
    with (
        caplog.at_level(logging.INFO, logger="clinic.audit"),
        django_capture_on_commit_callbacks(execute=True),
        CaptureQueriesContext(connection) as logging_head,
    ):
        event = audit_record(actor=treating, action="login")
    assert len(logging_head) == len(plain)
    assert event.pk % 4 == 0
    [line] = [r.getMessage() for r in caplog.records if r.name == "clinic.audit"]
    head, problem = parse_line(line, 1)
    assert problem is None
    assert (head.event_id, head.hash, head.key_id) == (event.pk, event.hash, event.key_id)


def test_a_restore_line_retires_the_heads_of_the_history_it_replaced():
    def head(kind, event_id, line_no):
        return PublishedHead(kind, "t", event_id, "h", "k", line_no)

    heads = [
        head("audit-head", 10, 1),
        head("audit-head", 50, 2),
        head(RESTORE, 30, 3),
        head("audit-head", 45, 4),
    ]
    assert [(h.event_id, h.line_no) for h in heads_in_force(heads)] == [(10, 1), (30, 3), (45, 4)]


def test_a_copy_is_checked_only_against_the_heads_up_to_its_newest_event(treating):
    events = _record(treating, 4)
    _publish()
    drop_append_only_trigger()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM clinic_auditevent WHERE id >= %s", [events[2].pk])
    assert check_heads(within=True).problems == []
    assert len(check_heads().problems) == 2


def test_a_whole_log_rewritten_without_the_key_and_backdated_is_caught_by_a_published_head(treating):
    """Rows rewritten as if written before the upgrade, then a new event chained to them:
    the chain alone cannot tell (that is why heads are published), the head can."""
    events = _record(treating, 6)
    _publish()
    rewrite_from(
        events[0].pk,
        sign=lambda prev, fields: audit.compute_hash(prev, fields),
        key_id="",
        edit=lambda event: setattr(event, "outcome", "denied"),
        at=audit._chain_keyed_at() - timedelta(days=30),
    )
    _record(treating, 1)
    assert verify_chain() == []
    ok, _, err = _verify()
    assert not ok
    assert f"published head {events[-1].pk}" in err and "(rewritten)" in err
