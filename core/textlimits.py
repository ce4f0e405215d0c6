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

from core import composition

NOTE_TEXT = 10_000  # a SOAP section, an addendum, a client's request or statement
LONG_TEXT = 5_000  # a plan, goals, exercise steps, a form note
SHORT_TEXT = 2_000  # a reason, a complaint in the client's words, a list of cues
ADDRESS = 500  # a postal address


def limits() -> dict[str, dict[str, int]]:
    """Every limit, by model label and field. Each app declares its own models' limits
    and registers them when it starts (``composition.register(app, text_limits=...)``),
    so this module names no app."""
    out: dict[str, dict[str, int]] = {}
    for _app_label, provider in composition.providers("text_limits"):
        out.update(provider())
    return out


def too_long_message(limit: int, length: int) -> str:
    return (
        f"Keep this to {limit:,} characters or fewer (it has {length:,}). "
        "For a longer letter or report, summarise it here and keep the original on file."
    )


def limit_for(label: str, field: str) -> int:
    return limits()[label][field]


def text_length_errors(instance, exclude=None) -> dict[str, list[str]]:
    """Fields of ``instance`` longer than their limit, with the message for each."""
    fields = limits().get(instance._meta.label_lower, {})
    errors: dict[str, list[str]] = {}
    for name, limit in fields.items():
        if exclude and name in exclude:
            continue
        value = getattr(instance, name, None)
        if isinstance(value, str) and len(value) > limit:
            errors[name] = [too_long_message(limit, len(value))]
    return errors


class TextLimited:
    """Model mixin: ``full_clean()`` refuses free text longer than ``limits()`` allows."""

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
    """A form-field validator with the same limit and message as the model check. The
    limit is read when a value is checked, so a form module may be imported before every
    app has registered its limits."""

    def validate(value):
        limit = limit_for(label, field)
        if value and len(value) > limit:
            raise ValidationError(too_long_message(limit, len(value)), code="max_length")

    return validate
