"""One family of domain errors: each refusal carries its HTTP status and a plain message,
and one that no view caught is answered with both on the product's page, never a 500."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from assessments.services import AssessmentConflict
from clinic.services import StaleEdit
from core.errors import Conflict, DomainError, Forbidden
from core.http import DomainErrorMiddleware
from core.records import NotTheAuthor, RecordLocked
from notes.services import NoteConflict, NotePermissionError
from programs.services import ProgramConflict


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (RecordLocked, 409),
        (StaleEdit, 409),
        (AssessmentConflict, 409),
        (NoteConflict, 409),
        (ProgramConflict, 409),
        (NotTheAuthor, 403),
        (NotePermissionError, 403),
    ],
)
def test_every_refusal_is_a_domain_error_with_its_status_and_a_plain_message(error, status):
    exc = error()
    assert isinstance(exc, DomainError)
    assert exc.status == status
    assert exc.message and exc.message[0].isupper() and "_" not in exc.message
    assert isinstance(exc, Conflict if status == 409 else Forbidden)


def test_a_message_given_at_the_raise_replaces_the_default():
    assert RecordLocked("This program version is issued.").message == "This program version is issued."
    assert str(NotTheAuthor("Only Sam may sign this.")) == "Only Sam may sign this."


@pytest.mark.django_db
def test_a_refusal_no_view_caught_is_answered_with_its_status_and_message():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    middleware = DomainErrorMiddleware(lambda r: None)
    response = middleware.process_exception(request, RecordLocked("This note is signed & locked."))
    assert response.status_code == 409
    body = response.content.decode()
    assert "This note is signed &amp; locked." in body
    assert "Error 409" in body
    assert middleware.process_exception(request, ValueError("not ours")) is None
