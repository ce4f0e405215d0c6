"""The assessment and comparison pages are cached per reader and record version
(clinic.page_cache): a later write by anyone shows on the next read."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import caches

from assessments import services
from clinic import services as clinic_services
from clinic.screening import QUESTIONS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["", "compare/"])
def test_a_red_flag_recorded_by_a_colleague_shows_on_the_next_read(
    page, record, client_record, colleague, as_treating, as_colleague
):
    client_record.care_team.add(colleague)
    first = record(on=date(2026, 9, 1), signed=True)
    record(on=date(2026, 9, 8), signed=True)
    url = f"/assessments/{first.pk}/{page}"
    before = as_treating.get(url).content.decode()
    assert as_treating.get(url).content.decode().count("Calf swollen") == before.count("Calf swollen") == 0
    clinic_services.health_screen_record(
        client=client_record,
        by=colleague,
        answers={q.code: (q.code == "dvt", "Calf swollen" if q.code == "dvt" else "") for q in QUESTIONS},
        consent_given=True,
    )
    assert "Calf swollen" in as_treating.get(url).content.decode()
    # Each reader has a body of their own (the body of the earlier version is left to
    # age out of the bounded cache: no request asks for its key again).
    assert as_colleague.get(url).status_code == 200
    assert len(caches["pages"]._cache) == 3


def test_a_draft_saved_by_its_author_shows_at_once(record, as_treating, treating):
    draft = record(on=date(2026, 9, 1))
    url = f"/assessments/{draft.pk}/"
    as_treating.get(url)
    services.assessment_sign(assessment=draft, by=treating)
    html = as_treating.get(url).content.decode()
    assert "Signed" in html or "signed" in html


def test_outsiders_get_404_whatever_is_cached(record, as_treating, as_colleague, as_desk):
    done = record(signed=True)
    assert as_treating.get(f"/assessments/{done.pk}/").status_code == 200
    assert as_colleague.get(f"/assessments/{done.pk}/").status_code == 404
    assert as_desk.get(f"/assessments/{done.pk}/").status_code == 404


@pytest.mark.parametrize("page", ["", "compare/"])
def test_a_cached_assessment_page_costs_the_floor_one_narrow_access_query_and_its_audit_row(
    page, record, client_record, as_treating, as_colleague, django_assert_num_queries
):
    from audit.models import AuditEvent
    from tests.clinic.helpers import BACKGROUND, SIGNED_IN_FLOOR, audit_queries

    record(on=date(2026, 9, 1), signed=True)
    latest = record(on=date(2026, 9, 8), signed=True)
    url = f"/assessments/{latest.pk}/{page}"
    as_treating.get(url, **BACKGROUND)
    with django_assert_num_queries(SIGNED_IN_FLOOR + 1 + audit_queries()):
        assert as_treating.get(url, **BACKGROUND).status_code == 200
    row = AuditEvent.objects.filter(action="view").order_by("-id").first()
    assert (row.object_type, row.object_id, row.client_id) == (
        "assessments.assessment",
        str(latest.pk),
        client_record.pk,
    )
    assert as_colleague.get(url).status_code == 404  # off the care team
