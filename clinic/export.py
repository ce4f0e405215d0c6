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

import json
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from core import composition

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


def _references(records: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, str]]:
    """Names for the ids the records point at (users, catalogue entries), so the
    export reads on its own. One query per referenced model."""
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for label, rows in records.items():
        model = apps.get_model(label)
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is not None:
                for row in rows:
                    value = row["fields"].get(field.name)
                    if value is not None:
                        wanted[field.related_model].add(value)
    refs: dict[str, dict[str, str]] = {}
    for model, ids in wanted.items():
        refs[model._meta.label_lower] = {
            str(obj.pk): str(obj) for obj in model._default_manager.filter(pk__in=ids).order_by("pk")
        }
    return refs


def collect_client_export(*, client, by) -> dict[str, Any]:
    """Everything about one client, as plain JSON-ready data. Runs queries; the
    renderers below do not."""
    from audit.models import AuditEvent
    from clinic.export_documents import documents_for_export
    from clinic.models import Client

    client = Client.objects.prefetch_related("care_team").get(pk=client.pk)
    records: dict[str, list[dict[str, Any]]] = records_for_client("clinic", client)
    for _app_label, export_records in composition.providers("export_records"):
        records.update(export_records(client))
    audit = [
        {
            "id": e.id,
            "at": _value(e.at),
            "user_id": e.actor_id,
            "username": e.actor_username,
            "action": e.action,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "ip": e.ip,
            "outcome": e.outcome,
            "detail": e.detail,
            "hash": e.hash,
        }
        for e in AuditEvent.objects.for_client(client.pk).order_by("id")
    ]
    client_record = record(client)
    return {
        "schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "format_description": FORMAT_DOC,
        "generated_at": _value(timezone.now()),
        "generated_by": by.get_username(),
        "client": client_record,
        "records": {label: rows for label, rows in sorted(records.items())},
        "references": _references({**records, "clinic.client": [client_record]}),
        "audit_events": audit,
        "documents": documents_for_export(client),
    }


def render_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False).encode("utf-8")


def _local(value):
    return timezone.localtime(value) if value is not None and timezone.is_aware(value) else value


def collect_pdf_parts(*, client, by) -> dict[str, Any]:
    """What the printout adds to ``collect_client_export`` to read like a chart:
    the cover (demographics, flags, consent, care team, who exported it) and each
    app's registered section (``export_pdf_part(client)``, a function that lays out
    data it fetched already). Runs queries; ``render_pdf`` does not."""
    from audit.models import AuditEvent
    from clinic.models import Client, Disclosure
    from clinic.selectors import intake_summary

    client = (
        Client.objects.select_related("primary_therapist").prefetch_related("care_team").get(pk=client.pk)
    )
    intake = intake_summary(client)
    consent = intake.consent
    if consent is None:
        consent_text = "No consent recorded."
    elif consent.given:
        consent_text = f"Given {_local(consent.given_at):%d %B %Y} (consent text {consent.text_version})"
        if consent.consented_by_name:
            consent_text += (
                f", by {consent.consented_by_name} ({consent.get_consented_by_role_display().lower()})"
            )
    else:
        consent_text = f"Withdrawn {_local(consent.given_at):%d %B %Y}"
        if consent.withdrawal_reason:
            consent_text += f": {consent.withdrawal_reason}"
    demographics = [
        ("Name", client.full_name),
        ("Preferred name", client.preferred_name),
        ("Date of birth", f"{client.date_of_birth:%d %B %Y} (age {client.age})"),
        ("Sex", client.get_sex_display()),
        ("Phone", client.phone),
        ("Email", client.email),
        ("Address", client.address),
        (
            "Emergency contact",
            " · ".join(p for p in (client.emergency_contact_name, client.emergency_contact_phone) if p),
        ),
        ("Occupation", client.occupation),
        ("Sports", client.sports),
        ("Weekly volume", client.weekly_volume),
        ("Footwear", client.footwear),
        ("Goals", client.goals),
        ("Referred by", client.referral_source),
        ("Involved side", client.get_involved_side_display() if client.involved_side else ""),
        ("Status", client.get_status_display()),
    ]
    team = sorted(u.display_name for u in client.care_team.all())
    primary = client.primary_therapist.display_name if client.primary_therapist else ""
    parts = []
    for _app_label, pdf_part in composition.providers("export_pdf_part"):
        parts.append(pdf_part(client))
    names = {u: u for u in {e.actor_username for e in AuditEvent.objects.for_client(client.pk)} if u}
    users = apps.get_model(settings_user_model()).objects.filter(username__in=names)
    names.update({u.username: u.display_name for u in users})
    return {
        "client_name": client.full_name,
        "date_of_birth": client.date_of_birth,
        "demographics": [(label, value) for label, value in demographics if value],
        "flags": [
            f"{'Red' if f.severity == 'red' else 'Amber'}: {f.question}"
            + (f" ({f.details})" if f.details else "")
            for f in intake.banner
        ],
        "screened_on": _local(intake.screen.created_at) if intake.screen else None,
        "consent": consent_text,
        "care_team": team,
        "primary_therapist": primary,
        "exported_at": _local(timezone.now()),
        "exported_by": by.display_name,
        "disclosures": [
            (d.disclosed_on, d.recipient_name, d.description, d.purpose, d.recorded_by.display_name)
            for d in Disclosure.objects.filter(client=client)
            .select_related("recorded_by")
            .order_by("disclosed_on", "id")
        ],
        "actor_names": names,
        "parts": parts,
    }


def settings_user_model() -> str:
    from django.conf import settings

    return settings.AUTH_USER_MODEL


def render_pdf(data: dict[str, Any], *, letterhead, parts: dict[str, Any] | None = None) -> bytes:
    """The complete record for people, laid out like the chart: a cover, every
    visit as its note printout shows it, assessments, home programs, disclosures
    and the audit of this record in plain words. Pure: no queries. Without
    ``parts`` (``collect_pdf_parts``) it prints the record fields one by one."""
    if parts is None:
        return _render_fields_pdf(data, letterhead=letterhead)
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, Paragraph, Spacer

    from clinic.audit_words import sentence
    from core.pdf import (
        build_pdf,
        cell,
        clip,
        data_table,
        esc,
        letterhead_flowables,
        overflow_flowables,
        page_size,
        paragraphs,
        styles,
    )

    st = styles(10)
    cell_style = st["cell"]
    width = page_size(letterhead.paper_size)[0] - 36 * mm - 12
    name = clip(parts["client_name"], 120)
    born = f"{parts['date_of_birth']:%d %B %Y}"
    story = list(letterhead_flowables(letterhead, "Complete client record", st, width))
    story += [
        Spacer(1, 4 * mm),
        Paragraph(f"<b>{esc(name)}</b> · born {born}", st["h1"]),
        Paragraph(
            f"Exported {parts['exported_at']:%d %B %Y at %H:%M} by {esc(clip(parts['exported_by'], 200))}. "
            "The JSON export of the same record holds every stored field for another system.",
            st["small"],
        ),
        Paragraph("Client", st["h2"]),
    ]
    overflow: list = []
    widths = [width * 0.28, width * 0.72]
    rows = [
        [
            Paragraph(f"<b>{esc(label)}</b>", cell_style),
            cell(value, cell_style, widths[1] - 6, overflow=overflow, label=label),
        ]
        for label, value in parts["demographics"]
    ]
    story.append(data_table(rows, widths, header=False))
    story += overflow_flowables(overflow, st["body"])
    story.append(Paragraph("Flags", st["h2"]))
    if parts["flags"]:
        screened = f" (health screen of {parts['screened_on']:%d %B %Y})" if parts["screened_on"] else ""
        story.append(Paragraph(f"Health-screen flags{screened}:", st["body"]))
        for flag in parts["flags"]:
            story += paragraphs(flag, st["body"], lead="•")
    elif parts["screened_on"]:
        story.append(
            Paragraph(
                f"No red or amber flags on the health screen of {parts['screened_on']:%d %B %Y}.", st["body"]
            )
        )
    else:
        story.append(Paragraph("No health screen recorded.", st["body"]))
    story += paragraphs(parts["consent"], st["body"], lead="<b>Consent:</b>")
    story.append(Paragraph("Care team", st["h2"]))
    if parts["primary_therapist"]:
        story.append(
            Paragraph(f"Primary therapist: {esc(clip(parts['primary_therapist'], 200))}", st["body"])
        )
    story += paragraphs(
        ", ".join(parts["care_team"]) or "No one on the care team.", st["body"], lead="<b>Care team:</b>"
    )

    for part in parts["parts"]:
        story += part(st, width)

    from clinic.export_documents import documents_flowables

    story += [CondPageBreak(50 * mm), *documents_flowables(data, width)]
    story += [CondPageBreak(50 * mm), Paragraph(f"Disclosures ({len(parts['disclosures'])})", st["h1"])]
    if not parts["disclosures"]:
        story.append(Paragraph("No disclosures recorded.", st["small"]))
    else:
        heads = ("Date", "Recipient", "What was released", "Purpose", "Recorded by")
        widths = [width * w for w in (0.14, 0.2, 0.26, 0.24, 0.16)]
        rows = [[Paragraph(f"<b>{h}</b>", cell_style) for h in heads]]
        overflow = []
        for number, (on, *values) in enumerate(parts["disclosures"], start=1):
            texts = (f"{on:%d %B %Y}", *values)
            rows.append(
                [
                    cell(t, cell_style, w - 6, overflow=overflow, label=f"Disclosure {number}, {h}")
                    for t, w, h in zip(texts, widths, heads, strict=True)
                ]
            )
        story.append(data_table(rows, widths))
        story += overflow_flowables(overflow, st["body"])

    events = data["audit_events"]
    story += [
        CondPageBreak(50 * mm),
        Paragraph(f"Audit: who opened or changed this record ({len(events)} events)", st["h1"]),
    ]
    heads = ("When", "What happened", "Outcome")
    widths = [width * w for w in (0.2, 0.64, 0.16)]
    rows = [[Paragraph(f"<b>{h}</b>", cell_style) for h in heads]]
    overflow = []
    names = parts["actor_names"]
    for number, e in enumerate(events, start=1):
        at = _local(datetime.fromisoformat(e["at"]))
        text = sentence(
            action=e["action"],
            actor=names.get(e["username"], e["username"]),
            object_type=e["object_type"],
            client=parts["client_name"],
        )
        rows.append(
            [
                Paragraph(f"{at:%d %B %Y %H:%M}", cell_style),
                cell(text, cell_style, widths[1] - 6, overflow=overflow, label=f"Event {number}"),
                Paragraph(esc(OUTCOME_WORDS.get(e["outcome"], e["outcome"].replace("_", " "))), cell_style),
            ]
        )
    story.append(data_table(rows, widths))
    story += overflow_flowables(overflow, st["body"])

    return build_pdf(
        story=story,
        paper_size=letterhead.paper_size,
        footer_left=f"{clip(parts['client_name'], 60)} · DOB {born}",
        title=f"Complete record: {name}",
    )


def _render_fields_pdf(data: dict[str, Any], *, letterhead) -> bytes:
    """The same document for people: every record, every field. Pure: no queries.

    Record cells are plain strings, wrapped here and drawn as they are: user
    text never passes through ReportLab's markup parser, so it cannot be read
    as tags. (A Paragraph per cell cost about 4 s for a 100-visit record.)"""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    from core.pdf import clip, esc, letterhead_flowables, page_size, styles

    st = styles(10)
    width = page_size(letterhead.paper_size)[0] - 36 * mm
    client = data["client"]["fields"]
    name = clip(f"{client['first_name']} {client['last_name']}", 120)
    story = letterhead_flowables(letterhead, "Complete client record", st, width)
    story += [
        Spacer(1, 4 * mm),
        Paragraph(f"<b>{esc(name)}</b> · born {esc(client['date_of_birth'])}", st["h1"]),
        Paragraph(
            f"Generated {esc(data['generated_at'])} (UTC) by {esc(data['generated_by'])}. "
            f"Machine-readable copy: the JSON export, format {esc(data['schema'])} v{data['schema_version']} "
            f"({esc(data['format_description'])}). Empty fields are left out here; the JSON has them all.",
            st["small"],
        ),
    ]
    refs = data["references"]

    def field_rows(model_label: str, fields: dict[str, Any]) -> list[tuple[str, str]]:
        model = apps.get_model(model_label)
        rows = []
        for key, value in fields.items():
            if value is None or value in ("", [], {}):
                continue  # the PDF skips empty fields; the JSON keeps every one
            try:
                field = model._meta.get_field(key)
                label = str(field.verbose_name)
                if field.is_relation and value is not None and field.related_model is not None:
                    names = refs.get(field.related_model._meta.label_lower, {})
                    if isinstance(value, list):
                        value = ", ".join(names.get(str(v), str(v)) for v in value)
                    else:
                        value = f"{names.get(str(value), '')} (#{value})"
            except Exception:  # a field the model no longer has: show it raw
                label = key
            text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
            rows.append((label, text))
        return rows

    columns = (width * 0.28, width * 0.72)
    record_style, grid_style = _styles()
    story.append(Paragraph("Client", st["h2"]))
    client_rows = field_rows(data["client"]["model"], data["client"]["fields"])
    story.append(_record_table("Client", client_rows, columns, record_style))
    for label, rows in data["records"].items():
        model = apps.get_model(label)
        story.append(
            Paragraph(f"{esc(str(model._meta.verbose_name_plural).capitalize())} ({len(rows)})", st["h2"])
        )
        if not rows:
            story.append(Paragraph("None.", st["small"]))
        for rec in rows:
            rows_of = field_rows(rec["model"], rec["fields"])
            story.append(_record_table(f"#{rec['id']}", rows_of, columns, record_style))
    story.append(Paragraph(f"Audit events ({len(data['audit_events'])})", st["h2"]))
    story.append(
        _grid_table(
            ("When (UTC)", "User", "Action", "Record", "Outcome"),
            [
                (
                    e["at"][:19].replace("T", " "),
                    e["username"],
                    e["action"],
                    f"{e['object_type']}:{e['object_id']}" if e["object_type"] else "",
                    e["outcome"],
                )
                for e in data["audit_events"]
            ],
            [width * w for w in (0.24, 0.18, 0.16, 0.28, 0.14)],
            grid_style,
        )
    )
    from clinic.export_documents import documents_flowables
    from core.pdf import build_pdf

    story += documents_flowables(data, width)
    return build_pdf(
        story=story,
        paper_size=letterhead.paper_size,
        footer_left=f"{name} · DOB {client['date_of_birth']}",
        title=f"Complete record: {name}",
    )


# --- Plain-text table cells for the export PDF ---------------------------------------------

CELL_FONT, CELL_BOLD, CELL_SIZE = "Helvetica", "Helvetica-Bold", 8.5
CELL_PAD = 3
LINES_PER_ROW = 40  # a long field is continued over several rows, so no row outgrows a page


def _wrap(text: str, col_width: float) -> list[str]:
    """Lines of ``text`` that fit ``col_width``; a word too long for a line is cut.
    Linear in the length of the text (core.pdf.wrap_lines)."""
    from core.pdf import wrap_lines

    return wrap_lines(text, CELL_FONT, CELL_SIZE, col_width - 2 * CELL_PAD)


def _chunks(lines: list[str]) -> list[str]:
    return ["\n".join(lines[i : i + LINES_PER_ROW]) for i in range(0, len(lines), LINES_PER_ROW)] or [""]


def _styles():
    """The two table styles, built once: parsing style commands and colours for
    each of a record's hundreds of small tables cost more than drawing them."""
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import TableStyle

    base = [
        ("FONT", (0, 0), (-1, -1), CELL_FONT, CELL_SIZE),
        ("LEADING", (0, 0), (-1, -1), CELL_SIZE * 1.25),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, HexColor("#d0d5dd")),
    ]
    record = TableStyle(
        base
        + [
            ("FONT", (0, 0), (-1, 0), CELL_BOLD, CELL_SIZE + 1),
            ("SPAN", (0, 0), (-1, 0)),
            ("BACKGROUND", (0, 0), (-1, 0), HexColor("#f1f3f5")),
            ("TEXTCOLOR", (0, 1), (0, -1), HexColor("#495057")),
        ]
    )
    grid = TableStyle(base + [("FONT", (0, 0), (-1, 0), CELL_BOLD, CELL_SIZE)])
    return record, grid


def _record_table(heading: str, rows: list[tuple[str, str]], columns: tuple[float, float], style):
    """One record: a bold heading row, then label and value, each pre-wrapped."""
    from reportlab.platypus import Table

    cells: list[list[str]] = [[heading, ""]]
    for label, text in rows:
        label_text = "\n".join(_wrap(label, columns[0]))
        for index, chunk in enumerate(_chunks(_wrap(text, columns[1]))):
            cells.append([label_text if index == 0 else "", chunk])
    return Table(cells, colWidths=list(columns), style=style)


def _grid_table(headings: tuple[str, ...], rows: list[tuple[str, ...]], columns: list[float], style):
    """Rows of short values under a heading row that repeats on every page."""
    from reportlab.platypus import Table

    cells = [list(headings)] + [
        ["\n".join(_wrap(value, columns[i])) for i, value in enumerate(row)] for row in rows
    ]
    return Table(cells, colWidths=columns, repeatRows=1, style=style)
