"""One number per client that changes whenever anything a page about the client shows
is written: ``Client.record_version``.

Cached pages are keyed by it (``clinic.page_cache``), so the number must never miss a
write. It is therefore bumped by the database itself, in the writing transaction: every
table that belongs to a client carries a trigger that adds one to its client's
``record_version`` on INSERT, UPDATE and DELETE. Whatever writes the row (a service,
``bulk_create``, ``QuerySet.update()``, a care-team change, raw SQL) bumps it, and two
concurrent writers never lose a bump (``SET record_version = record_version + 1``).

Which tables belong to a client is found from the models, so a new model is covered
without a word: a model belongs to a client when it has a foreign key to ``Client``
(the care-team table included), or a foreign key to a model that belongs to a client
(a treatment row through its note, an answer through its screen). A model may name the
foreign key to follow with ``record_client_via = "field"``, or opt out with
``record_client_via = None`` (say why beside it). Clinic-wide models that pages show (the clinic profile, the
exercise library, the catalogues) set ``record_version_everyone = True``: a write to
one bumps every client. Change-history tables are left out:
the write they record bumps the version already.

The triggers are (re)installed after every ``migrate`` (SQLite drops a table's
triggers when a migration rebuilds it), like the append-only triggers.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connections, models

CLIENT_LABEL = "clinic.Client"
_UNSET = object()


def _client_model():
    return apps.get_model(CLIENT_LABEL)


def _is_history(model) -> bool:
    return getattr(model, "instance_type", None) is not None


def _foreign_keys(model):
    return [
        f
        for f in model._meta.get_fields()
        if isinstance(f, models.ForeignKey) and f.concrete and not f.many_to_many
    ]


def client_path(model, _seen=None) -> list | None:
    """The foreign keys from ``model`` to ``Client``, in order, or None when the model
    does not belong to a client. ``[]`` for ``Client`` itself."""
    client = _client_model()
    if model is client:
        return []
    if _is_history(model) or model._meta.proxy or not model._meta.managed:
        return None
    seen = set(_seen or ()) | {model}
    chosen = getattr(model, "record_client_via", _UNSET)
    if chosen is None:
        return None
    fks = _foreign_keys(model)
    if chosen is not _UNSET:
        fks = [model._meta.get_field(chosen)]
    for fk in fks:
        if fk.related_model is client:
            return [fk]
    for fk in fks:
        parent = fk.related_model
        if parent in seen:
            continue
        rest = client_path(parent, seen)
        if rest is not None and rest != []:
            return [fk, *rest]
        if rest == []:
            return [fk]
    return None


def client_models() -> dict:
    """Every model (auto-created care-team tables included) that belongs to a client,
    with its path of foreign keys to ``Client``. ``Client`` itself is not listed."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        if model is _client_model():
            continue
        path = client_path(model)
        if path:
            found[model] = path
    return found


def clinic_wide_models() -> list:
    """Models every page may show (the clinic profile, the catalogues, the exercise
    library): they say so with ``record_version_everyone = True``, and a write to
    one bumps every client's version. Such writes are rare and made by an admin."""
    found = [
        m
        for m in apps.get_models()
        if getattr(m, "record_version_everyone", False) and not _is_history(m) and m._meta.managed
    ]
    # Links between people that pages act on (who supervises whom), named on the model
    # with ``record_version_everyone_links``.
    for model in apps.get_models():
        for name in getattr(model, "record_version_everyone_links", ()):
            field = model._meta.get_field(name)
            assert isinstance(field, models.ManyToManyField), f"{name} must be a many-to-many field"
            through = field.remote_field.through
            assert through is not None
            found.append(through)
    return found


def client_id_sql(model, path, ref: str) -> str:
    """SQL for the client id of the row ``ref`` (``NEW`` or ``OLD``) of ``model``."""
    qn = connections["default"].ops.quote_name
    fk, *rest = path
    column = f"{ref}.{qn(fk.column)}"
    if not rest:
        return column
    parent = fk.related_model
    alias = f"p{len(rest)}"
    inner = client_id_sql(parent, rest, alias)
    target = qn(fk.target_field.column)
    return f"(SELECT {inner} FROM {qn(parent._meta.db_table)} {alias} WHERE {alias}.{target} = {column})"


def _clock(vendor: str) -> str:
    """Microseconds since 1970 by the database's clock."""
    if vendor == "postgresql":
        return "(extract(epoch from clock_timestamp()) * 1000000)::bigint"
    return "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)"


def _next(vendor: str, current: str) -> str:
    """The next version after ``current``: one more, or the clock if that is further on.
    Versions never repeat, even after a backup is restored (which puts them back) or
    on a fresh database whose ids start again: a cached page of another past is never
    mistaken for this one."""
    largest = "GREATEST" if vendor == "postgresql" else "MAX"
    return f"{largest}({current} + 1, {_clock(vendor)})"


def _bump(ids: list[str], client_table: str, qn, vendor: str, everyone: bool = False) -> str:
    where = "1 = 1" if everyone else " OR ".join(f"{qn('id')} = {i}" for i in ids)
    rv = qn("record_version")
    return f"UPDATE {qn(client_table)} SET {rv} = {_next(vendor, rv)} WHERE {where};"


def trigger_name(table: str) -> str:
    return f"kc_rv_{table}"[:63]


def _sqlite_statements(table, new, old, client_table, qn, everyone=False) -> list[str]:
    name = trigger_name(table)
    out = []
    for op, ids in (("INSERT", [new]), ("UPDATE", [new, old]), ("DELETE", [old])):
        trig = f"{name}_{op.lower()}"
        out.append(f"DROP TRIGGER IF EXISTS {trig}")
        out.append(
            f"CREATE TRIGGER {trig} AFTER {op} ON {qn(table)} FOR EACH ROW BEGIN "
            f"{_bump(ids, client_table, qn, 'sqlite', everyone)} END"
        )
    return out


def _postgres_statements(table, new, old, client_table, qn, everyone=False) -> list[str]:
    name = trigger_name(table)
    body = (
        "BEGIN "
        f"IF TG_OP = 'INSERT' THEN {_bump([new], client_table, qn, 'postgresql', everyone)} "
        f"ELSIF TG_OP = 'UPDATE' THEN {_bump([new, old], client_table, qn, 'postgresql', everyone)} "
        f"ELSE {_bump([old], client_table, qn, 'postgresql', everyone)} END IF; "
        "RETURN NULL; END;"
    )
    return [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $kc$ {body} $kc$",
        f"DROP TRIGGER IF EXISTS {name} ON {qn(table)}",
        f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON {qn(table)} "
        f"FOR EACH ROW EXECUTE FUNCTION {name}()",
    ]


def _client_statements(vendor: str, client_table: str, qn) -> list[str]:
    """A new client starts at the clock; a change to the client row itself (details,
    status, primary therapist) bumps it too, whatever value the saving instance held."""
    name = trigger_name(client_table)
    rv, pk, table = qn("record_version"), qn("id"), qn(client_table)
    if vendor == "postgresql":
        return [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $kc$ BEGIN "
            f"IF TG_OP = 'INSERT' THEN NEW.{rv} := GREATEST(NEW.{rv}, {_clock(vendor)}); "
            f"ELSIF NEW.{rv} <= OLD.{rv} THEN NEW.{rv} := {_next(vendor, f'OLD.{rv}')}; END IF; "
            "RETURN NEW; END; $kc$",
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}()",
        ]
    return [
        f"DROP TRIGGER IF EXISTS {name}_insert",
        f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} FOR EACH ROW BEGIN "
        f"UPDATE {table} SET {rv} = MAX({rv}, {_clock(vendor)}) WHERE {pk} = NEW.{pk}; END",
        f"DROP TRIGGER IF EXISTS {name}_update",
        f"CREATE TRIGGER {name}_update AFTER UPDATE ON {table} FOR EACH ROW "
        f"WHEN NEW.{rv} <= OLD.{rv} BEGIN "
        f"UPDATE {table} SET {rv} = {_next(vendor, f'OLD.{rv}')} WHERE {pk} = NEW.{pk}; END",
    ]


def trigger_statements(connection) -> list[str]:
    qn = connection.ops.quote_name
    client_table = _client_model()._meta.db_table
    existing = set(connection.introspection.table_names())
    out: list[str] = []
    if client_table not in existing:
        return out
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, client_table)}
    if "record_version" not in columns:
        return out
    out += _client_statements(connection.vendor, client_table, qn)
    for model in clinic_wide_models():
        table = model._meta.db_table
        if table not in existing:
            continue
        if connection.vendor == "postgresql":
            out += _postgres_statements(table, "NULL", "NULL", client_table, qn, everyone=True)
        else:
            out += _sqlite_statements(table, "NULL", "NULL", client_table, qn, everyone=True)
    for model, path in client_models().items():
        table = model._meta.db_table
        if table not in existing:
            continue
        new = client_id_sql(model, path, "NEW")
        old = client_id_sql(model, path, "OLD")
        if connection.vendor == "postgresql":
            out += _postgres_statements(table, new, old, client_table, qn)
        else:
            out += _sqlite_statements(table, new, old, client_table, qn)
    return out


def ensure_record_version_triggers(*, using: str = "default", **kwargs) -> int:
    """Install (or put back) every record-version trigger; runs after every migrate."""
    connection = connections[using]
    if connection.vendor not in ("sqlite", "postgresql"):
        return 0
    statements = trigger_statements(connection)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    return len(statements)


def drop_record_version_triggers(connection) -> int:
    """Remove every record-version trigger (and, on PostgreSQL, its function): before
    the version column goes, when the migration that added it is reversed."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal")
            triggers = [row for row in cursor.fetchall() if row[0].startswith("kc_rv_")]
            for name, table in triggers:
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON {table}')
                cursor.execute(f'DROP FUNCTION IF EXISTS "{name}"()')
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            triggers = [row for row in cursor.fetchall() if row[0].startswith("kc_rv_")]
            for (name,) in triggers:
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    return len(triggers)


def record_version(client_id: int) -> int:
    """The client's current record version, read from the database."""
    return _client_model().objects.filter(pk=client_id).values_list("record_version", flat=True).get()
