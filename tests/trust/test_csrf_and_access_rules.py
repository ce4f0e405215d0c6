"""CSRF on every state-changing route, and access decided in one place (AC-3, AC-8)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver

BASE = Path(settings.BASE_DIR)


def _callbacks(patterns):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _callbacks(p.url_patterns)
        elif isinstance(p, URLPattern):
            yield p


def test_no_view_is_exempt_from_csrf():
    exempt = [
        f"{p.pattern} ({p.callback.__module__}.{p.callback.__name__})"
        for p in _callbacks(get_resolver().url_patterns)
        if getattr(p.callback, "csrf_exempt", False)
    ]
    assert exempt == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("desk", "/clients/new/"),
        ("treating", "/clients/{pk}/edit/"),
        ("treating", "/clients/{pk}/intake/"),
        ("treating", "/accounts/logout/"),
        ("treating", "/accounts/password/"),
        ("desk", "/users/new/"),
        ("desk", "/clinic/profile/"),
        ("treating", "/clients/{pk}/report/"),
    ],
)
def test_a_post_without_the_csrf_token_is_refused(who, path, request, client_record):
    user = request.getfixturevalue(who)
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(user)
    response = http.post(path.format(pk=client_record.pk), {"first_name": "Forged"})
    assert response.status_code == 403
    client_record.refresh_from_db()
    assert client_record.first_name != "Forged"


@pytest.mark.django_db
def test_report_writes_need_the_csrf_token(client_record, treating):
    """Adjusting or signing a report draft without the token changes nothing."""
    from datetime import timedelta

    from django.utils import timezone

    from reports.models import ProgressReport

    report = ProgressReport.objects.create(
        client=client_record,
        author=treating,
        period_start=timezone.localdate() - timedelta(days=7),
        period_end=timezone.localdate(),
        summary="As written.",
    )
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(treating)
    for path in (f"/reports/{report.pk}/edit/", f"/reports/{report.pk}/sign/"):
        response = http.post(path, {"summary": "Forged", "password": "test-pass-1234!"})
        assert response.status_code == 403, path
    report.refresh_from_db()
    assert report.summary == "As written." and not report.is_signed


@pytest.mark.django_db
def test_the_login_form_itself_needs_the_csrf_token(treating):
    http = HttpClient(enforce_csrf_checks=True)
    response = http.post("/accounts/login/", {"username": "treating", "password": "test-pass-1234!"})
    assert response.status_code == 403


GET_ON_USER_INPUT = re.compile(
    r"\b(Client|VisitNote|Assessment|ProgramVersion|ProgressReport|User)\.objects\.get\("
)


def test_views_reach_protected_records_only_through_access_functions():
    offenders = []
    for path in sorted(BASE.glob("*/views*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if GET_ON_USER_INPUT.search(line):
                offenders.append(f"{path.relative_to(BASE)}:{number}: {line.strip()}")
    assert offenders == []
