"""Pinned query counts for the report pages: bounded however long the history."""

from __future__ import annotations

import pytest

from clinic.models import ClinicProfile
from core import composition
from reports import services
from tests.clinic.helpers import BACKGROUND, SIGNED_IN_FLOOR, audit_queries
from tests.reports.conftest import _visit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clinic_profile(db):
    ClinicProfile.load()  # the singleton exists in every running clinic


@pytest.fixture
def long_history(history, treating):
    from programs import services as programs
    from programs.models import Exercise

    for days_ago in range(3, 13):
        _visit(history, treating, days_ago=days_ago, first_step=4)
    draft = programs.program_draft(client=history, by=treating)
    for exercise in Exercise.objects.order_by("id")[:3]:
        programs.program_item_add(draft=draft, exercise=exercise, by=treating, reason="")
    programs.program_issue(version=draft, by=treating)
    return history


def _warm(http):
    http.get("/ping")  # warm the session up (see tests.clinic.helpers.BACKGROUND)


def test_new_report_page(as_treating, long_history, django_assert_num_queries):
    _warm(as_treating)
    # client, first visit (default period), the audit row
    with django_assert_num_queries(SIGNED_IN_FLOOR + 2 + audit_queries()):
        response = as_treating.get(f"/clients/{long_history.pk}/report/", **BACKGROUND)
    assert response.status_code == 200


def test_draft_report_page(as_treating, long_history, make_report, django_assert_num_queries):
    draft = make_report()
    _warm(as_treating)
    # report with client and author, the audit row; then the content: visits, clinic
    # profile, assessments, their measurements and scores, treatment table, program
    # version, its items, adherence
    with django_assert_num_queries(SIGNED_IN_FLOOR + 1 + audit_queries() + 9):
        response = as_treating.get(f"/reports/{draft.pk}/", **BACKGROUND)
    assert response.status_code == 200


def test_draft_letter_page(as_treating, long_history, make_report, django_assert_num_queries):
    draft = make_report(audience="referrer", recipient_name="Dr Patel")
    _warm(as_treating)
    # as the client report's draft page, plus what only a letter shows: the tally of
    # responses to treatment, and the latest health screen with its answers (screen flags)
    with django_assert_num_queries(SIGNED_IN_FLOOR + 1 + audit_queries() + 9 + 3):
        response = as_treating.get(f"/reports/{draft.pk}/", **BACKGROUND)
    assert response.status_code == 200 and b"Urgency: Routine" in response.content


def test_signed_report_page_reads_only_the_stored_content(
    as_treating, long_history, make_report, treating, django_assert_num_queries
):
    signed = services.report_sign(report=make_report(), by=treating)
    _warm(as_treating)
    # the report with client, author and signer, then the audit row: nothing else
    with django_assert_num_queries(SIGNED_IN_FLOOR + 1 + audit_queries()):
        response = as_treating.get(f"/reports/{signed.pk}/", **BACKGROUND)
    assert response.status_code == 200


def test_signed_report_pdf(as_treating, long_history, make_report, treating, django_assert_num_queries):
    signed = services.report_sign(report=make_report(), by=treating)
    _warm(as_treating)
    # the report, the clinic profile (logo), the audit row
    with django_assert_num_queries(SIGNED_IN_FLOOR + 2 + audit_queries()):
        response = as_treating.get(f"/reports/{signed.pk}/pdf/", **BACKGROUND)
    assert response.status_code == 200


def test_chart_section_with_many_reports(long_history, make_report, treating, django_assert_num_queries):
    for _ in range(3):
        services.report_sign(report=make_report(), by=treating)
    make_report()
    provider = dict(composition.registry_only("reports")["chart_section"])["reports"]
    with django_assert_num_queries(1):
        section = provider(client=long_history, user=treating)
        rows = section.context["rows"]
    assert len(rows) == 4
