"""Forms of the emergency ("break-glass") access pages."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Row, Submit
from django import forms
from django.utils import timezone


class EmergencySearchForm(forms.Form):
    """Name and date of birth, both required: enough to find the one client in
    front of the therapist, not a way to browse the clinic's client list."""

    name = forms.CharField(
        max_length=100,
        min_length=2,
        label="Name",
        error_messages={"required": "Enter the client's name."},
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the client's date of birth."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Row(Column("name"), Column("date_of_birth"))
        self.helper.add_input(Submit("search", "Find client", css_class="btn-outline-primary"))

    def clean_date_of_birth(self):
        dob = self.cleaned_data["date_of_birth"]
        if dob > timezone.localdate() or dob.year < 1900:
            raise forms.ValidationError("Enter a real date of birth.")
        return dob


class EmergencyStartForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        label="Reason for emergency access",
        help_text="Why you need this client's record now. Admins read this when they review it.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason for emergency access."},
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Opening emergency access always asks for your password again.",
        error_messages={"required": "Enter your password to confirm it is you."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give the reason for emergency access.")
        return reason


class EmergencyReviewForm(forms.Form):
    review_note = forms.CharField(
        max_length=2000,
        label="Review note",
        help_text="What you checked (the reason, what was opened) and what you concluded.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write what you checked and concluded."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
