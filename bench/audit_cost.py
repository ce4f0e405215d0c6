"""What one audit row costs: ``audit_record`` per call, and ``verify_chain`` per row.

    python bench/audit_cost.py                       # SQLite: a throw-away file, migrated here
    DATABASE_URL=postgres://.../kc_audit_bench python bench/audit_cost.py   # an empty database

Prints one JSON object: the median of several runs, in microseconds per row, of
``audit_record`` in its own transaction (as a management command writes it) and
inside a transaction of 50 rows (as a service writes it, with other work), as CPU
time of this process (``_cpu``, what the code costs, whatever else runs on the
machine) and as wall time (``_wall``, with the database's commits and the machine's
load); ``verify_chain`` per row (CPU); and the row hash alone (``compute_hash``, CPU),
as the plain SHA-256 and, where the code has an audit key, as the HMAC. Never point it
at a clinic's database: it adds rows to the audit log, which cannot be removed.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ["KC_SQLITE_PATH"] = str(Path(tempfile.mkdtemp(prefix="kc-audit-bench-")) / "bench.sqlite3")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from audit import log as audit  # noqa: E402
from audit.models import AuditEvent  # noqa: E402

ROWS = 1000
RUNS = 5
BATCH = 50


def _per_row_us(func, rows: int) -> tuple[float, float]:
    """(CPU, wall) microseconds per row."""
    cpu, wall = time.process_time(), time.perf_counter()
    func(rows)
    return (time.process_time() - cpu) / rows * 1e6, (time.perf_counter() - wall) / rows * 1e6


def _alone(rows: int) -> None:
    for n in range(rows):
        audit.audit_record(actor=None, action="login", detail={"username": "bench", "n": n})


def _batched(rows: int) -> None:
    for start in range(0, rows, BATCH):
        with transaction.atomic():
            for n in range(start, start + BATCH):
                audit.audit_record(actor=None, action="view", client=n, detail={"n": n})


def _hash_only(key):
    event = AuditEvent.objects.order_by("-id").first()
    fields = audit.hashed_fields(event)

    def run(rows: int) -> None:
        for _ in range(rows):
            if key is None:
                audit.compute_hash(event.prev_hash, fields)
            else:
                audit.compute_hash(event.prev_hash, fields, key)

    return run


def _median(samples: list[float]) -> float:
    return round(statistics.median(samples), 1)


def main() -> None:
    call_command("migrate", verbosity=0, interactive=False)
    if AuditEvent.objects.exists():
        sys.exit("Use an empty database: this benchmark adds rows to its audit log.")
    _alone(50)  # warm up: connections, caches
    alone = [_per_row_us(_alone, ROWS) for _ in range(RUNS)]
    batched = [_per_row_us(_batched, ROWS) for _ in range(RUNS)]
    keyed = hasattr(audit, "current_key")
    plain = [_per_row_us(_hash_only(None), 20000)[0] for _ in range(RUNS)]
    hmac = [_per_row_us(_hash_only(audit.current_key()), 20000)[0] for _ in range(RUNS)] if keyed else []
    total = AuditEvent.objects.count()
    verify = []
    for _ in range(RUNS):
        started = time.process_time()
        problems = audit.verify_chain()
        verify.append((time.process_time() - started) / total * 1e6)
        assert problems == [], problems[:3]
    result = {
        "database": connection.vendor,
        "keyed": keyed,
        "audit_record_own_transaction_cpu_us": _median([c for c, _ in alone]),
        "audit_record_own_transaction_wall_us": _median([w for _, w in alone]),
        f"audit_record_in_a_transaction_of_{BATCH}_cpu_us": _median([c for c, _ in batched]),
        f"audit_record_in_a_transaction_of_{BATCH}_wall_us": _median([w for _, w in batched]),
        "row_hash_sha256_cpu_us": round(statistics.median(plain), 2),
        "row_hash_hmac_cpu_us": round(statistics.median(hmac), 2) if hmac else None,
        "verify_chain_per_row_cpu_us": _median(verify),
        "rows_in_log": total,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
