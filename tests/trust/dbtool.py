"""Run in a subprocess against a temporary database (see tempdb.py):

    python -m tests.trust.dbtool write --worker 3 --count 25
    python -m tests.trust.dbtool checksums
    python -m tests.trust.dbtool summary
    python -m tests.trust.dbtool die-midway

Each prints one JSON line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import sys
from datetime import date


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    import django

    django.setup()


def write(worker: int, count: int) -> dict:
    """One simulated therapist's session: create clients, then edit each one
    (a read-then-write), all through the services, each writing audit rows."""
    from django.db import OperationalError

    from clinic import services
    from clinic.models import User

    user = User.objects.create_user(username=f"writer{worker}", password="x" * 16, is_therapist=True)
    created, errors = [], []
    for n in range(count):
        try:
            client = services.client_create(
                by=user,
                data={
                    "first_name": f"W{worker}",
                    "last_name": f"Client{n}",
                    "date_of_birth": date(1980, 1, 1 + n % 28),
                    "primary_therapist": user,
                },
            )
            services.client_update(
                client=client, by=user, data={"occupation": f"edit {n}"}, version=client.version
            )
            created.append(client.pk)
        except OperationalError as exc:  # "database is locked" would land here
            errors.append(str(exc))
    return {"worker": worker, "created": created, "errors": errors}


def checksums(skip_audit_action: str = "") -> dict:
    """SHA-256 of every table's rows in primary-key order. Audit rows of one
    action can be left out (the restore's own record of itself); the chain head is
    then the newest row kept, as it was before that record moved it."""
    from django.db import connection

    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            where = ""
            if table == "clinic_auditevent" and skip_audit_action:
                where = f" WHERE action <> '{skip_audit_action}'"
            if table == "audit_chainhead" and skip_audit_action:
                cursor.execute(
                    "SELECT 1, id, hash FROM clinic_auditevent "
                    f"WHERE action <> '{skip_audit_action}' ORDER BY id DESC LIMIT 1"
                )
            else:
                cursor.execute(f'SELECT * FROM "{table}"{where} ORDER BY 1')
            digest = hashlib.sha256()
            rows = 0
            for row in cursor.fetchall():
                digest.update(repr(tuple(_normal(v) for v in row)).encode())
                rows += 1
            result[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return result


def _normal(value):
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def summary() -> dict:
    from audit.log import verify_chain
    from audit.models import AuditEvent, ChainHead
    from clinic.models import Client

    head = ChainHead.objects.values_list("event_id", "hash").first()
    newest = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
    return {
        "chain_head_at_newest": head == newest or (head == (0, "0" * 64) and newest is None),
        "clients": Client.objects.count(),
        "client_ids": sorted(Client.objects.values_list("id", flat=True)),
        "history": Client.history.count(),
        "audit": AuditEvent.objects.count(),
        "chain_problems": verify_chain(),
    }


def die_midway() -> dict:
    """A worker killed (SIGKILL, no clean-up) in the middle of a request, after
    the client row is written and before the transaction commits."""
    from audit import log as audit
    from clinic import services
    from clinic.models import User

    user = User.objects.create_user(username="doomed", password="x" * 16, is_therapist=True)

    def killed(**kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    audit.audit_record = killed
    services.audit_record = killed
    services.client_create(
        by=user,
        data={
            "first_name": "Half",
            "last_name": "Written",
            "date_of_birth": date(1990, 1, 1),
            "primary_therapist": user,
        },
    )
    return {"survived": True}


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["write", "checksums", "summary", "die-midway"])
    parser.add_argument("--worker", type=int, default=0)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--skip-audit-action", default="")
    args = parser.parse_args(argv)
    _setup()
    if args.command == "write":
        out = write(args.worker, args.count)
    elif args.command == "checksums":
        out = checksums(args.skip_audit_action)
    elif args.command == "summary":
        out = summary()
    else:
        out = die_midway()
    sys.stdout.write(json.dumps(out, default=str) + "\n")


if __name__ == "__main__":
    main()
