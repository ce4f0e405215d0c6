"""Forms for clients' amendment requests: they validate and convert; the
services in notes.amendment_requests change state."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone

from core.textlimits import NOTE_TEXT
from notes.models import Amendment, AmendmentRequest

TEXT_LIMIT = NOTE_TEXT


def _helper(label: str, *, action: str = "", css: str = "btn-primary") -> FormHelper:
    helper = FormHelper()
    if action:
        helper.form_action = action
    helper.add_input(Submit("submit", label, css_class=css))
    return helper


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class AmendmentRequestForm(forms.Form):
    received_on = forms.DateField(
        label="Request received on", widget=DateInput(), help_text="The decision is due 60 days later."
    )
    request_text = forms.CharField(
        label="What the client asks to amend, and why",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=TEXT_LIMIT,
        help_text="In the client's words where possible. Attach nothing: write it out.",
    )
    other_records = forms.CharField(
        label="Other records the request mentions",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=TEXT_LIMIT,
        required=False,
        help_text="Another visit or an assessment the client also asks about.",
    )

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()
        self.helper = _helper("Record the request", action=action)


class ExtendForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the delay",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=TEXT_LIMIT,
        help_text="The client is told this in writing, with the new date (30 days later). Once only.",
    )
    notice = forms.CharField(
        label="Written notice sent to the client",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_LIMIT,
        required=False,
        help_text="Leave empty to record a standard notice built from the reason and the new date.",
    )

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Extend once by 30 days", action=action, css="btn-outline-secondary")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[c for c in AmendmentRequest.Decision.choices if c[0] != AmendmentRequest.Decision.PENDING],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason (for a denial or a partial acceptance)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_LIMIT,
        required=False,
        help_text="What is refused and why. The client receives it in writing, with how to disagree.",
    )
    amended_text = forms.CharField(
        label="Amended content (for an acceptance)",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_LIMIT,
        required=False,
        help_text="Added beneath the note as a signed amendment; the original stays as it is.",
    )
    kind = forms.ChoiceField(
        label="Add it as",
        choices=[(k.value, k.label) for k in (Amendment.Kind.CORRECTION, Amendment.Kind.ADDENDUM)],
        initial=Amendment.Kind.CORRECTION,
        required=False,
    )

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Sign the decision", action=action)


class DisagreementForm(forms.Form):
    received_on = forms.DateField(label="Statement received on", widget=DateInput())
    text = forms.CharField(
        label="Client's statement of disagreement",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_LIMIT,
    )

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()
        self.helper = _helper("Record the statement", action=action)


class RebuttalForm(forms.Form):
    text = forms.CharField(
        label="Clinic's rebuttal",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_LIMIT,
        help_text="A copy goes to the client.",
    )

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Record the rebuttal", action=action)
