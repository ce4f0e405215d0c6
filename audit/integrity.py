"""Record checks that ``manage.py audit_verify`` runs besides the audit chain.

Each app registers its own check from ``AppConfig.ready()`` (the signed-note
content hashes, for one), so this module never names the apps above it. A
check returns a list of problems in plain words; an empty list means intact.
"""

from __future__ import annotations

from collections.abc import Callable

_CHECKS: dict[str, Callable[[], list[str]]] = {}


def register_check(name: str, check: Callable[[], list[str]]) -> None:
    _CHECKS[name] = check


def run_checks() -> dict[str, list[str]]:
    """Every registered check's problems, by check name."""
    return {name: check() for name, check in _CHECKS.items()}
