"""Small write steps every app's services share. No app imports here; the audit
row a write leaves is the clinic's (``audit.log``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def model_changes(*, instance: models.Model, fields: Iterable[str], data: Mapping[str, Any]) -> list[str]:
    """Set on ``instance`` each of ``fields`` that ``data`` holds with a different
    value, and return the names of those fields in ``fields`` order. Saves nothing:
    for a service that has more to check or set before it saves."""
    changed = []
    for name in fields:
        if name in data and getattr(instance, name) != data[name]:
            setattr(instance, name, data[name])
            changed.append(name)
    return changed


def model_update(*, instance: M, fields: Iterable[str], data: Mapping[str, Any]) -> tuple[M, list[str]]:
    """Set the changed fields (``model_changes``), validate the row (``full_clean``,
    even when nothing changed, so bad input is refused either way) and, when
    something changed, save only those fields (and ``updated_at`` when the model
    has one). Returns the instance and the names of the changed fields."""
    changed = model_changes(instance=instance, fields=fields, data=data)
    instance.full_clean()
    if changed:
        stamped = any(f.name == "updated_at" for f in instance._meta.concrete_fields)
        instance.save(update_fields=[*changed, "updated_at"] if stamped else changed)
    return instance, changed
