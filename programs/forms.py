from __future__ import annotations

import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.core.exceptions import ValidationError

from clinic.dates import clinical_date_problem
from core import fields
from programs.drawings import DRAWING_CHOICES
from programs.images import clean_illustration
from programs.models import (
    MAX_HOLD_SECONDS,
    MAX_REPS,
    MAX_SETS,
    MEASURE_CODES,
    Exercise,
    ExerciseKind,
    FindingKind,
    PainMonitoringRule,
    ReferralOption,
    Region,
    SafetyTag,
    Side,
    pain_response_choices,
)
from programs.services import EXERCISE_FIELDS

SETS_HELP = f"1 to {MAX_SETS}."
REPS_HELP = f"1 to {MAX_REPS}; leave empty for a timed hold."
HOLD_HELP = f"Seconds, 1 to {MAX_HOLD_SECONDS} (3 minutes); leave empty for reps."


def _dosage_fields():
    return {
        "sets": forms.IntegerField(
            min_value=1,
            max_value=MAX_SETS,
            help_text=SETS_HELP,
            error_messages={
                "min_value": "At least 1 set.",
                "max_value": f"At most {MAX_SETS} sets: more is not a home program.",
            },
        ),
        "reps": forms.IntegerField(
            min_value=1,
            max_value=MAX_REPS,
            required=False,
            help_text=REPS_HELP,
            error_messages={
                "min_value": "At least 1 rep, or leave empty.",
                "max_value": f"At most {MAX_REPS} reps per set.",
            },
        ),
        "hold_seconds": forms.IntegerField(
            min_value=1,
            max_value=MAX_HOLD_SECONDS,
            required=False,
            help_text=HOLD_HELP,
            error_messages={
                "min_value": "A hold lasts at least 1 second, or leave empty.",
                "max_value": f"A hold lasts at most {MAX_HOLD_SECONDS} seconds.",
            },
        ),
    }


def _check_reps_or_hold(form: forms.Form, cleaned: dict) -> None:
    if (
        "reps" in cleaned
        and "hold_seconds" in cleaned
        and not cleaned["reps"]
        and not cleaned["hold_seconds"]
    ):
        form.add_error("reps", "Give reps, a hold time, or both.")


# Words that mean cold therapy: an exercise that uses it must carry the ice tag,
# or the safety rules that forbid cold would not see it.
COLD_WORDS = re.compile(r"\b(ice|iced|icing|frozen|cold pack|cold packs)\b", re.IGNORECASE)


class ExerciseForm(forms.ModelForm):
    formfield_callback = fields.formfield_for_model_field
    kind = forms.ChoiceField(choices=ExerciseKind.choices, required=False, initial=ExerciseKind.EXERCISE)
    safety_tags = forms.MultipleChoiceField(
        choices=SafetyTag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Safety tags",
        help_text=(
            "What the exercise involves. The client's safety rules are checked against these, "
            "so a rule against ice refuses every exercise tagged ice."
        ),
    )
    drawing = forms.ChoiceField(choices=DRAWING_CHOICES, required=False, label="Built-in drawing")
    illustration = forms.FileField(
        required=False,
        label="Upload an illustration",
        help_text="PNG, JPEG, WebP or GIF, up to 4 MB. It is re-encoded and its metadata removed.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}),
    )
    remove_illustration = forms.BooleanField(required=False, label="Remove the uploaded illustration")
    video_url = forms.URLField(
        required=False, assume_scheme="https", help_text="Printed on the handout as a QR code."
    )

    class Meta:
        model = Exercise
        fields = EXERCISE_FIELDS  # the fields exercise_create/exercise_update accept
        widgets = {
            "steps": forms.Textarea(attrs={"rows": 5}),
            "cues": forms.Textarea(attrs={"rows": 2}),
            "mistakes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in _dosage_fields().items():
            self.fields[name] = field
        others = Exercise.objects.active().order_by("name")
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["progression"].queryset = others
        self.fields["regression"].queryset = others
        self.helper = FormHelper()
        self.helper.form_tag = True
        self.helper.attrs = {"enctype": "multipart/form-data"}
        self.helper.layout = Layout(
            Fieldset(
                "Exercise",
                Row(Column("name"), Column("region"), Column("target")),
                Row(Column("position"), Column("equipment")),
                "steps",
                Row(Column("cues"), Column("mistakes")),
            ),
            Fieldset(
                "Default dosage",
                Row(Column("sets"), Column("reps"), Column("hold_seconds")),
                Row(Column("tempo"), Column("frequency")),
                "dosage_note",
                Row(Column("citation"), Column("dosage_confirmed")),
            ),
            Fieldset(
                "For the therapist (never printed for the client)",
                "cautions",
                "safety_tags",
                Row(Column("kind"), Column("low_capacity"), Column("pronated_feet_only")),
            ),
            Fieldset(
                "Links and pictures",
                Row(Column("progression"), Column("regression")),
                Row(Column("drawing"), Column("illustration"), Column("remove_illustration")),
                "video_url",
            ),
            Submit("submit", "Save exercise"),
        )

    def clean_illustration(self):
        upload = self.cleaned_data.get("illustration")
        if not upload:
            return None
        return clean_illustration(upload)

    def clean_kind(self):
        return self.cleaned_data.get("kind") or ExerciseKind.EXERCISE

    def clean_safety_tags(self):
        tags = list(dict.fromkeys(self.cleaned_data.get("safety_tags") or []))
        if SafetyTag.HEAVY_LOADING in tags and SafetyTag.LOADING not in tags:
            tags.append(SafetyTag.LOADING)  # heavy loading is loading too
        return [tag for tag in SafetyTag.values if tag in tags]

    def clean(self):
        cleaned = super().clean()
        _check_reps_or_hold(self, cleaned)
        text = " ".join(str(cleaned.get(name) or "") for name in ("name", "equipment", "steps"))
        tags = cleaned.get("safety_tags")
        if tags is not None and COLD_WORDS.search(text) and SafetyTag.ICE not in tags:
            self.add_error(
                "safety_tags",
                'This exercise uses ice or cold: tick "Ice or cold" so the client\'s safety rules '
                "can see it.",
            )
        return cleaned


class IndicationForm(forms.Form):
    measure_code = forms.ChoiceField(choices=MEASURE_CODES, label="Finding (measure)")
    finding_kind = forms.ChoiceField(choices=FindingKind.choices, label="Kind")
    reason = forms.CharField(max_length=200, label="Why (client-facing)")
    priority = forms.IntegerField(min_value=0, max_value=99, initial=10)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("measure_code"), Column("finding_kind"), Column("priority")),
            "reason",
            Submit("submit", "Add mapping", css_class="btn-sm"),
        )


class PainRuleForm(forms.Form):
    green_max = forms.IntegerField(min_value=0, max_value=8, label="Green up to")
    amber_max = forms.IntegerField(min_value=1, max_value=9, label="Amber up to")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("green_max"), Column("amber_max")), Submit("submit", "Save bands", css_class="btn-sm")
        )

    def clean(self):
        cleaned = super().clean()
        green, amber = cleaned.get("green_max"), cleaned.get("amber_max")
        if green is not None and amber is not None and green >= amber:
            raise ValidationError("The green limit must be below the amber limit.")
        return cleaned


class LibrarySearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=80,
        label="Search",
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "Name, target or equipment"}),
    )
    region = forms.ChoiceField(
        choices=[("", "All regions"), *Region.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class ItemForm(forms.Form):
    """One program item's dosage, edited inline in the builder."""

    tempo = forms.CharField(max_length=80, required=False)
    frequency = forms.CharField(max_length=80)
    side = forms.ChoiceField(choices=Side.choices, required=False)
    load_note = forms.CharField(max_length=200, required=False)
    therapist_note = forms.CharField(max_length=300, required=False)
    reason = forms.CharField(max_length=200, required=False, label="Why")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = _dosage_fields()
        self.fields = {**fields, **self.fields}
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field, forms.ChoiceField)
                else "form-control form-control-sm"
            )
            field.widget.attrs["class"] = css

    def clean(self):
        cleaned = super().clean()
        _check_reps_or_hold(self, cleaned)
        return cleaned


class AddItemForm(forms.Form):
    exercise = forms.IntegerField(
        min_value=1,
        max_value=2**63 - 1,  # beyond a database id: refuse here rather than overflow the query
        error_messages={
            "invalid": "Unknown exercise.",
            "min_value": "Unknown exercise.",
            "max_value": "Unknown exercise.",
        },
    )
    reason = forms.CharField(max_length=200, required=False)
    source_code = forms.ChoiceField(choices=[("", "-"), *MEASURE_CODES], required=False)
    side = forms.ChoiceField(choices=Side.choices, required=False)
    override_reason = forms.CharField(
        max_length=500,
        required=False,
        label="Reason for the override",
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
    )

    def clean_exercise(self):
        pk = self.cleaned_data["exercise"]
        exercise = Exercise.objects.active().filter(pk=pk).first()
        if exercise is None:
            raise ValidationError("Unknown exercise: it is not in the library.")
        return exercise


class OverrideForm(forms.Form):
    """A written reason to keep an exercise the client's safety rules advise against."""

    override_reason = forms.CharField(
        max_length=500,
        label="Reason for the override",
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
        error_messages={"required": "Write your reason for the override."},
    )


class IssueForm(forms.Form):
    visit = fields.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="Not at a visit",
        label="Issued at visit",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    start_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
    )
    review_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
    )
    referrals: forms.ModelMultipleChoiceField[ReferralOption] = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label="Refer / discuss with",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, visits=None, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        self.fields["referrals"].queryset = ReferralOption.objects.active()
        self.fields["visit"].queryset = visits
        self.fields["visit"].label_from_instance = lambda note: (
            f"{note.service_at:%Y-%m-%d %H:%M}{' (signed)' if note.is_signed else ''}"
        )

    def clean_start_date(self):
        start = self.cleaned_data["start_date"]
        problem = clinical_date_problem(start, client=self.client)
        if problem:
            raise forms.ValidationError(problem)
        return start

    def clean(self):
        cleaned = super().clean()
        start, review = cleaned.get("start_date"), cleaned.get("review_date")
        if start and review and review < start:
            self.add_error("review_date", "The review date must be on or after the start date.")
        return cleaned


class AdherenceForm(forms.Form):
    """Days done per week and pain response for each item of the issued version."""

    def __init__(self, *args, items=(), rule: PainMonitoringRule | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        # The choices name the clinic's own band edges, as the client's handout does.
        pain_choices = pain_response_choices(rule or PainMonitoringRule.load())
        for item in self.items:
            self.fields[f"days_{item.pk}"] = forms.IntegerField(
                min_value=0,
                max_value=7,
                required=False,
                label=item.exercise.name,
                error_messages={"max_value": "A week has 7 days.", "min_value": "0 to 7 days."},
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm kc-days"}),
            )
            # Segmented buttons, as on a treatment row: one tap, arrow keys move the choice.
            self.fields[f"pain_{item.pk}"] = forms.ChoiceField(
                choices=pain_choices,
                required=False,
                label=f"Pain response: {item.exercise.name}",
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
            )

    def rows(self):
        """(item, days field, pain field) for the template."""
        return [(item, self[f"days_{item.pk}"], self[f"pain_{item.pk}"]) for item in self.items]

    def clean(self):
        cleaned = super().clean()
        rows = []
        for item in self.items:
            days, pain = cleaned.get(f"days_{item.pk}"), cleaned.get(f"pain_{item.pk}")
            if days is None and not pain:
                continue
            if days is None or not pain:
                self.add_error(f"days_{item.pk}", "Give both the days and the pain response, or neither.")
                continue
            rows.append({"item": item, "days_per_week": days, "pain_response": pain})
        if not rows and not self.errors:
            raise ValidationError("Fill in at least one exercise.")
        cleaned["rows"] = rows
        return cleaned
