"""The care-team version: one number that changes whenever the set of clients a user may
see changes, or what the client list shows of them, so the client list can keep its total
(``visible_total``) and its pages (``clinic.views.client_list``) in the cache.

What the list depends on, and what bumps the number, in the database's own triggers (in
the writing transaction, whoever writes: a service, an import, raw SQL):

- a client registered or deleted, or its status changed (archived, reactivated):
  INSERT and DELETE on the client table, and UPDATE when ``status`` changes;
- what a list row shows of a client: its names, date of birth, phone, e-mail and primary
  therapist (UPDATE when one of them changes; not the other edits of a client, nor the
  record-version bumps a note write makes);
- a care team changed: any write to the care-team table;
- an emergency access grant opened, ended or revoked: any write to the grant table;
- a staff account added or removed, or a change to what the list shows of one (the
  therapist's name beside a client, the therapist filter): INSERT, DELETE, and UPDATE of
  the names, the roles or whether the account is active (not a sign-in's ``last_login``).

What the number cannot see goes into the cache key instead: who reads (their roles,
read from the request's user) and, for a therapist who may break the glass, when their
earliest open grant expires (a grant lapses without a write). The number never repeats
(one more, or the database's clock if that is further on, like ``record_version``), so
a total cached before a restore or on another database is never taken for this one.
The cache only stores: a lost entry costs one count.
"""

from __future__ import annotations

import hashlib

from django.core.cache import caches
from django.db import connections
from django.db.models import Min, Subquery

from clinic.models import CareTeamVersion, Client, EmergencyAccess, User
from clinic.record_version import _clock, _next

CACHE_ALIAS = "pages"
TIMEOUT = 60 * 60 * 24
TRIGGER = "kc_ctv"


def _tables() -> tuple[str, str, str, str, str]:
    return (
        CareTeamVersion._meta.db_table,
        Client._meta.db_table,
        Client.care_team.through._meta.db_table,
        EmergencyAccess._meta.db_table,
        User._meta.db_table,
    )


# Columns whose change moves the version: a client's status and what a list row shows;
# a staff account's names, roles and whether it is active.
CLIENT_COLUMNS = (
    "status",
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "phone",
    "email",
    "primary_therapist_id",
)
USER_COLUMNS = ("username", "first_name", "last_name", "is_active", "is_therapist", "is_clinic_admin")


def _changed(columns: tuple[str, ...]) -> tuple[str, str]:
    """The trigger's ``UPDATE OF`` list and its condition: one of ``columns`` changed."""
    return (
        f"UPDATE OF {', '.join(columns)}",
        " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns),
    )


def _bump(vendor: str, version_table: str) -> str:
    return f"UPDATE {version_table} SET version = {_next(vendor, 'version')} WHERE id = 1;"


def trigger_statements(vendor: str) -> list[str]:
    version_table, client_table, team_table, grant_table, user_table = _tables()
    bump = _bump(vendor, version_table)
    # (table, operation, condition): which writes change who may see which client, or
    # what the list shows.
    watched = [
        (client_table, "INSERT", ""),
        (client_table, "DELETE", ""),
        (client_table, *_changed(CLIENT_COLUMNS)),
        (team_table, "INSERT", ""),
        (team_table, "UPDATE", ""),
        (team_table, "DELETE", ""),
        (grant_table, "INSERT", ""),
        (grant_table, "UPDATE", ""),
        (grant_table, "DELETE", ""),
        (user_table, "INSERT", ""),
        (user_table, "DELETE", ""),
        (user_table, *_changed(USER_COLUMNS)),
    ]
    out = []
    if vendor == "postgresql":
        out.append(
            f"CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $kc$ "
            f"BEGIN {bump} RETURN NULL; END; $kc$"
        )
    for table, operation, condition in watched:
        name = f"{TRIGGER}_{table}_{operation.split()[0].lower()}"[:63]
        if vendor == "postgresql":
            when = f"WHEN ({condition}) " if condition else ""
            out.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            out.append(
                f"CREATE TRIGGER {name} AFTER {operation} ON {table} FOR EACH ROW {when}"
                f"EXECUTE FUNCTION {TRIGGER}()"
            )
        else:
            when = f"WHEN {condition.replace('IS DISTINCT FROM', 'IS NOT')} " if condition else ""
            out.append(f"DROP TRIGGER IF EXISTS {name}")
            out.append(
                f"CREATE TRIGGER {name} AFTER {operation} ON {table} FOR EACH ROW {when}BEGIN {bump} END"
            )
    return out


def drop_statements(vendor: str) -> list[str]:
    version_table, *watched = _tables()
    out = []
    for table in watched:
        for operation in ("insert", "update", "delete"):
            name = f"{TRIGGER}_{table}_{operation}"[:63]
            out.append(
                f"DROP TRIGGER IF EXISTS {name} ON {table}"
                if vendor == "postgresql"
                else f"DROP TRIGGER IF EXISTS {name}"
            )
    if vendor == "postgresql":
        out.append(f"DROP FUNCTION IF EXISTS {TRIGGER}()")
    return out


def ensure_care_team_version(*, using: str = "default", **kwargs) -> int:
    """Install (or put back) the triggers and the row; runs after every migrate (SQLite
    drops a table's triggers when a migration rebuilds it)."""
    connection = connections[using]
    if connection.vendor not in ("sqlite", "postgresql"):
        return 0
    if not set(_tables()) <= set(connection.introspection.table_names()):
        return 0
    statements = trigger_statements(connection.vendor)
    version_table = _tables()[0]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {version_table} (id, version) VALUES (1, {_clock(connection.vendor)}) "
            "ON CONFLICT (id) DO NOTHING"
        )
        for sql in statements:
            cursor.execute(sql)
    return len(statements)


def bump(using: str = "default") -> None:
    """Move the version on by hand: after a load that skipped the triggers."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(_bump(connection.vendor, _tables()[0]))


def current(user) -> tuple[int | None, object]:
    """(the care-team version, when the user's earliest open emergency grant expires):
    one query. The expiry is None for a user who cannot break the glass (no query for
    it) or holds no open grant; the version is None when the row is missing (a flushed
    database), and then nothing is cached."""
    qs = CareTeamVersion.objects.filter(pk=1)
    if not getattr(user, "may_break_glass", False):
        return qs.values_list("version", flat=True).first(), None
    expiry = (
        EmergencyAccess.objects.active_for(user)
        .order_by()
        .values("user")
        .annotate(first=Min("expires_at"))
        .values("first")
    )
    row = qs.annotate(expiry=Subquery(expiry[:1])).values_list("version", "expiry").first()
    return row if row is not None else (None, None)


def _reader(user) -> tuple:
    """What about the reader the set of visible clients depends on."""
    return (
        user.pk,
        user.is_active,
        getattr(user, "is_clinic_admin", False),
        getattr(user, "is_therapist", False),
        getattr(user, "may_break_glass", False),
    )


def visible_total(user, clients, *, parts=(), known: tuple | None = None) -> int:
    """``clients.count()``, kept in the cache per care-team version. ``clients`` must be
    the user's visible clients narrowed only by what ``parts`` names (the list's
    filters: a therapist's care team, a status), never by text a client's edit could
    change. 1 query on a hit (the version), 2 on a miss; one fewer when the caller
    read the version already (``known``: what ``current`` returned)."""
    version, expiry = known if known is not None else current(user)
    if version is None:
        return clients.count()
    raw = repr((version, expiry, _reader(user), tuple(parts)))
    key = "kc:client-total:" + hashlib.sha256(raw.encode()).hexdigest()
    cache = caches[CACHE_ALIAS]
    total = cache.get(key)
    if total is None:
        total = clients.count()
        cache.set(key, total, TIMEOUT)
    return total
