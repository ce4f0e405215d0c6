"""Forms for progress reports: they validate and convert, the services write."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.utils import timezone

from reports.models import ProgressReport

INCLUDES = ("pain", "scores", "chain", "program", "treatment")


class DateInput(forms.DateInput):
    input_type = "date"


class ReportChoiceForm(forms.Form):
    """The period, the audience and what to include (the new-report page and the
    PDF of a period given in the address)."""

    period_start = forms.DateField(label="From", widget=DateInput(format="%Y-%m-%d"))
    period_end = forms.DateField(label="To", widget=DateInput(format="%Y-%m-%d"))
    audience = forms.ChoiceField(
        label="Written for", choices=ProgressReport.Audience.choices, widget=forms.RadioSelect
    )
    include_pain = forms.BooleanField(label="First-step pain over time", required=False, initial=True)
    include_scores = forms.BooleanField(label="Questionnaire scores over time", required=False, initial=True)
    include_chain = forms.BooleanField(
        label="What changed in the kinetic chain", required=False, initial=True
    )
    include_program = forms.BooleanField(label="Home program and how it went", required=False, initial=True)
    include_treatment = forms.BooleanField(label="Treatment given", required=False, initial=True)
    recipient_name = forms.CharField(label="Addressed to (letter)", max_length=200, required=False)
    recipient_address = forms.CharField(
        label="Their address (letter)",
        max_length=600,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset("Period", Row(Column("period_start"), Column("period_end"))),
            "audience",
            Fieldset(
                "Include",
                "include_pain",
                "include_scores",
                "include_chain",
                "include_program",
                "include_treatment",
            ),
            Fieldset("Letter to a referrer", "recipient_name", "recipient_address"),
        )
        self.helper.add_input(Submit("submit", "Write the draft"))

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The end of the period must be on or after its start.")
        if end and end > timezone.localdate():
            self.add_error("period_end", "The period cannot end in the future.")
        return data

    @property
    def includes(self) -> dict[str, bool]:
        return {key: bool(self.cleaned_data.get(f"include_{key}")) for key in INCLUDES}


class ReportTextForm(forms.ModelForm):
    """The parts of a draft the therapist adjusts before signing."""

    class Meta:
        model = ProgressReport
        fields = [
            "recipient_name",
            "recipient_address",
            "urgency",
            "reason",
            "summary",
            "findings_text",
            "next_steps",
            "question",
        ]
        widgets = {
            "question": forms.Textarea(attrs={"rows": 2}),
            "recipient_address": forms.Textarea(attrs={"rows": 3}),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "findings_text": forms.Textarea(attrs={"rows": 4}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
            "reason": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.is_letter:
            for name in (
                "recipient_name",
                "recipient_address",
                "findings_text",
                "reason",
                "urgency",
                "question",
            ):
                del self.fields[name]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
