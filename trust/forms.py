"""The trust app's forms: sign-in, second factor, re-authentication, bulk-export
confirmation, emergency access and disclosures."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Row, Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from core.textlimits import ADDRESS, NOTE_TEXT


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Sign in", css_class="w-100"))


class OTPTokenForm(forms.Form):
    otp_token = forms.CharField(
        label="Code",
        max_length=16,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", "Verify", css_class="w-100"))

    def clean_otp_token(self):
        return self.cleaned_data["otp_token"].replace(" ", "").lower()


class ReauthForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", "Confirm", css_class="w-100"))


TEMPORARY_PASSWORD_USED = (
    "This temporary password has been used already. Ask an admin of your clinic to set a new one."
)


class SignInForm(LoginForm):
    """The sign-in form. A password an admin set signs in once, and only to
    choose a new password; after that it is refused."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.must_change_password and user.temporary_password_used_at is not None:
            raise forms.ValidationError(TEMPORARY_PASSWORD_USED, code="temporary_password_used")


class BulkExportConfirmForm(forms.Form):
    reason = forms.CharField(
        label="Why are you exporting these records?",
        min_length=10,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "autofocus": True}),
        help_text="Kept in the audit log and sent to the other admins.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", "Confirm and export", css_class="btn-warning"))

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        if len(reason) < 10:
            raise forms.ValidationError("Write the reason in a few words (at least 10 characters).")
        return reason


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
