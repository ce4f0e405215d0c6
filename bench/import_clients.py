"""How long the client import takes for a large client list (default 10,000 rows).

Run: .venv/bin/python bench/import_clients.py [ROWS]
Uses a scratch SQLite database (or DATABASE_URL), migrated from empty."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    scratch = tempfile.mkdtemp(prefix="kc-import-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from clinic import import_services
    from clinic.models import Client, User

    call_command("migrate", verbosity=0)
    admin = User.objects.create_user("bench-admin", password="x" * 16, is_clinic_admin=True)
    therapist = User.objects.create_user("bench-therapist", password="x" * 16, is_therapist=True)
    lines = ["First Name,Last Name,Date of Birth,Sex,Email,Mobile,Address 1,City,Post Code,Referral Source"]
    for n in range(rows):
        lines.append(
            f"Client{n},Surname{n % 997},{1 + n % 28:02d}/{1 + n % 12:02d}/{1940 + n % 70},"
            f"{'FM'[n % 2]},client{n}@example.com,0400 {n:06d},{n} High St,Leeds,LS1 1AA,GP"
        )
    content = ("\n".join(lines) + "\n").encode()
    started = time.perf_counter()
    upload, preview = import_services.client_import_upload(
        by=admin, file_name="bench.csv", content=content, primary_therapist=therapist
    )
    previewed = time.perf_counter()
    summary = import_services.clients_import(upload=upload, by=admin)
    done = time.perf_counter()
    assert summary["imported"] == Client.objects.count() == rows, summary
    print(
        f"{rows} rows ({len(content) / 1e6:.1f} MB): preview {previewed - started:.1f} s, "
        f"import {done - previewed:.1f} s, total {done - started:.1f} s "
        f"on {django.db.connection.vendor}"
    )


if __name__ == "__main__":
    main()
