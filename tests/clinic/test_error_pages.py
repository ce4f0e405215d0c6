"""The product's own 400/403/404/500 pages: plain words, a way back, no internals."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.views import defaults

INTERNALS = ("Traceback", "urlpatterns", "URLconf", "DEBUG = True", "Django tried these URL patterns")


def _assert_product_page(response, status: int, words: str) -> None:
    body = response.content.decode()
    assert response.status_code == status
    assert words in body
    assert 'href="/"' in body  # a way back
    for internal in INTERNALS:
        assert internal not in body


def test_unknown_page_shows_the_products_404(as_treating):
    response = as_treating.get("/no-such-page/")
    _assert_product_page(response, 404, "Page not found")


def test_record_outside_scope_shows_the_same_404_as_a_missing_one(as_colleague, client_record):
    outside = as_colleague.get(f"/clients/{client_record.pk}/")
    missing = as_colleague.get("/clients/999999/")
    _assert_product_page(outside, 404, "Page not found")
    _assert_product_page(missing, 404, "Page not found")
    assert client_record.last_name not in outside.content.decode()


def test_404_for_an_anonymous_visitor_is_the_products_page(anon, db):
    response = anon.get("/no-such-page/")
    _assert_product_page(response, 404, "Page not found")
    assert "Sign out" not in response.content.decode()


def test_server_error_page_is_plain_and_needs_no_database(db):
    request = RequestFactory().get("/")
    response = defaults.server_error(request)
    _assert_product_page(response, 500, "Something went wrong on our side")


def test_permission_denied_page(db, treating):
    request = RequestFactory().get("/")
    request.user = treating
    request.session = SessionStore()
    response = defaults.permission_denied(request, Exception("secret detail"))
    _assert_product_page(response, 403, "You do not have access to this page")
    assert "secret detail" not in response.content.decode()


def test_bad_request_page(db):
    request = RequestFactory().get("/")
    response = defaults.bad_request(request, Exception("secret detail"))
    _assert_product_page(response, 400, "This request could not be read")


@pytest.mark.django_db
def test_expired_form_shows_the_products_csrf_page(treating):
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(treating)
    response = http.post("/clients/new/", {"first_name": "X"})
    _assert_product_page(response, 403, "This form has expired")
    assert "CSRF verification failed" not in response.content.decode()
    assert "cookie not set" not in response.content.decode()
