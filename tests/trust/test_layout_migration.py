"""The apps were rearranged (the audit log and the trust models left ``clinic`` for apps of
their own) without touching the database. A database as the release before the move left
it (every migration up to then, the demo clinic seeded) is migrated to the new layout, and
every table holds exactly what it held: same rows, same content. Only Django's own record
of which app owns a model changes (django_migrations gains rows, django_content_type names
the new app for the moved models and keeps their ids, so permissions still point at them).
"""

from __future__ import annotations

import pytest

from tests.trust import tempdb

# The layout before the move, reached from a seeded database by migrating back: clinic
# before the moves, the audit and trust apps unapplied, and the apps added since the move
# (the client's own view, before the visit) taken out, as they did not exist then.
HEAD_BEFORE = ("clinic", "0016_user_registration_number")
HEAD_AFTER = ("clinic", "0018_sign_in_throttle_moves_to_trust")
LATER_APPS = ("previsit", "portal")
# (model name, app before, app after)
MOVED = [("auditevent", "clinic", "audit"), ("signinthrottle", "clinic", "trust")]
# What may differ: the migration log, and which app the content types name.
BOOKKEEPING = {"django_migrations", "django_content_type"}

AS_BEFORE = """
import django, json; django.setup()
from django.contrib.contenttypes.models import ContentType
# The release before the move knew these models under their old app only.
for model, before, after in {moved!r}:
    if ContentType.objects.filter(app_label=before, model=model).exists():
        ContentType.objects.filter(app_label=after, model=model).delete()
    else:
        ContentType.objects.filter(app_label=after, model=model).update(app_label=before)
print(json.dumps({{}}))
"""

CONTENT_TYPES = """
import django, json; django.setup()
from django.contrib.contenttypes.models import ContentType
print(json.dumps({f"{c.app_label}.{c.model}": c.pk for c in ContentType.objects.all()}))
"""

AUDIT_STILL_APPEND_ONLY = """
import django, json; django.setup()
from django.db import DatabaseError, connection, transaction
refused = []
for sql in ("UPDATE clinic_auditevent SET outcome = 'denied'", "DELETE FROM clinic_auditevent"):
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError:
        refused.append(sql.split()[0])
print(json.dumps(refused))
"""


def _json(db: tempdb.TempDatabase, script: str):
    import json

    return json.loads(db.run("-c", script).stdout.strip().splitlines()[-1])


@pytest.fixture
def release_before(tmp_path, django_db_blocker):
    with django_db_blocker.unblock():
        db = tempdb.empty_database(tmp_path)
        try:
            db.manage("migrate", "--noinput")
            db.manage("seed_demo")
            for app in LATER_APPS:
                db.manage("migrate", "--noinput", app, "zero")
            db.manage("migrate", "--noinput", *HEAD_BEFORE)
            db.manage("migrate", "--noinput", "audit", "zero")
            _json(db, AS_BEFORE.format(moved=MOVED))
            yield db
        finally:
            tempdb.drop(db)


def test_moving_models_between_apps_changes_no_table(release_before):
    db = release_before
    plan = db.manage("showmigrations", "--plan").stdout
    assert "[ ]  audit.0001_initial" in plan  # really the layout before the move
    assert "[ ]  trust.0001_initial" in plan
    before = db.tool("checksums")
    types_before = _json(db, CONTENT_TYPES)

    db.manage("migrate", "--noinput", *HEAD_AFTER)

    after = db.tool("checksums")
    assert set(after) == set(before)  # no table created or dropped
    changed = {t for t in before if before[t] != after[t]} - BOOKKEEPING
    assert changed == set()
    assert before["clinic_auditevent"]["rows"] > 100  # the demo's audit trail came along

    types_after = _json(db, CONTENT_TYPES)
    for model, old_app, new_app in MOVED:
        assert types_after[f"{new_app}.{model}"] == types_before[f"{old_app}.{model}"]
        assert f"{old_app}.{model}" not in types_after
    assert len(types_after) == len(types_before)

    # The audit log is still append-only and its chain still verifies.
    assert _json(db, AUDIT_STILL_APPEND_ONLY) == ["UPDATE", "DELETE"]
    assert db.manage("audit_verify").returncode == 0
