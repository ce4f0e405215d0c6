"""A client's record version changes with every write to anything that belongs to the
client (clinic.record_version): cached pages are keyed by it."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from clinic.models import Client
from clinic.record_version import client_id_sql, client_models, record_version, trigger_name

pytestmark = pytest.mark.django_db


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _client_id_of(model, pk) -> int | None:
    obj = model._base_manager.get(pk=pk)
    for fk in client_models()[model][:-1]:
        obj = fk.related_model._base_manager.get(pk=getattr(obj, fk.attname))
    return getattr(obj, client_models()[model][-1].attname)


def _version_of(model, pk) -> int | None:
    client_id = _client_id_of(model, pk)
    return None if client_id is None else record_version(client_id)


def _try(sql: str, params) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
        return True
    except DatabaseError:  # a signed or final row refuses the change: nothing to bump
        return False


def _touch(model) -> str | None:
    """Change one row of the model with plain SQL (no Django signal, no service): an
    UPDATE of a row that allows it, else an INSERT copying a row. Returns what bumped."""
    table, pk = _qn(model._meta.db_table), model._meta.pk
    rows = list(model._base_manager.order_by("-pk").values_list("pk", flat=True)[:60])
    for row in rows:
        before = _version_of(model, row)
        if before is None:
            continue
        sql = f"UPDATE {table} SET {_qn(pk.column)} = {_qn(pk.column)} WHERE {_qn(pk.column)} = %s"
        if _try(sql, [row]):
            assert _version_of(model, row) > before, (
                f"an UPDATE of {model._meta.label} left the version alone"
            )
            return "update"
    columns = [f.column for f in model._meta.concrete_fields if f is not pk]
    names = ", ".join(_qn(c) for c in columns)
    for row in rows:
        before = _version_of(model, row)
        if before is None:
            continue
        sql = f"INSERT INTO {table} ({names}) SELECT {names} FROM {table} WHERE {_qn(pk.column)} = %s"
        if _try(sql, [row]):
            assert _version_of(model, row) > before, (
                f"an INSERT into {model._meta.label} left the version alone"
            )
            return "insert"
    return None


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_every_model_that_belongs_to_a_client_is_found():
    labels = {m._meta.label for m in client_models()}
    # The care team, the intake, the clinical record, the documents: spot checks that the
    # walk finds models through a parent (treatment rows, answers, measurements).
    for label in (
        "clinic.Client_care_team",
        "clinic.ScreenAnswer",
        "clinic.ClientDocument",
        "notes.Treatment",
        "notes.Amendment",
        "notes.AmendmentRequest",
        "assessments.Measurement",
        "programs.ProgramItem",
        "programs.Adherence",
        "reports.ProgressReport",
    ):
        assert label in labels
    # The audit log names a client by a plain id and is written on every read: a read
    # must not change the version it is keyed by.
    assert "clinic.AuditEvent" not in labels
    assert not any(getattr(m, "instance_type", None) for m in client_models())


def test_every_table_that_belongs_to_a_client_has_its_trigger():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = " ".join(r[0] for r in cursor.fetchall())
    for model in [Client, *client_models()]:
        assert trigger_name(model._meta.db_table) in names, model._meta.label


def test_every_trigger_finds_the_right_client(demo, treating):
    """For every model that belongs to a client, the client id the trigger computes
    for a row is the row's client, followed through the ORM."""
    from tests.clinic.record_builders import fill_missing

    fill_missing(treating=treating)
    empty = []
    for model, path in client_models().items():
        rows = list(model._base_manager.order_by("-pk").values_list("pk", flat=True)[:5])
        if not rows:
            empty.append(model._meta.label)
            continue
        expr = client_id_sql(model, path, "t")
        table, pk = _qn(model._meta.db_table), _qn(model._meta.pk.column)
        for row in rows:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {expr} FROM {table} t WHERE t.{pk} = %s", [row])
                (found,) = cursor.fetchone()
            assert found == _client_id_of(model, row), model._meta.label
    assert not empty, f"no row to check: {empty}"


def test_a_write_to_every_table_that_takes_one_bumps_the_version(demo, treating):
    """Plain SQL, no Django signal, no service: an UPDATE of any row that may still be
    changed (a draft, a client's details, a document) bumps its client's version.
    Signed and final rows refuse the UPDATE, so nothing they show can change; a final
    row (a health screen, a consent) is copied with an INSERT instead. The rows the demo
    holds only under signed parents (palpation, safety overrides, program items, screen
    answers) are covered through their services in tests/notes and tests/programs."""
    from tests.clinic.record_builders import fill_missing

    fill_missing(treating=treating)
    bumped = {model._meta.label for model in client_models() if _touch(model)}
    for label in (
        "clinic.Client_care_team",
        "clinic.ClientDocument",
        "clinic.EmergencyAccess",
        "clinic.Disclosure",
        "notes.VisitNote",
        "notes.Treatment",
        "notes.Amendment",
        "notes.AmendmentRequest",
        "assessments.Assessment",
        "assessments.Measurement",
        "assessments.BodyChartMark",
        "assessments.QuestionnaireResponse",
        "programs.Adherence",
        "reports.ProgressReport",
    ):
        assert label in bumped


def test_a_change_to_the_client_row_bumps_it_whatever_the_saving_instance_held(client_record, desk):
    stale = Client.objects.get(pk=client_record.pk)
    before = record_version(client_record.pk)
    Client.objects.filter(pk=client_record.pk).update(occupation="Teacher")
    middle = record_version(client_record.pk)
    assert middle > before
    stale.sports = "Rowing"
    stale.save()
    assert record_version(client_record.pk) > middle


def test_a_care_team_change_bumps_the_version(client_record, colleague):
    before = record_version(client_record.pk)
    client_record.care_team.add(colleague)
    added = record_version(client_record.pk)
    assert added > before
    client_record.care_team.remove(colleague)
    assert record_version(client_record.pk) > added


def test_a_failed_write_leaves_the_version_alone(client_record):
    before = record_version(client_record.pk)
    with pytest.raises(RuntimeError), transaction.atomic():
        Client.objects.filter(pk=client_record.pk).update(occupation="Teacher")
        raise RuntimeError
    assert record_version(client_record.pk) == before


def test_a_clinic_wide_change_bumps_every_client(client_record, make_client, treating, colleague):
    from clinic.models import ClinicProfile

    other = make_client(colleague)
    before = {c: record_version(c.pk) for c in (client_record, other)}
    profile = ClinicProfile.load()
    profile.name = "Renamed clinic"
    profile.save()
    middle = {c: record_version(c.pk) for c in (client_record, other)}
    assert all(middle[c] > before[c] for c in before)
    # Naming a supervisor changes what a supervisor's pages offer.
    treating.supervisors.add(colleague)
    assert all(record_version(c.pk) > middle[c] for c in before)
