from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from clinic.models import Client, ClinicProfile, Consent, HealthScreen, User
from clinic.screening import QUESTIONS
from clinic.services import MAX_LOGO_PIXELS
from core import fields


def add_validation_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: each message beside the
    field it names, the rest above the form."""
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, exc)


def therapists():
    return User.objects.filter(is_therapist=True, is_active=True).order_by("first_name", "last_name")


class ClientForm(forms.ModelForm):
    formfield_callback = fields.formfield_for_model_field
    care_team = fields.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The primary therapist is always on the care team.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Client
        fields = [
            "first_name",
            "last_name",
            "preferred_name",
            "date_of_birth",
            "sex",
            "email",
            "phone",
            "address",
            "emergency_contact_name",
            "emergency_contact_phone",
            "occupation",
            "sports",
            "weekly_volume",
            "footwear",
            "goals",
            "referral_source",
            "involved_side",
            "primary_therapist",
        ]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "address": forms.Textarea(attrs={"rows": 2}),
            "goals": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, can_assign: bool = True, **kwargs):
        """``can_assign``: whether the user may choose the primary therapist and the
        care team (admins). Care-team therapists edit the other details only."""
        super().__init__(*args, **kwargs)
        self.can_assign = can_assign
        if can_assign:
            for name in ("primary_therapist", "care_team"):
                field = self.fields[name]
                assert isinstance(field, forms.ModelChoiceField)  # a model form's related fields
                field.queryset = therapists()
            if self.instance.pk:
                self.fields["care_team"].initial = [m.pk for m in self.instance.care_team.all()]
        else:
            del self.fields["primary_therapist"]
            del self.fields["care_team"]
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                "Client",
                Row(Column("first_name"), Column("last_name"), Column("preferred_name")),
                Row(Column("date_of_birth"), Column("sex"), Column("involved_side")),
            ),
            Fieldset(
                "Contact",
                Row(Column("email"), Column("phone")),
                "address",
                Row(Column("emergency_contact_name"), Column("emergency_contact_phone")),
            ),
            Fieldset(
                "Activity profile",
                Row(Column("occupation"), Column("sports")),
                Row(Column("weekly_volume"), Column("footwear")),
                "goals",
                "referral_source",
            ),
            *([Fieldset("Care team", "primary_therapist", "care_team")] if can_assign else []),
            "version",
        )
        self.helper.form_tag = False

    def clean_date_of_birth(self):
        dob = self.cleaned_data["date_of_birth"]
        if dob > timezone.localdate():
            raise forms.ValidationError("Date of birth cannot be in the future.")
        if dob.year < 1900:
            raise forms.ValidationError("Enter a date of birth after 1900.")
        return dob


class ClientSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search")
    therapist = fields.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="All therapists",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = forms.ChoiceField(
        choices=[("active", "Active"), ("archived", "Archived"), ("all", "All")],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["therapist"].queryset = therapists()

    def filters(self) -> dict:
        """Keyword arguments for ``selectors.client_search``."""
        data = self.cleaned_data
        return {"text": data["q"], "therapist": data["therapist"], "status": data["status"] or "active"}


class HealthScreenForm(forms.Form):
    """One yes/no and one details field per screening question."""

    medications = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        label="Current medications (including pain medication)",
    )
    notes = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )
    pregnancy_stage = forms.ChoiceField(
        required=False,
        choices=HealthScreen.PregnancyStage.choices,
        label="Pregnancy: trimester, or within 6 weeks of giving birth",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    gp_name = forms.CharField(required=False, max_length=120, label="GP's name")
    gp_contact = forms.CharField(required=False, max_length=200, label="GP's practice and phone")
    consent_given = forms.BooleanField(
        required=False,
        label="Client consents to treatment",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    consented_by_role = forms.ChoiceField(
        required=False,
        choices=Consent.Role.choices,
        initial=Consent.Role.CLIENT,
        label="Who consented",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    consented_by_name = forms.CharField(
        required=False, max_length=120, label="Name of the parent or guardian (for a minor)"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("gp_name", "gp_contact", "consented_by_name"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-sm"
        for q in QUESTIONS:
            if q.dated:
                self.fields[f"s_{q.code}"] = forms.DateField(
                    label="Date",
                    required=False,
                    widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}),
                )
            self.fields[f"q_{q.code}"] = forms.TypedChoiceField(
                label=q.text,
                choices=[("no", "No"), ("yes", "Yes")],
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                coerce=lambda v: v == "yes",
                required=True,
                error_messages={"required": "Answer yes or no."},
            )
            self.fields[f"d_{q.code}"] = forms.CharField(
                label="Details",
                required=False,
                max_length=500,
            )
        self.helper = FormHelper()
        self.helper.form_tag = False

    @staticmethod
    def initial_from(screen, answers) -> dict:
        """Start a re-check from the previous screen's answers."""
        initial = {}
        for answer in answers:
            initial[f"q_{answer.question}"] = "yes" if answer.answer else "no"
            initial[f"d_{answer.question}"] = answer.details
            if getattr(answer, "since", None):
                initial[f"s_{answer.question}"] = answer.since
        if screen is not None:
            initial["medications"] = screen.medications
            initial["gp_name"] = screen.gp_name
            initial["gp_contact"] = screen.gp_contact
        return initial

    def questions(self):
        return [
            (q, self[f"q_{q.code}"], self[f"d_{q.code}"], self[f"s_{q.code}"] if q.dated else None)
            for q in QUESTIONS
        ]

    def answers(self) -> dict[str, tuple]:
        data = self.cleaned_data
        return {
            q.code: (data[f"q_{q.code}"], data[f"d_{q.code}"], data.get(f"s_{q.code}") if q.dated else None)
            for q in QUESTIONS
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        """A service error on a question code goes beside that question (its date if it has one)."""
        if hasattr(exc, "error_dict"):
            by_code = {q.code: q for q in QUESTIONS}
            renamed = {}
            for name, messages in exc.message_dict.items():
                question = by_code.get(name)
                if question is not None:
                    name = f"s_{name}" if question.dated and "date" in " ".join(messages) else f"q_{name}"
                renamed[name] = messages
            exc = ValidationError(renamed)
        add_validation_errors(self, exc)

    def screen_fields(self) -> dict:
        """The rest of the screen for ``health_screen_record``."""
        data = self.cleaned_data
        names = ("medications", "notes", "pregnancy_stage", "gp_name", "gp_contact", "consent_given")
        return {name: data[name] for name in names} | {
            "consented_by_role": data["consented_by_role"] or Consent.Role.CLIENT,
            "consented_by_name": data["consented_by_name"],
        }


class ConsentWithdrawForm(forms.Form):
    """The reason a client gives for withdrawing consent to treatment."""

    reason = forms.CharField(
        max_length=2000,
        label="Reason for withdrawing consent",
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        error_messages={"required": "Say why consent was withdrawn."},
    )


class UserCreateForm(forms.ModelForm):
    formfield_callback = fields.formfield_for_model_field
    password = forms.CharField(
        widget=forms.PasswordInput, strip=False, help_text="At least 12 characters; not a common password."
    )

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "credentials",
            "registration_number",
            "is_therapist",
            "is_clinic_admin",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(
                username=cleaned.get("username", ""),
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                validate_password(password, candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class UserEditForm(forms.ModelForm):
    """Edit a staff account. ``editor`` is the admin making the change: they cannot
    remove their own admin role or deactivate themselves."""

    formfield_callback = fields.formfield_for_model_field

    class Meta:
        model = User
        fields = [
            "first_name",
            "last_name",
            "email",
            "credentials",
            "registration_number",
            "is_therapist",
            "is_clinic_admin",
            "may_break_glass",
            "joint_mobilisation_in_scope",
            "is_records_officer",
            "supervisors",
            "is_active",
        ]
        labels = {
            "is_records_officer": "Records officer: may export any client's complete record",
            "is_active": "Active (untick to deactivate; accounts are never deleted)",
            "may_break_glass": "May open emergency access (break-glass)",
            "joint_mobilisation_in_scope": "Joint mobilisation is in this therapist's scope of practice",
            "supervisors": "Named supervisors",
        }
        widgets = {"supervisors": forms.CheckboxSelectMultiple}

    def __init__(self, *args, editor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.editor = editor
        supervisors = self.fields["supervisors"]
        assert isinstance(supervisors, forms.ModelMultipleChoiceField)  # a many-to-many field
        supervisors.queryset = User.objects.filter(is_therapist=True, is_active=True).exclude(
            pk=self.instance.pk
        )
        self.fields["supervisors"].help_text = (
            "Therapists who may write, sign and amend this therapist's records. "
            "Used only when the clinic profile allows named supervisors."
        )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk == self.editor.pk:
            if not cleaned.get("is_clinic_admin"):
                self.add_error("is_clinic_admin", "You cannot remove your own admin role.")
            if not cleaned.get("is_active"):
                self.add_error("is_active", "You cannot deactivate your own account.")
        if cleaned.get("may_break_glass") and not cleaned.get("is_therapist"):
            self.add_error("may_break_glass", "Emergency access is for therapists only.")
        if cleaned.get("joint_mobilisation_in_scope") and not cleaned.get("is_therapist"):
            self.add_error("joint_mobilisation_in_scope", "Joint mobilisation scope is for therapists only.")
        return cleaned


class ClinicProfileForm(forms.ModelForm):
    formfield_callback = fields.formfield_for_model_field
    logo_upload = forms.ImageField(
        required=False,
        label="Logo",
        help_text="PNG, JPEG, GIF or WebP, up to 5 MB. Saved as PNG without camera or location data.",
    )
    remove_logo = forms.BooleanField(required=False, label="Remove the current logo")

    class Meta:
        model = ClinicProfile
        fields = [
            "name",
            "address",
            "phone",
            "email",
            "website",
            "paper_size",
            "opened_on",
            "named_supervisors_allowed",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "opened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.logo:
            del self.fields["remove_logo"]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        if not upload:
            return None
        if upload.size > settings.KC_MAX_IMAGE_BYTES:
            limit = filesizeformat(settings.KC_MAX_IMAGE_BYTES)
            raise forms.ValidationError(f"The image is larger than {limit}.")
        # forms.ImageField has opened the file with Pillow; refuse absurd sizes
        # before anything decodes the pixels.
        image = getattr(upload, "image", None)
        if image is not None and image.width * image.height > MAX_LOGO_PIXELS:
            raise forms.ValidationError("The image has too many pixels (40 megapixels at most).")
        if image is not None and image.format not in ("PNG", "JPEG", "GIF", "WEBP"):
            raise forms.ValidationError("Upload a PNG, JPEG, GIF or WebP image.")
        return upload


class ClientImportForm(forms.Form):
    """Upload of a client list exported by another practice system."""

    file = forms.FileField(
        label="Client list (CSV)",
        help_text="A CSV export from your previous system. The first row names the columns.",
    )
    primary_therapist = forms.ModelChoiceField(
        queryset=User.objects.filter(is_therapist=True, is_active=True),
        label="Therapist for these clients",
        help_text="Every imported client joins this therapist's care team; change it per client later.",
    )
    month_first = forms.BooleanField(
        required=False, label="Dates are month first (03/04/1980 is 4 March 1980)"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
