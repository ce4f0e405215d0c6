from __future__ import annotations

from django import forms

from portal.models import MAX_NOTE, EntryKind
from programs.models import MAX_SETS


class BirthDateForm(forms.Form):
    date_of_birth = forms.DateField(
        label="Your date of birth",
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        error_messages={"required": "Enter your date of birth.", "invalid": "Enter a date, e.g. 14/03/1985."},
    )


class LogEntryForm(forms.Form):
    """One entry from the client's view. Ids arrive as typed numbers; whether they
    belong to this client is the service's to check."""

    entry_id = forms.UUIDField(error_messages={"invalid": "This entry could not be read. Please try again."})
    kind = forms.ChoiceField(choices=EntryKind.choices, error_messages={"invalid_choice": "Unknown entry."})
    item = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    set_number = forms.IntegerField(required=False, min_value=1, max_value=MAX_SETS)
    done_on = forms.DateField(error_messages={"invalid": "Enter a date."})
    pain = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=10,
        error_messages={
            "min_value": "Pain is a number from 0 to 10.",
            "max_value": "Pain is a number from 0 to 10.",
            "invalid": "Pain is a number from 0 to 10.",
        },
    )
    settled = forms.TypedChoiceField(
        required=False,
        choices=[("", ""), ("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        empty_value=None,
    )
    note = forms.CharField(required=False, max_length=MAX_NOTE, strip=True)

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind in (EntryKind.SET, EntryKind.SESSION) and not cleaned.get("item"):
            raise forms.ValidationError("Choose an exercise.")
        if (
            kind in (EntryKind.PAIN, EntryKind.MORNING)
            and cleaned.get("pain") is None
            and "pain" not in self.errors
        ):
            self.add_error("pain", "Choose how bad the pain was, from 0 to 10.")
        if kind == EntryKind.MORNING and cleaned.get("settled") is None:
            self.add_error("settled", "Say whether the pain had settled by the morning.")
        return cleaned
