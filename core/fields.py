"""Form fields shared by every app.

Django's model-choice fields pass a posted id straight to the database; an id
beyond the 64-bit range makes the SQLite driver raise OverflowError, which
Django does not catch, so a crafted POST would answer 500. These fields turn
such ids into the ordinary "select a valid choice" error.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

MAX_ID = 2**63 - 1


def _out_of_range(value) -> bool:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return False  # not an integer at all: Django's own validation answers
    return not -MAX_ID <= number <= MAX_ID


class ModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and _out_of_range(value):
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        try:
            values = frozenset(value)
        except TypeError:
            values = frozenset()
        for item in values:
            if _out_of_range(item):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                )
        return super()._check_values(value)


def formfield_for_model_field(field, **kwargs):
    """A ModelForm ``formfield_callback`` that swaps in the safe choice fields."""
    if field.many_to_many:
        kwargs.setdefault("form_class", ModelMultipleChoiceField)
    elif field.is_relation:
        kwargs.setdefault("form_class", ModelChoiceField)
    return field.formfield(**kwargs)
