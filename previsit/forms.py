"""Forms for questionnaires and intake forms before a visit."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError

from clinic.forms import HealthScreenForm
from previsit.models import Measure
from previsit.questions import Parsed


class RequestForm(forms.Form):
    measure = forms.ChoiceField(choices=Measure.choices, label="Questionnaire")
    due = forms.DateField(
        required=False, label="Answer by (optional)", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        label="Why discard it",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why it is discarded."},
    )


class ScheduleForm(forms.Form):
    measure = forms.ChoiceField(choices=Measure.choices, label="Questionnaire")
    every_weeks = forms.IntegerField(
        min_value=1,
        max_value=26,
        initial=4,
        label="Every (weeks)",
        error_messages={
            "min_value": "Choose from 1 to 26 weeks.",
            "max_value": "Choose from 1 to 26 weeks.",
            "invalid": "Give a whole number of weeks.",
        },
    )
    active = forms.BooleanField(required=False, initial=True, label="Ask automatically")


class IntakeForm(HealthScreenForm):
    """The clinic's health screen form, current question set, without the therapist's own notes."""

    def __init__(self, *args, paper: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["notes"]
        self.fields["consent_given"].label = (
            "The client agrees to the consent text above (as signed on the paper form)"
            if paper
            else "I agree to the consent text above"
        )
        self.fields["medications"].label = (
            "Medicines taken now (including pain medicine)" if not paper else self.fields["medications"].label
        )

    @classmethod
    def parse_partial(cls, data) -> Parsed:
        """What the client has typed so far, field by field, as ``questions.parse`` reads a
        questionnaire: unknown fields are ignored, empty ones left out, and a value its field
        refuses is reported beside it and never kept. The kept values stay as typed, so the
        form shows them again (``IntakeForm(initial=...)``)."""
        parsed = Parsed()
        for name, form_field in cls().fields.items():
            raw = data.get(name, "")
            raw = raw.strip() if isinstance(raw, str) else ""
            if not raw:
                continue
            try:
                form_field.clean(raw)
            except ValidationError as exc:
                parsed.errors[name] = " ".join(exc.messages)
                continue
            parsed.values[name] = raw
        return parsed

    def screen_fields(self) -> dict:
        data = self.cleaned_data
        names = ("medications", "pregnancy_stage", "gp_name", "gp_contact", "consent_given")
        return {name: data[name] for name in names} | {
            "consented_by_role": data["consented_by_role"],
            "consented_by_name": data["consented_by_name"],
        }
