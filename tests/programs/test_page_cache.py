"""The program page is cached per reader and record version (clinic.page_cache)."""

from __future__ import annotations

import pytest
from django.core.cache import caches

pytestmark = pytest.mark.django_db


def test_a_program_issued_by_a_colleague_shows_on_the_next_read(client_record, colleague, as_treating, issue):
    client_record.care_team.add(colleague)
    url = f"/clients/{client_record.pk}/program/"
    before = as_treating.get(url).content.decode()
    assert as_treating.get(url).content.decode().count("Plantar-fascia stretch") == before.count(
        "Plantar-fascia stretch"
    )
    issue(client_record, ["Plantar-fascia stretch"], by=colleague)
    after = as_treating.get(url).content.decode()
    assert after.count("Plantar-fascia stretch") > before.count("Plantar-fascia stretch")
    assert "Colleague" in after and "Colleague" not in before


def test_a_library_change_shows_on_the_next_read(client_record, as_treating, library, treating, issue):
    issue(client_record, ["Plantar-fascia stretch"])
    url = f"/clients/{client_record.pk}/program/"
    assert "Plantar-fascia stretch" in as_treating.get(url).content.decode()
    exercise = library["Plantar-fascia stretch"]
    exercise.name = "Plantar-fascia stretch (towel)"
    exercise.save()
    assert "Plantar-fascia stretch (towel)" in as_treating.get(url).content.decode()


def test_outsiders_get_404_and_readers_get_their_own_body(client_record, as_treating, as_colleague, as_desk):
    url = f"/clients/{client_record.pk}/program/"
    assert as_treating.get(url).status_code == 200
    assert as_colleague.get(url).status_code == 404
    assert as_desk.get(url).status_code == 404
    assert len(caches["pages"]._cache) == 1


def test_a_cached_program_page_costs_the_floor_one_narrow_access_query_and_its_audit_row(
    client_record, as_treating, as_colleague, issue, django_assert_num_queries
):
    from audit.models import AuditEvent
    from tests.clinic.helpers import BACKGROUND, SIGNED_IN_FLOOR, audit_queries

    issue(client_record, ["Plantar-fascia stretch"])
    url = f"/clients/{client_record.pk}/program/"
    as_treating.get(url, **BACKGROUND)
    with django_assert_num_queries(SIGNED_IN_FLOOR + 1 + audit_queries()):
        assert "Plantar-fascia stretch" in as_treating.get(url, **BACKGROUND).content.decode()
    row = AuditEvent.objects.filter(action="view").order_by("-id").first()
    assert (row.client_id, row.detail) == (client_record.pk, {"page": "program"})
    assert as_colleague.get(url).status_code == 404  # off the care team
