"""Pinned query counts: the assessment pages and the client chart cost the same
with one assessment or with twenty prior ones (no query per row)."""

from __future__ import annotations

import pytest

from core import composition
from tests.clinic.helpers import BACKGROUND, SIGNED_IN_FLOOR, audit_queries

# Loading a client's assessments with their rows: the assessments (with therapist
# and signer joined), then one prefetch each for measurements, marks and responses.
HISTORY = 4
# The banner: the latest health screen and its answers.
BANNER = 2


@pytest.fixture
def warmed(as_treating, screened):
    screened(yes={"dvt": "Swollen calf"})
    as_treating.get("/ping")
    return as_treating


@pytest.mark.parametrize("count", [1, 21])
def test_entry_page_query_count(warmed, history, client_record, django_assert_num_queries, count):
    history(count)
    # Client (with primary therapist), latest assessment with its rows, banner, audit.
    with django_assert_num_queries(SIGNED_IN_FLOOR + 1 + HISTORY + BANNER + audit_queries()):
        response = warmed.get(f"/clients/{client_record.pk}/assessments/new/", **BACKGROUND)
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 21])
def test_detail_page_query_count(warmed, history, django_assert_num_queries, count):
    latest = history(count)[-1]
    # Access (the assessment's id and its client's record version: the cache key), then on a
    # miss the assessment (+ client + people), the baseline, previous and this one with
    # their rows, "n of total" (one aggregate), banner, audit.
    with django_assert_num_queries(SIGNED_IN_FLOOR + 2 + HISTORY + 1 + BANNER + audit_queries()):
        response = warmed.get(f"/assessments/{latest.pk}/", **BACKGROUND)
    assert response.status_code == 200
    assert b"chain-summary" in response.content
    assert response.context["number"] == response.context["total"] == count


@pytest.mark.parametrize("count", [2, 21])
def test_compare_page_query_count(warmed, history, django_assert_num_queries, count):
    latest = history(count)[-1]
    # The access check (the cache key), then on a miss the assessment and the rest.
    with django_assert_num_queries(SIGNED_IN_FLOOR + 2 + HISTORY + BANNER + audit_queries()):
        response = warmed.get(f"/assessments/{latest.pk}/compare/", **BACKGROUND)
    assert response.status_code == 200
    assert b"Improved" in response.content


def test_edit_page_query_count(warmed, record, django_assert_num_queries):
    draft = record()
    with django_assert_num_queries(SIGNED_IN_FLOOR + 1 + HISTORY + BANNER + audit_queries()):
        response = warmed.get(f"/assessments/{draft.pk}/edit/", **BACKGROUND)
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 21])
def test_assessments_section_adds_a_fixed_number_of_queries_to_the_client_chart(
    warmed, history, client_record, django_assert_num_queries, monkeypatch, count
):
    history(count)
    assessments_only = composition.registry_only("assessments")
    monkeypatch.setattr("core.composition.REGISTRY", composition.registry_only())
    warmed.get(f"/clients/{client_record.pk}/", **BACKGROUND)
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Both measured reads render the chart afresh, not from the page cache (clinic.page_cache).
    caches["pages"].clear()
    with CaptureQueriesContext(connection) as without:
        warmed.get(f"/clients/{client_record.pk}/", **BACKGROUND)
    monkeypatch.setattr("core.composition.REGISTRY", assessments_only)
    caches["pages"].clear()
    # The chart section: the baseline and recent assessments, the latest one's
    # measurements, then the chart series as values (scores, measurements,
    # body-chart marks); nothing per row.
    with django_assert_num_queries(len(without) + 5):
        response = warmed.get(f"/clients/{client_record.pk}/", **BACKGROUND)
    assert response.status_code == 200
    assert b'id="progress-charts"' in response.content


def test_a_middle_assessment_knows_its_place_baseline_and_previous(warmed, history):
    """The detail and comparison pages load three assessments, not the history,
    and still name the right neighbours and the right "n of total"."""
    made = history(6)
    middle = made[3]
    detail = warmed.get(f"/assessments/{middle.pk}/")
    assert (detail.context["number"], detail.context["total"]) == (4, 6)
    assert detail.context["previous"].pk == made[2].pk
    assert detail.context["baseline"].pk == made[0].pk
    compare = warmed.get(f"/assessments/{middle.pk}/compare/")
    dates = [other.assessed_on if other else None for _label, other in compare.context["columns"]]
    assert dates == [made[0].assessed_on, made[2].assessed_on]
    first = warmed.get(f"/assessments/{made[0].pk}/")
    assert (first.context["number"], first.context["previous"], first.context["baseline"]) == (1, None, None)
