"""How much free text each field accepts.

A pasted letter of a hundred pages has no place in a visit note, and every field
here is printed. The figures are generous for what a clinic writes (a long
subjective history runs to two or three thousand characters); text stored before
the limits existed is kept and still prints in full (``core.pdf``).

Checked in ``full_clean()`` (so every service refuses an over-long value, with the
message on the field) and shown by the forms at the field. No database column
changes: the limits are validation only.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

NOTE_TEXT = 10_000  # a SOAP section, an addendum, a client's request or statement
LONG_TEXT = 5_000  # a plan, goals, exercise steps, a form note
SHORT_TEXT = 2_000  # a reason, a complaint in the client's words, a list of cues
ADDRESS = 500  # a postal address

LIMITS: dict[str, dict[str, int]] = {
    "clinic.clinicprofile": {"address": ADDRESS},
    "clinic.client": {"address": ADDRESS, "goals": SHORT_TEXT},
    "clinic.healthscreen": {"medications": SHORT_TEXT, "notes": 4_000},
    "clinic.consent": {"withdrawal_reason": SHORT_TEXT},
    "clinic.emergencyaccess": {"reason": SHORT_TEXT, "review_note": SHORT_TEXT},
    "clinic.clientdocument": {"in_error_reason": SHORT_TEXT},
    "clinic.disclosure": {"recipient_address": ADDRESS, "description": NOTE_TEXT, "purpose": NOTE_TEXT},
    "notes.visitnote": {
        "chief_complaint": SHORT_TEXT,
        "focus": SHORT_TEXT,
        "subjective": NOTE_TEXT,
        "objective": NOTE_TEXT,
        "analysis": NOTE_TEXT,
        "plan_next": LONG_TEXT,
        "goals": LONG_TEXT,
        "referrals": SHORT_TEXT,
    },
    "notes.amendment": {"reason": SHORT_TEXT, "text": NOTE_TEXT},
    "notes.amendmentrequest": {
        "request_text": NOTE_TEXT,
        "other_records": NOTE_TEXT,
        "extension_reason": NOTE_TEXT,
        "extension_notice": NOTE_TEXT,
        "decision_reason": NOTE_TEXT,
        "disagreement_text": NOTE_TEXT,
        "rebuttal_text": NOTE_TEXT,
    },
    "programs.exercise": {
        "steps": LONG_TEXT,
        "cues": SHORT_TEXT,
        "mistakes": SHORT_TEXT,
        "cautions": SHORT_TEXT,
    },
}


def too_long_message(limit: int, length: int) -> str:
    return (
        f"Keep this to {limit:,} characters or fewer (it has {length:,}). "
        "For a longer letter or report, summarise it here and keep the original on file."
    )


def limit_for(label: str, field: str) -> int:
    return LIMITS[label][field]


def text_length_errors(instance, exclude=None) -> dict[str, list[str]]:
    """Fields of ``instance`` longer than their limit, with the message for each."""
    limits = LIMITS.get(instance._meta.label_lower, {})
    errors: dict[str, list[str]] = {}
    for name, limit in limits.items():
        if exclude and name in exclude:
            continue
        value = getattr(instance, name, None)
        if isinstance(value, str) and len(value) > limit:
            errors[name] = [too_long_message(limit, len(value))]
    return errors


class TextLimited:
    """Model mixin: ``full_clean()`` refuses free text longer than ``LIMITS`` allows."""

    def clean_fields(self, exclude=None):
        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for name, messages in text_length_errors(self, exclude).items():
            errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)


def text_limit_validator(label: str, field: str):
    """A form-field validator with the same limit and message as the model check."""
    limit = limit_for(label, field)

    def validate(value):
        if value and len(value) > limit:
            raise ValidationError(too_long_message(limit, len(value)), code="max_length")

    return validate
