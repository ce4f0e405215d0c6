"""Referral recommendations ("refer / discuss with": care outside massage scope)
are recorded with the program version they were made with, and the client's
chart lists them in plain words."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from programs import services
from programs.models import Exercise, ProgramVersion, ReferralOption


def _draft_with_one_exercise(client, by):
    exercise = Exercise.objects.filter(is_active=True, safety_tags=[]).order_by("id").first()
    draft = services.program_draft(client=client, by=by)
    services.program_item_add(draft=draft, exercise=exercise, by=by)
    return draft


@pytest.fixture
def options(db):
    return {r.name: r for r in ReferralOption.objects.active()}


def test_the_chart_lists_the_recommendations_of_the_current_program(
    as_treating, treating, client_record, options
):
    draft = _draft_with_one_exercise(client_record, treating)
    services.program_issue(
        version=draft, by=treating, referrals=[options["Shockwave therapy"], options["Custom foot orthoses"]]
    )
    page = as_treating.get(reverse("client_detail", args=[client_record.pk])).content.decode()
    assert 'id="chart-referrals"' in page and "Refer / discuss with" in page
    section = page[page.index('id="chart-referrals"') :]
    section = section[: section.index("</div>")]
    assert "Shockwave therapy" in section and "Custom foot orthoses" in section
    assert options["Custom foot orthoses"].refer_to in section
    # Plain words: no ids or raw data on screen.
    assert "{" not in section and "refer_to" not in section and "pk" not in section


def test_a_client_without_recommendations_has_none_on_the_chart(
    as_treating, treating, client_record, make_client
):
    draft = _draft_with_one_exercise(client_record, treating)
    services.program_issue(version=draft, by=treating)
    page = as_treating.get(reverse("client_detail", args=[client_record.pk])).content.decode()
    assert 'id="chart-referrals"' not in page
    other = make_client(treating)
    page = as_treating.get(reverse("client_detail", args=[other.pk])).content.decode()
    assert 'id="chart-referrals"' not in page


def test_recommendations_are_kept_as_they_read_when_issued(treating, client_record, options):
    option = options["Shockwave therapy"]
    draft = _draft_with_one_exercise(client_record, treating)
    version = services.program_issue(version=draft, by=treating, referrals=[option])
    ReferralOption.objects.filter(pk=option.pk).update(reason="Edited later.")
    stored = ProgramVersion.objects.get(pk=version.pk).referrals
    assert stored == [{"name": option.name, "refer_to": option.refer_to, "reason": option.reason}]
    row = AuditEvent.objects.filter(action="issue").get()
    assert row.detail["refer_or_discuss"] == ["Shockwave therapy"]


def test_an_inactive_or_unknown_recommendation_is_refused(treating, client_record, options):
    option = options["Shockwave therapy"]
    ReferralOption.objects.filter(pk=option.pk).update(is_active=False)
    draft = _draft_with_one_exercise(client_record, treating)
    with pytest.raises(ValidationError):
        services.program_issue(version=draft, by=treating, referrals=[option])
    assert not ProgramVersion.objects.get(pk=draft.pk).is_issued


def test_the_builder_ticks_recommendations_that_are_issued_with_the_version(
    as_treating, treating, client_record, options
):
    draft = _draft_with_one_exercise(client_record, treating)
    page = as_treating.get(reverse("programs:builder", args=[client_record.pk])).content.decode()
    assert 'name="referrals"' in page and 'form="issue-form"' in page
    draft.refresh_from_db()
    response = as_treating.post(
        reverse("programs:builder_issue", args=[client_record.pk]),
        {
            "revision": draft.revision,
            "start_date": "2026-01-05",
            "review_date": "2026-02-16",
            "referrals": [options["Dry needling"].pk],
        },
    )
    assert response.status_code == 302
    version = ProgramVersion.objects.get(pk=draft.pk)
    assert version.is_issued and [r["name"] for r in version.referrals] == ["Dry needling"]
