"""The assessment and comparison pages reach the assessment and write its read audit row
in one call, before the cached body: every read is checked and audited, cached or not."""

from __future__ import annotations

import pytest
from django.core.cache import caches

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _reads(assessment):
    return AuditEvent.objects.filter(
        action="view", object_type="assessments.assessment", object_id=str(assessment.pk)
    )


@pytest.mark.parametrize("page", ["", "compare/"])
def test_every_read_is_audited_when_served_from_the_cache(page, record, as_treating, treating):
    done = record(signed=True)
    url = f"/assessments/{done.pk}/{page}"
    for _ in range(3):
        assert as_treating.get(url).status_code == 200
    assert len(caches["pages"]._cache) == 1
    assert [(r.actor_id, r.client_id) for r in _reads(done)] == [(treating.pk, done.client_id)] * 3


def test_an_outsider_is_refused_whatever_is_cached_and_no_read_is_written(
    record, as_treating, as_colleague, colleague
):
    done = record(signed=True)
    url = f"/assessments/{done.pk}/"
    as_treating.get(url)
    assert as_colleague.get(url).status_code == 404
    assert not _reads(done).filter(actor=colleague).exists()
