"""Every report and letter prints whatever was typed: property tests over the report
renderer with long, unbroken and unicode text in each free-text part, on a report
signed from real records. The marker words of every part must come back out of the PDF."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports import services
from reports.models import ProgressReport
from reports.pdf import render_report_pdf
from tests.trust.pdf_text import assert_printed, texts

pytestmark = pytest.mark.django_db

report_settings = settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


@pytest.fixture
def client_report(make_report, treating):
    return services.report_sign(report=make_report(), by=treating).content


@pytest.fixture
def referrer_letter(make_report, treating):
    report = make_report(
        audience=ProgressReport.Audience.REFERRER,
        recipient_name="Dr Okafor",
        recipient_address="1 High Street",
    )
    return services.report_sign(report=report, by=treating, consent_to_share=True).content


@report_settings
@given(parts=st.lists(texts(), min_size=2, max_size=2))
def test_the_client_report_prints_any_text(client_report, parts):
    content = copy.deepcopy(client_report)
    content["texts"].update(summary=parts[0].text, next_steps=parts[1].text)
    assert_printed(render_report_pdf(content, signed=True, signed_at="2026-12-04 10:00"), *parts)


@report_settings
@given(parts=st.lists(texts(), min_size=7, max_size=7))
def test_the_referrer_letter_prints_any_text(referrer_letter, parts):
    content = copy.deepcopy(referrer_letter)
    summary, findings, next_steps, reason, question, name, address = parts
    content["texts"].update(
        summary=summary.text, findings=findings.text, next_steps=next_steps.text, reason=reason.text
    )
    content["letter"]["question"] = question.text
    content["recipient"] = {"name": name.text, "address": address.text}
    # A draft too: the preview prints the same text under its "Draft" mark.
    for signed in (True, False):
        assert_printed(render_report_pdf(content, signed=signed, signed_at="2026-12-04 10:00"), *parts)
