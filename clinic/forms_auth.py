from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from clinic.forms import LoginForm


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
