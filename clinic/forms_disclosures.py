"""The form that records a disclosure: it validates and converts; the service
``clinic.services.disclosure_record`` writes the log."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone

from core.textlimits import ADDRESS, NOTE_TEXT

TEXT_LIMIT = NOTE_TEXT


class DisclosureForm(forms.Form):
    disclosed_on = forms.DateField(
        label="Date of disclosure",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the date the record was released."},
    )
    recipient_name = forms.CharField(
        label="Recipient",
        max_length=200,
        help_text="The person or organisation that received it, e.g. a solicitor or an insurer.",
        error_messages={"required": "Name the recipient."},
    )
    recipient_address = forms.CharField(
        label="Recipient's address",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=ADDRESS,
        required=False,
        help_text="If known.",
    )
    description = forms.CharField(
        label="What was released",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_LIMIT,
        help_text="A brief description, e.g. 'visit notes from March to June 2026'.",
        error_messages={"required": "Describe what was released."},
    )
    purpose = forms.CharField(
        label="Purpose",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_LIMIT,
        help_text="Why it was released, or a copy of the written request.",
        error_messages={"required": "Give the purpose of the disclosure, or copy in the written request."},
    )
    export_event_id = forms.IntegerField(
        label="Export audit event number",
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Optional: the audit event of the record export that was sent.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["disclosed_on"].initial = timezone.localdate()
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Record the disclosure", css_class="btn-primary"))

    def clean_disclosed_on(self):
        disclosed_on = self.cleaned_data["disclosed_on"]
        if disclosed_on > timezone.localdate():
            raise forms.ValidationError("The date of disclosure cannot be in the future.")
        if disclosed_on.year < 1900:
            raise forms.ValidationError("Enter a real date.")
        return disclosed_on
