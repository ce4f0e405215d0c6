"""Full single-client export: the client's right of access (PAT-1).

One JSON document and one PDF holding every record about one client: the
client and their change history, intake screens and consents, and whatever the
other apps keep (assessments, visit notes with addenda and treatments, program
versions), plus that client's audit events. The format is described in
docs/export-schema.md.

``clinic`` must not import the apps above it, so they register their parts when
they start, like the chart's sections (``core.composition``): ``export_records``
(``client -> {model label: [record, ...]}``, usually by calling
``records_for_client`` below, which finds every model of the app that leads to
the client through its foreign keys) and ``export_pdf_part`` (their section of the
printout).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone

SCHEMA_ID = "kinetic-chart/client-export"
SCHEMA_VERSION = 1
FORMAT_DOC = "docs/export-schema.md"
MAX_PATH_DEPTH = 3


# The audit outcome as the audit page says it.
OUTCOME_WORDS = {"allowed": "Allowed", "denied": "Denied"}


def _client_model():
    return apps.get_model("clinic", "Client")


def client_path(model: type[models.Model], depth: int = MAX_PATH_DEPTH) -> str | None:
    """The ORM lookup from ``model`` to its Client (``"client"``,
    ``"note__client"``, ...), or None when the model is not about one client."""
    client_model = _client_model()
    if model is client_model:
        return None
    frontier: list[tuple[type[models.Model], str]] = [(model, "")]
    for _ in range(depth):
        following = []
        for current, prefix in frontier:
            for field in current._meta.get_fields():
                if not (field.many_to_one or field.one_to_one) or not field.concrete:
                    continue
                target = field.related_model
                if target is None:
                    continue
                path = f"{prefix}{field.name}"
                if target is client_model:
                    return path
                following.append((target, f"{path}__"))
        frontier = following
    return None


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    if isinstance(value, bytes | memoryview):
        return None
    return value


def record(obj: models.Model) -> dict[str, Any]:
    """One row as {"model", "id", "fields"}; foreign keys as ids, many-to-many as id lists."""
    fields: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.is_relation:
            fields[field.name] = getattr(obj, field.attname)
        else:
            fields[field.name] = _value(field.value_from_object(obj))
    for field in obj._meta.many_to_many:
        fields[field.name] = (
            sorted(obj._prefetched_objects_cache[field.name].values_list("pk", flat=True))
            if (hasattr(obj, "_prefetched_objects_cache") and field.name in obj._prefetched_objects_cache)
            else sorted(getattr(obj, field.name).values_list("pk", flat=True))
        )
    return {"model": obj._meta.label_lower, "id": obj.pk, "fields": fields}


def records_for_client(app_label: str, client) -> dict[str, list[dict[str, Any]]]:
    """Every row of every model in the app that belongs to this client."""
    out: dict[str, list[dict[str, Any]]] = {}
    for model in apps.get_app_config(app_label).get_models():
        if getattr(model, "instance_type", None) is _client_model():
            lookup = {"id": client.pk}  # the client's own change history (simple-history)
        elif (path := client_path(model)) is not None:
            lookup = {path: client}
        else:
            continue
        qs = model._default_manager.filter(**lookup).order_by("pk")
        if model._meta.many_to_many:
            qs = qs.prefetch_related(*(f.name for f in model._meta.many_to_many))
        out[model._meta.label_lower] = [record(obj) for obj in qs]
    return out
