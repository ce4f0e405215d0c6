"""The audit chain's head row: read and locked in one statement per append, moved by the
insert itself, and never letting two writers chain to the same row."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from audit import chain_head
from audit.log import GENESIS_HASH, audit_record, verify_chain
from audit.models import AuditEvent, ChainHead
from tests.trust.audit_tamper import drop_append_only_trigger

pytestmark = pytest.mark.django_db


def _head() -> tuple[int, str]:
    return ChainHead.objects.values_list("event_id", "hash").get(pk=1)


def _newest() -> tuple[int, str]:
    return AuditEvent.objects.order_by("-id").values_list("id", "hash").first()


def test_the_head_follows_every_append(treating):
    for n in range(3):
        event = audit_record(actor=treating, action="view", client=7, detail={"n": n})
        assert _head() == (event.pk, event.hash)
    assert verify_chain() == []


def test_the_head_follows_an_insert_made_without_audit_record(treating):
    """The trigger moves the head, whoever inserts (it never depends on the caller)."""
    first = audit_record(actor=treating, action="view", client=7)
    forged = AuditEvent.objects.create(
        at=first.at, action="view", prev_hash=first.hash, hash="f" * 64, key_id=first.key_id
    )
    assert _head() == (forged.pk, "f" * 64)
    nxt = audit_record(actor=treating, action="view", client=7)
    assert nxt.prev_hash == "f" * 64  # chained to the newest row, whatever it holds


def test_an_append_costs_the_head_statement_and_the_insert(treating, django_assert_num_queries):
    audit_record(actor=treating, action="view", client=7)
    with CaptureQueriesContext(connection) as ctx:
        audit_record(actor=treating, action="view", client=7)
    statements = [
        q["sql"] for q in ctx.captured_queries if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert len(statements) == 2
    assert "audit_chainhead" in statements[0] and statements[1].upper().startswith("INSERT")
    if connection.vendor == "postgresql":
        # The deferred foreign-key checks, then the head read and locked: one round trip.
        assert statements[0].startswith("SET CONSTRAINTS ALL IMMEDIATE")
        assert statements[0].endswith("FOR NO KEY UPDATE")
    assert not any("advisory" in sql for sql in statements)
    with django_assert_num_queries(4):  # savepoint, head, insert, release
        audit_record(actor=treating, action="view", client=7)


def test_two_rows_in_one_transaction_keep_the_lock_order(treating):
    """The guard (autouse) refuses a row lock after an audit row; the head lock of the
    second row is the chain lock already held, so it is allowed."""
    with transaction.atomic():
        first = audit_record(actor=treating, action="view", client=7)
        second = audit_record(actor=treating, action="view", client=7)
    assert second.prev_hash == first.hash
    assert verify_chain() == []


def test_a_missing_head_row_is_put_back_from_the_newest_event(treating):
    events = [audit_record(actor=treating, action="view", client=7) for _ in range(3)]
    ChainHead.objects.all().delete()
    again = audit_record(actor=treating, action="view", client=7)
    assert again.prev_hash == events[-1].hash
    assert _head() == (again.pk, again.hash)
    assert verify_chain() == []


def test_an_empty_log_starts_at_the_genesis_hash(treating):
    drop_append_only_trigger()
    AuditEvent.objects.all().delete()
    ChainHead.objects.all().delete()
    first = audit_record(actor=treating, action="view", client=7)
    assert first.prev_hash == GENESIS_HASH
    assert verify_chain() == []


def test_deleting_the_newest_rows_breaks_the_chain_at_the_next_append(treating):
    """The head remembers the deleted newest row: the next row chains to it, and the
    chain shows the gap even without a published head."""
    events = [audit_record(actor=treating, action="view", client=7) for _ in range(4)]
    drop_append_only_trigger()
    AuditEvent.objects.filter(pk=events[-1].pk).delete()
    nxt = audit_record(actor=treating, action="view", client=7)
    assert verify_chain() == [
        f"event {nxt.pk}: chain broken (a row before it was deleted, inserted or reordered)"
    ]


def test_the_trigger_is_put_back_after_migrate():
    assert chain_head.ensure_chain_head_trigger() == len(chain_head.trigger_statements(connection.vendor))


WRITERS = 8
ROWS = 25


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the in-memory SQLite test database is one connection's; SQLite's concurrent writers "
    "(separate processes on a file) are test_data_integrity's",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain(treating):
    """Eight connections append at once, some rows alone (as a page view writes them),
    some five to a transaction (as a service writes them); they queue on the head row
    lock. Every row chains to the one before it, and no two to the same row."""
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            start.wait()
            for n in range(ROWS):
                if n % 5:
                    audit_record(actor=None, action="login", detail={"username": f"w{worker}", "n": n})
                else:
                    with transaction.atomic():
                        for m in range(5):
                            audit_record(actor=None, action="view", client=worker, detail={"n": n, "m": m})
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEvent.objects.count() == WRITERS * (ROWS - ROWS // 5 + 5 * (ROWS // 5))
    assert verify_chain() == []
    assert _head() == _newest()
    prevs = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(prevs) == len(set(prevs))  # no two rows chained to the same row
