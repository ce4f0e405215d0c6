"""Lock order of audit writes (see audit.log): after its audit row a transaction
takes no new row lock, and rows are locked FOR NO KEY UPDATE. On PostgreSQL the
audit chain lock is held until COMMIT, so a row lock taken after it can deadlock."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from audit.log import LockOrderError, audit_record
from clinic.models import User


def test_a_row_lock_after_the_audit_row_in_one_transaction_is_refused(db, treating, colleague):
    with pytest.raises(LockOrderError, match="after audit_record"), transaction.atomic():
        audit_record(actor=treating, action="update", target=treating)
        if connection.vendor == "postgresql":
            User.objects.select_for_update(no_key=True).get(pk=colleague.pk)
        else:  # SQLite has no row locks; a DELETE stands for any lock-taking statement
            User.objects.filter(pk=colleague.pk).delete()


def test_locks_before_the_audit_row_and_in_the_next_transaction_are_fine(db, treating, colleague):
    with transaction.atomic():
        User.objects.select_for_update(no_key=True).get(pk=treating.pk)
        audit_record(actor=treating, action="update", target=treating)
        User.objects.filter(pk=treating.pk).update(first_name="Changed")  # already locked
    with transaction.atomic():
        User.objects.select_for_update(no_key=True).get(pk=colleague.pk)
        audit_record(actor=treating, action="update", target=colleague)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks")
def test_a_key_lock_is_refused(db, treating):
    with pytest.raises(LockOrderError, match="no_key=True"), transaction.atomic():
        User.objects.select_for_update().get(pk=treating.pk)
