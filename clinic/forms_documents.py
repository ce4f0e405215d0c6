"""Forms for documents attached to a client: they validate and convert; the services
``client_document_attach`` and ``client_document_mark_in_error`` write. The file
itself is judged by its content in the service (``clinic.documents``), never here
by its name or the type the browser gave."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from clinic.documents import ACCEPTED, TITLE_MAX, max_bytes, too_large_message
from clinic.models import ClientDocument
from core.textlimits import SHORT_TEXT


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind", error_messages={"required": "Choose what kind of document this is."}
    )
    title = forms.CharField(
        label="Title",
        max_length=TITLE_MAX,
        required=False,
        help_text="Leave empty to use the file's name.",
    )
    # Last: an oversized file is dropped unread, and the fields sent before it are kept.
    file = forms.FileField(
        label="File",
        help_text=f"{ACCEPTED}.",
        error_messages={"required": "Choose a file to attach.", "empty": "This file is empty."},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.heic,.heif"}),
    )

    def __init__(self, *args, front_desk: bool = False, action: str = "", too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if too_large:  # the file was dropped unread (clinic.documents.UploadLimit): say why
            self.fields["file"].error_messages = {
                **self.fields["file"].error_messages,
                "required": too_large_message(),
            }
        kinds = ClientDocument.Kind.choices
        if front_desk:
            kinds = [(value, label) for value, label in kinds if value in ClientDocument.FRONT_DESK_KINDS]
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)  # a model field with choices
        kind.choices = [("", "Choose…"), *kinds]
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.attrs = {"id": "document-form"}  # crispy adds the multipart enctype itself
        self.helper.add_input(Submit("attach", "Attach document"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_bytes():
            raise forms.ValidationError(too_large_message())
        return upload


class DocumentInErrorForm(forms.Form):
    reason = forms.CharField(
        label="Why was it entered in error?",
        max_length=SHORT_TEXT,
        widget=forms.TextInput(attrs={"placeholder": "e.g. attached to the wrong client"}),
        error_messages={"required": "Say why this document was entered in error."},
    )
