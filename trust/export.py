"""Full single-client export: the client's right of access (PAT-1).

One JSON document and one PDF holding every record about one client: the client and
their change history, intake screens and consents, and whatever the other apps keep
(assessments, visit notes with addenda and treatments, program versions), plus that
client's audit events. The format is described in docs/export-schema.md. The records
come from each app's ``export_records`` and ``export_pdf_part`` (``core.composition``,
``clinic.export.records_for_client``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Spacer

from audit.models import AuditEvent
from clinic.export import (
    FORMAT_DOC,
    OUTCOME_WORDS,
    SCHEMA_ID,
    SCHEMA_VERSION,
    _value,
    record,
    records_for_client,
)
from clinic.export_documents import documents_flowables, documents_for_export
from clinic.models import Client, Disclosure
from clinic.selectors import intake_summary
from core import composition
from core.pdf import (
    Paragraph,
    build_pdf,
    cell,
    clip,
    collector_paused,
    data_table,
    esc,
    letterhead_flowables,
    line,
    overflow_flowables,
    page_size,
    paragraphs,
    styles,
)
from trust.audit_words import sentence


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


@collector_paused()
def collect_client_export(*, client, by) -> dict[str, Any]:
    """Everything about one client, as plain JSON-ready data. Runs queries; the
    renderers below do not."""

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


@collector_paused()
def collect_pdf_parts(*, client, by) -> dict[str, Any]:
    """What the printout adds to ``collect_client_export`` to read like a chart:
    the cover (demographics, flags, consent, care team, who exported it) and each
    app's registered section (``export_pdf_part(client)``, a function that lays out
    data it fetched already). Runs queries; ``render_pdf`` does not."""

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

    return settings.AUTH_USER_MODEL


@collector_paused()
def render_pdf(data: dict[str, Any], *, letterhead, parts: dict[str, Any]) -> bytes:
    """The complete record for people, laid out like the chart: a cover, every
    visit as its note printout shows it, assessments, home programs, documents,
    disclosures and the audit of this record in plain words. Pure: no queries
    (``collect_client_export`` and ``collect_pdf_parts`` fetched everything)."""

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
            line(label, cell_style, bold=True),
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

    story += [CondPageBreak(50 * mm), *documents_flowables(data, width)]
    story += [CondPageBreak(50 * mm), Paragraph(f"Disclosures ({len(parts['disclosures'])})", st["h1"])]
    if not parts["disclosures"]:
        story.append(Paragraph("No disclosures recorded.", st["small"]))
    else:
        heads: tuple[str, ...] = ("Date", "Recipient", "What was released", "Purpose", "Recorded by")
        widths = [width * w for w in (0.14, 0.2, 0.26, 0.24, 0.16)]
        rows = [[line(h, cell_style, bold=True) for h in heads]]
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
    rows = [[line(h, cell_style, bold=True) for h in heads]]
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
                line(f"{at:%d %B %Y %H:%M}", cell_style),
                cell(text, cell_style, widths[1] - 6, overflow=overflow, label=f"Event {number}"),
                line(OUTCOME_WORDS.get(e["outcome"], e["outcome"].replace("_", " ")), cell_style),
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
