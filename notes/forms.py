"""Forms for notes: they validate and convert; services change state."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Field, Fieldset, Layout, Row, Submit
from django import forms
from django.utils import timezone

from clinic.dates import clinical_date_problem
from core import fields
from core.textlimits import text_limit_validator
from notes.models import (
    Amendment,
    BodyRegion,
    NoteTemplate,
    PalpationFinding,
    Side,
    Technique,
    Treatment,
    VisitNote,
)
from notes.services import EDITABLE_FIELDS

CARRIED_HELP = "Carried forward: review"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


def _clean_service_at(value, *, client):
    problem = clinical_date_problem(value, client=client)
    if problem:
        raise forms.ValidationError(problem)
    return value


class NoteStartForm(forms.Form):
    service_at = forms.DateTimeField(
        label="Date and time of service", widget=DateTimeLocalInput(), input_formats=[DATETIME_FORMAT]
    )
    duration_minutes = forms.IntegerField(
        label="Visit length (minutes)", min_value=5, max_value=240, initial=60
    )
    template = forms.ChoiceField(label="Start from template", required=False)
    copy_forward = forms.BooleanField(
        label="Copy forward from the last signed visit (marked 'carried forward: review')",
        required=False,
        initial=True,
    )

    def __init__(self, *args, previous=None, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        self.fields["template"].choices = [("", "No template")] + [
            (t.kind, t.name) for t in NoteTemplate.objects.order_by("name")
        ]
        # After a discharge the next visit starts a new episode of care: an initial visit.
        follows_on = previous is not None and not previous.is_discharge
        self.fields["template"].initial = VisitNote.Kind.FOLLOW_UP if follows_on else VisitNote.Kind.INITIAL
        self.fields["service_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        if previous is None:
            self.fields["copy_forward"].initial = False
            self.fields["copy_forward"].disabled = True
            self.fields["copy_forward"].help_text = "No earlier signed visit to copy from."
        else:
            self.fields[
                "copy_forward"
            ].help_text = f"Last signed visit: {timezone.localtime(previous.service_at):%Y-%m-%d %H:%M}."
            if not follows_on:
                self.fields["copy_forward"].initial = False
                self.fields[
                    "copy_forward"
                ].help_text += " It was a discharge: this visit starts a new episode."
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("service_at"), Column("duration_minutes"), Column("template")),
            "copy_forward",
        )
        self.helper.add_input(Submit("submit", "Start note"))

    def clean_service_at(self):
        return _clean_service_at(self.cleaned_data["service_at"], client=self.client)


class NoteForm(forms.ModelForm):
    formfield_callback = fields.formfield_for_model_field
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = VisitNote
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "service_at": DateTimeLocalInput(),
            "chief_complaint": forms.Textarea(attrs={"rows": 2}),
            "focus": forms.Textarea(attrs={"rows": 2}),
            "subjective": forms.Textarea(attrs={"rows": 3}),
            "objective": forms.Textarea(attrs={"rows": 3}),
            "analysis": forms.Textarea(attrs={"rows": 3}),
            "plan_next": forms.Textarea(attrs={"rows": 2}),
            "goals": forms.Textarea(attrs={"rows": 2}),
            "referrals": forms.Textarea(attrs={"rows": 1}),
            "discharge_detail": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "discharge_reason": "For a discharge note: required before it can be signed.",
            "discharge_detail": 'Optional; required when the reason is "other".',
        }

    # Fields another section of the note page may record instead (adherence per exercise).
    OPTIONAL_ON_PAGE = ("hep_adherence",)

    def __init__(self, *args, intake_url: str = "", leave_out=(), **kwargs):
        super().__init__(*args, **kwargs)
        # A field the page records elsewhere is left out; a post without it (that page)
        # leaves the stored value alone instead of clearing it.
        for name in self.OPTIONAL_ON_PAGE:
            if name in leave_out or (self.is_bound and name not in self.data):
                del self.fields[name]
        service_at = self.fields["service_at"]
        assert isinstance(service_at, forms.DateTimeField)  # the model's date-time field
        service_at.input_formats = [DATETIME_FORMAT]
        for name in ("nprs_first_step", "nprs_rest", "nprs_worst_24h"):
            self.fields[name].widget.attrs.update({"min": 0, "max": 10, "inputmode": "numeric"})
        self.fields["duration_minutes"].widget.attrs.update({"min": 5, "max": 240})
        if self.instance.pk and not self.is_bound:
            self.fields["version"].initial = self.instance.version
        for name in self.instance.carried_fields or ():
            if name in self.fields:
                self.fields[name].help_text = CARRIED_HELP
                self.fields[name].widget.attrs["class"] = "kc-carried"
                self.fields[name].widget.attrs["data-carried"] = name
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["data-snippet-target"] = "1"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        hidden = "" if self.instance.screen_changed == VisitNote.ScreenCheck.CHANGED else " hidden"
        screen_link = (
            '<div class="alert alert-warning py-2 small" id="screen-recheck-link" '
            f'data-show-when="yes"{hidden}>'
            f'Something changed: <a href="{intake_url}" target="_blank" rel="noopener">record a new health '
            "screen</a> so the red and amber flags stay current (opens in a new tab; this draft keeps "
            "saving).</div>"
            if intake_url
            else ""
        )
        self.helper.layout = Layout(
            "version",
            Fieldset(
                "Visit",
                Row(Column("service_at"), Column("duration_minutes"), Column("kind")),
            ),
            Fieldset(
                "S · Subjective",
                "chief_complaint",
                "focus",
                Row(Column("nprs_first_step"), Column("nprs_rest"), Column("nprs_worst_24h")),
                Row(Column("change_since_last"), Column("hep_adherence"))
                if "hep_adherence" in self.fields
                else "change_since_last",
                "hep_response",
                Row(Column("screen_changed"), Column("screen_change_details")),
                HTML(screen_link),
                "subjective",
                css_id="section-s",
            ),
            Fieldset("O · Objective", "objective", css_id="section-o"),
            Fieldset(
                "A · Assessment",
                HTML(
                    '<p class="small kc-muted mb-1" id="scope-reminder">Within massage scope this is a '
                    "functional and tissue assessment, <strong>not a medical diagnosis</strong>. "
                    "Refer when something needs one.</p>"
                ),
                Field("analysis"),
                css_id="section-a",
            ),
            Fieldset(
                "P · Plan",
                "plan_next",
                Row(Column("frequency"), Column("hep_change")),
                "goals",
                "referrals",
                css_id="section-p",
            ),
            # Shown for discharge notes only (notes.js follows the kind chosen above).
            Div(
                Fieldset(
                    "Discharge",
                    Row(Column("discharge_reason"), Column("discharge_detail")),
                ),
                css_id="section-discharge",
                data_show_when=VisitNote.Kind.DISCHARGE.value,
                hidden=self.instance.kind != VisitNote.Kind.DISCHARGE,
            ),
        )

    def clean_service_at(self):
        value = self.cleaned_data["service_at"]
        if value == self.instance.service_at:
            return value  # unchanged: nothing to check (and no query on every autosave)
        return _clean_service_at(value, client=self.instance.client)


def _region_choices(regions) -> list:
    """Regions grouped foot -> trunk, so the right muscle is a short scan away."""
    groups: dict[str, list] = {}
    for region in regions:
        groups.setdefault(region.group, []).append((region.pk, region.name))
    return [("", "Region / muscle…"), *groups.items()]


def _compact(form: forms.Form) -> None:
    """Small Bootstrap controls for the one-line quick-entry rows."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect):
            # Segmented buttons: each radio is labelled by its own text, the group by a legend.
            widget.attrs["class"] = "btn-check"
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select form-select-sm"
        else:
            widget.attrs["class"] = "form-control form-control-sm"
        widget.attrs["aria-label"] = str(field.label or name)


class TreatmentForm(forms.Form):
    technique = fields.ModelChoiceField(queryset=Technique.objects.none(), empty_label="Technique…")
    region = fields.ModelChoiceField(queryset=BodyRegion.objects.none(), empty_label="Region / muscle…")
    # Side, pressure and response are segmented buttons (radios): one click each.
    side = forms.ChoiceField(choices=Side.choices, required=False, widget=forms.RadioSelect)
    minutes = forms.IntegerField(min_value=1, initial=10)
    pressure = forms.TypedChoiceField(
        choices=Treatment.Pressure.choices,
        coerce=int,
        initial=Treatment.Pressure.MODERATE,
        widget=forms.RadioSelect,
    )
    grade = forms.ChoiceField(
        choices=[("", "Grade (mobilisation)")] + [c for c in Treatment.Grade.choices if c[0]], required=False
    )
    response = forms.ChoiceField(
        choices=Treatment.Response.choices, initial=Treatment.Response.EASED, widget=forms.RadioSelect
    )
    note_text = forms.CharField(max_length=200, required=False, label="Note")
    # Overriding the safety interlock: all three are needed (checked by the service and the view).
    override_reason = forms.CharField(
        max_length=2000,
        required=False,
        label="Reason for treating despite the safety rule",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    override_recheck = forms.BooleanField(
        required=False, label="I re-checked the health screen with the client at this visit"
    )
    override_password = forms.CharField(
        required=False, strip=False, label="Your password", widget=forms.PasswordInput(render_value=False)
    )

    def __init__(self, *args, note: VisitNote, techniques=None, regions=None, **kwargs):
        kwargs.setdefault("prefix", "t")
        super().__init__(*args, **kwargs)
        self.note = note
        # Only the note's own therapist logs treatments, so their scope decides.
        technique, region = self.fields["technique"], self.fields["region"]
        assert isinstance(technique, fields.ModelChoiceField) and isinstance(region, fields.ModelChoiceField)
        technique.queryset = Technique.objects.offered_to(note.therapist)
        region.queryset = BodyRegion.objects.filter(active=True)
        if techniques is not None:
            technique.choices = [("", "Technique…")] + [(t.pk, t.name) for t in techniques]
        if regions is not None:
            region.choices = _region_choices(regions)
        self.fields["minutes"].widget.attrs.update({"min": 1, "max": note.duration_minutes})
        self.fields["side"].initial = note.client.involved_side
        _compact(self)
        self.fields["note_text"].widget.attrs["placeholder"] = "Note (optional)"

    def clean_minutes(self):
        minutes = self.cleaned_data["minutes"]
        if minutes > self.note.duration_minutes:
            raise forms.ValidationError(f"More than the visit length ({self.note.duration_minutes} minutes).")
        return minutes

    @property
    def wants_override(self) -> bool:
        """Whether the therapist filled in any part of the override (a reason of
        whitespace counts, so it is refused beside the field rather than ignored)."""
        raw = self.data
        return any(
            raw.get(self.add_prefix(name), "") not in ("", None)
            for name in ("override_reason", "override_recheck", "override_password")
        )

    # Set by the view when the interlock refused the row, so the override fields show.
    interlocked = False

    @property
    def shows_override(self) -> bool:
        return self.wants_override or self.interlocked


class ConsentOverrideForm(forms.Form):
    """Treat at this visit although consent on file is missing or out of date."""

    override_reason = forms.CharField(
        max_length=2000,
        required=False,
        label="Reason (e.g. consent taken on paper today)",
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
    )
    override_recheck = forms.BooleanField(
        required=False,
        label="I re-checked the health screen with the client at this visit",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    override_password = forms.CharField(
        required=False,
        strip=False,
        label="Your password",
        widget=forms.PasswordInput(attrs={"class": "form-control form-control-sm"}),
    )

    wants_override = True


class PalpationForm(forms.Form):
    region = fields.ModelChoiceField(queryset=BodyRegion.objects.none(), empty_label="Region / muscle…")
    side = forms.ChoiceField(choices=Side.choices, required=False)
    tone = forms.ChoiceField(choices=PalpationFinding.Tone.choices, initial=PalpationFinding.Tone.INCREASED)
    tenderness = forms.TypedChoiceField(
        choices=PalpationFinding.Tenderness.choices, coerce=int, initial=PalpationFinding.Tenderness.MILD
    )
    trigger_points = forms.BooleanField(required=False, label="Trigger points")
    note_text = forms.CharField(max_length=200, required=False, label="Note")

    def __init__(self, *args, note: VisitNote, regions=None, **kwargs):
        kwargs.setdefault("prefix", "p")
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        assert isinstance(region, fields.ModelChoiceField)  # declared above
        region.queryset = BodyRegion.objects.filter(active=True)
        if regions is not None:
            region.choices = _region_choices(regions)
        self.fields["side"].initial = note.client.involved_side
        _compact(self)
        self.fields["note_text"].widget.attrs["placeholder"] = "Note (optional)"


class AmendmentForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=Amendment.Kind.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why this is added now (e.g. information not available at the time, what was wrong).",
        validators=[text_limit_validator("notes.amendment", "reason")],
    )
    text = forms.CharField(
        label="Added or corrected information",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        validators=[text_limit_validator("notes.amendment", "text")],
        help_text="Not needed when marking a note entered in error.",
    )

    def __init__(self, *args, note: VisitNote, **kwargs):
        super().__init__(*args, **kwargs)
        choices = list(Amendment.Kind.choices)
        if not note.is_signed:
            choices = [c for c in choices if c[0] == Amendment.Kind.ENTERED_IN_ERROR]
        if getattr(note, "in_error", False):
            choices = [c for c in choices if c[0] != Amendment.Kind.ENTERED_IN_ERROR]
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)  # a model field with choices
        kind.choices = choices
        if len(choices) == 1:
            self.fields["kind"].initial = choices[0][0]
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Sign and add", css_class="btn-primary"))

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind and kind != Amendment.Kind.ENTERED_IN_ERROR and not (data.get("text") or "").strip():
            self.add_error("text", "Write the added or corrected information.")
        return data


class SnippetForm(forms.Form):
    title = forms.CharField(max_length=60)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    clinic_wide = forms.BooleanField(required=False, label="Clinic-wide (everyone can use it)")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not user.is_clinic_admin:
            del self.fields["clinic_wide"]
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Add snippet"))


class AssessmentLinkForm(forms.Form):
    assessment = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Assessment done at this visit"
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].choices = [("", "None linked")] + list(choices)
        self.fields["assessment"].widget.attrs["class"] = "form-select form-select-sm"
