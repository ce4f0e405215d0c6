"""Writes for progress reports: create a draft, adjust its text, sign it.

Each runs in one transaction, calls ``full_clean()`` and writes its audit row.
Only the author (or a named supervisor, where the clinic allows it) writes or
signs a draft; a signed report is locked (``core.records``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.log import audit_record, audited_save
from clinic.authorship import acting_detail, check_author, signature_line_for
from clinic.models import Client, User
from core.records import RecordLocked
from core.services import model_update
from reports import pages
from reports.models import ProgressReport

TEXT_FIELDS = {
    "summary": "summary",
    "findings": "findings_text",
    "next_steps": "next_steps",
    "reason": "reason",
}
EDITABLE = (
    "recipient_name",
    "recipient_address",
    "summary",
    "findings_text",
    "next_steps",
    "reason",
    "urgency",
    "question",
)
NO_ADDRESS = "Add the recipient's postal address before signing: a letter cannot be sent without one."
NO_NAME = "Add who the letter is addressed to before signing."
CONSENT_LABEL = "The client agreed to this letter being sent to its recipient."
NO_CONSENT = (
    "Confirm that the client agreed to this letter being sent before signing: "
    "a letter about them is not sent without their consent."
)


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 of the content as canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _check_period(*, client: Client, start: date, end: date) -> list:
    if end < start:
        raise ValidationError({"period_end": "The end of the period must be on or after its start."})
    if end > timezone.localdate():
        raise ValidationError({"period_end": "The period cannot end in the future."})
    notes = pages.period_notes(client, start, end)
    if not notes:
        raise ValidationError({"period_start": pages.EmptyPeriod.message})
    return notes


@transaction.atomic
def report_create(
    *,
    client: Client,
    audience: str,
    period_start: date,
    period_end: date,
    includes: dict[str, bool],
    by: User,
    recipient_name: str = "",
    recipient_address: str = "",
) -> ProgressReport:
    """A draft report of the client's signed visits in the period, its text parts
    written from the data. Refused with a message on the period when it holds no
    signed visit."""
    if not by.is_therapist:
        raise ValidationError("Only a therapist writes a progress report.")
    notes = _check_period(client=client, start=period_start, end=period_end)
    if audience == ProgressReport.Audience.REFERRER and not recipient_name:
        recipient_name = client.referral_source
    content = pages.report_content(
        client=client,
        audience=audience,
        start=period_start,
        end=period_end,
        includes=includes,
        texts={},
        author=by,
        notes=notes,
    )
    texts = pages.prefilled_texts(content, notes=notes)
    report = ProgressReport(
        client=client,
        author=by,
        audience=audience,
        period_start=period_start,
        period_end=period_end,
        include_pain=includes.get("pain", True),
        include_scores=includes.get("scores", True),
        include_chain=includes.get("chain", True),
        include_program=includes.get("program", True),
        include_treatment=includes.get("treatment", True),
        recipient_name=recipient_name[:200],
        recipient_address=recipient_address,
        **{TEXT_FIELDS[k]: v for k, v in texts.items()},
    )
    audited_save(
        instance=report,
        by=by,
        action="create",
        client=client.pk,
        detail={"audience": report.get_audience_display(), "period": f"{period_start} to {period_end}"},
    )
    return report


def _fresh_draft(report: ProgressReport, by: User) -> ProgressReport:
    # Only the report's row, FOR NO KEY UPDATE (see audit.log on lock order).
    current = (
        ProgressReport.objects.select_for_update(of=("self",), no_key=True)
        .select_related("client", "author")
        .get(pk=report.pk)
    )
    if current.is_signed:
        raise RecordLocked("This report is signed and locked.")
    check_author(
        author_id=current.author_id,
        by=by,
        message="Only the therapist who wrote this report can change or sign it.",
    )
    return current


@transaction.atomic
def report_update(*, report: ProgressReport, data: dict[str, str], by: User) -> ProgressReport:
    """Adjust the draft's text parts and recipient."""
    current = _fresh_draft(report, by)
    current, changed = model_update(instance=current, fields=EDITABLE, data=data)
    audit_record(
        actor=by,
        action="update",
        client=current.client_id,
        target=current,
        detail={"fields": changed, **acting_detail(author=current.author, by=by)},
    )
    return current


@transaction.atomic
def report_sign(*, report: ProgressReport, by: User, consent_to_share: bool = False) -> ProgressReport:
    """Sign and lock a draft: the content is computed now, stored with its hash,
    and printed as stored from then on. A letter needs a recipient, their address
    and the signer's confirmation that the client agreed to it being sent, stored
    with who confirmed it and when."""
    current = _fresh_draft(report, by)
    now = timezone.now()
    if current.is_letter:
        problems = {}
        if not consent_to_share:
            problems["consent_to_share"] = NO_CONSENT
        if not current.recipient_name.strip():
            problems["recipient_name"] = NO_NAME
        if not current.recipient_address.strip():
            problems["recipient_address"] = NO_ADDRESS
        if problems:
            raise ValidationError(problems)
        current.consent_to_share = True
        current.consent_confirmed_at = now
        current.consent_confirmed_by = by
    try:
        content = pages.content_for(current)
    except pages.EmptyPeriod as exc:
        raise ValidationError({"period_start": exc.message}) from None
    content["author"]["line"] = signature_line_for(author=current.author, by=by)
    if current.is_letter:
        # The signer's registration and contact: they answer for the letter.
        content["author"].update(pages.author_contact(by))
    current.content = content
    current.content_hash = content_hash(content)
    current.signed_at = now
    current.signed_by = by
    current.signature_line = content["author"]["line"]
    audited_save(
        instance=current,
        by=by,
        action="sign",
        client=current.client_id,
        detail={"hash": current.content_hash, **acting_detail(author=current.author, by=by)},
    )
    return current


def report_matches(report: ProgressReport) -> bool:
    """Whether a signed report's stored content still has the hash taken at signing."""
    if not report.is_signed:
        return True
    # A signed report has content (progressreport_signed_has_content); without it nothing matches.
    return report.content is not None and content_hash(report.content) == report.content_hash
