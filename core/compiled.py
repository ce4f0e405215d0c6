"""One-row lookups run from SQL that Django compiled once.

Django compiles a QuerySet to SQL every time it is evaluated. For the narrow lookup that
opens every cached page (a record's id, its client's id and record version, scoped to
the reader) that compile costs about ten times the database's own work: measured on the
full benchmark data set, 270 us of Python against 24 us of SQLite for the same
statement. The statement's text depends only on the shape of the lookup (which scope:
the reader's roles), never on the values, so it is compiled once per shape and process,
with stand-in values, and run with the real ones after that.

Only what is safe to reuse is reused. A shape is run from its compiled SQL when:

- every parameter of the statement is either one of the stand-ins, replaced by the real
  value, or an integer constant of the code (``SELECT 1``); anything else makes the shape
  fall back to the ORM on every call. A string is never taken for a constant: SQLite's
  adapter turns a time (the clock an emergency grant is checked against) into one;
- two compiles of the shape give the same statement and the same constants (a value
  that moves, such as the clock, differs between them);
- no selected column needs a converter from the database's value to Python's (SQLite's
  booleans, dates, decimals): the row comes back exactly as the ORM would return it.

Otherwise ``first`` evaluates the QuerySet as usual. The statement goes through Django's
own cursor, so query logging, ``CaptureQueriesContext`` and execute wrappers see it as
any other query. The store holds one entry per shape (a handful), per process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

# Stand-ins for the values of a lookup (the reader's id, the record's id): numbers no
# real row has, so a parameter equal to one of them can only be that stand-in.
STAND_INS = (9_007_199_254_740_881, 9_007_199_254_740_847, 9_007_199_254_740_813)
_CONSTANT_TYPES = (int, bool)


class _Fallback:
    """A shape that cannot be reused: always evaluated by the ORM."""


_FALLBACK = _Fallback()


class CompiledLookups:
    def __init__(self) -> None:
        self._store: dict[tuple, tuple[str, tuple] | _Fallback] = {}

    def first(
        self, shape: tuple, build: Callable[..., QuerySet], *values: int, using: str = "default"
    ) -> tuple | None:
        """The first row of ``build(*values)`` (a ``values_list`` QuerySet), or None.

        ``build`` must turn its arguments into the QuerySet and take nothing else from
        outside that could change the statement: ``shape`` names all of that (the
        reader's roles) and is part of the key, with the database."""
        key = (using, *shape)
        entry = self._store.get(key)
        if entry is None:
            entry = self._compile(build, len(values), using)
            self._store[key] = entry
        if isinstance(entry, _Fallback):
            return build(*values).using(using).first()
        sql, slots = entry
        params = [values[slot] if isinstance(slot, int) else slot[0] for slot in slots]
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return tuple(row) if row is not None else None

    def _compile(
        self, build: Callable[..., QuerySet], arity: int, using: str
    ) -> tuple[str, tuple] | _Fallback:
        first, second = self._compile_once(build, arity, using), self._compile_once(build, arity, using)
        if first is None or first != second:
            return _FALLBACK
        return first

    @staticmethod
    def _compile_once(build: Callable[..., QuerySet], arity: int, using: str) -> tuple[str, tuple] | None:
        stand_ins = STAND_INS[:arity]
        qs = build(*stand_ins).using(using)[:1]
        compiler = qs.query.get_compiler(using=using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # a scope with nothing in it (.none()): let the ORM answer
            return None
        if compiler.get_converters([column for column, _, _ in compiler.select]):
            return None
        slots: list[Any] = []
        for param in params:
            if type(param) is int and param in stand_ins:
                slots.append(stand_ins.index(param))
            elif type(param) in _CONSTANT_TYPES:
                slots.append((param,))
            else:
                return None
        return sql, tuple(slots)

    def clear(self) -> None:
        self._store.clear()


lookups = CompiledLookups()
