"""Cached page bodies (clinic.page_cache): reused until the record changes, never
another reader's, never holding a CSRF token."""

from __future__ import annotations

import pickle
import re

import pytest
from django.core.cache import caches

from audit.models import AuditEvent
from clinic import services
from clinic.page_cache import CSRF_SLOT
from clinic.screening import QUESTIONS

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ANY_TOKEN = re.compile(r"[A-Za-z0-9]{64}")


def care_team(html: str) -> str:
    return html[html.index("<strong>Care team</strong>") :].split("</div>")[0]


def cached_values() -> list[str]:
    """Every value in the page cache, as text (the local-memory backend pickles them)."""
    store = caches["pages"]._cache
    return [repr(pickle.loads(value)) for value in store.values()]


def screen(client, by, **yes):
    return services.health_screen_record(
        client=client,
        by=by,
        answers={q.code: (q.code in yes, yes.get(q.code, "")) for q in QUESTIONS},
        consent_given=True,
    )


@pytest.fixture
def shared(make_client, treating, colleague):
    """A client on both therapists' care teams."""
    return make_client(treating, first_name="Shared", last_name="Client", care_team=[treating, colleague])


def test_the_second_read_of_a_chart_is_served_from_the_cache_and_still_audited(
    as_treating, client_record, treating, django_assert_max_num_queries
):
    screen(client_record, treating)
    url = f"/clients/{client_record.pk}/"
    first = as_treating.get(url).content.decode()
    assert len(caches["pages"]._cache) == 1
    audits = AuditEvent.objects.filter(action="view", client_id=client_record.pk).count()
    with django_assert_max_num_queries(12):  # the floor, the access check and the audit row only
        second = as_treating.get(url).content.decode()
    assert ANY_TOKEN.sub("", first) == ANY_TOKEN.sub("", second)
    assert AuditEvent.objects.filter(action="view", client_id=client_record.pk).count() == audits + 1
    # The audit row of a cached read carries the same details as the first one.
    first_row, second_row = AuditEvent.objects.filter(action="view", client_id=client_record.pk)[:2]
    assert first_row.detail == second_row.detail


def test_a_write_by_another_user_shows_on_the_next_read(as_treating, shared, colleague, desk):
    url = f"/clients/{shared.pk}/"
    assert "No health screen on file" in as_treating.get(url).content.decode()
    screen(shared, colleague, dvt="Swollen calf after a long flight")
    html = as_treating.get(url).content.decode()
    assert "Swollen calf after a long flight" in html and "No health screen on file" not in html
    # The front desk changes the client's details: the next read shows them.
    current = shared.__class__.objects.get(pk=shared.pk)
    services.client_update(
        client=current, by=desk, data={"occupation": "Lighthouse keeper"}, version=current.version
    )
    assert "Lighthouse keeper" in as_treating.get(url).content.decode()
    # A care-team change shows too.
    current = shared.__class__.objects.get(pk=shared.pk)
    services.client_update(
        client=current, by=desk, data={}, version=current.version, care_team=[current.primary_therapist]
    )
    assert "Colleague" in care_team(html)
    assert "Colleague" not in care_team(as_treating.get(url).content.decode())


def test_no_reader_gets_a_body_rendered_for_another(
    as_treating, as_colleague, as_desk, shared, client_record, treating, colleague
):
    screen(shared, treating, dvt="Swollen calf")
    screen(client_record, treating, dvt="Private detail")
    for http in (as_treating, as_colleague):
        assert "Swollen calf" in http.get(f"/clients/{shared.pk}/").content.decode()
    assert "Private detail" in as_treating.get(f"/clients/{client_record.pk}/").content.decode()
    # Each reader has a body of their own.
    assert len(caches["pages"]._cache) == 3
    # The colleague is not on the second client's care team: still 404, cache or not.
    assert as_colleague.get(f"/clients/{client_record.pk}/").status_code == 404
    # The front desk (an admin, not a therapist) sees demographics only, never the
    # clinical body the therapists' reads left in the cache.
    for client in (shared, client_record):
        html = as_desk.get(f"/clients/{client.pk}/").content.decode()
        assert "visible to the care team only" in html
        assert "Swollen calf" not in html and "Private detail" not in html
    # Taken off the care team, the colleague loses the chart at once.
    current = shared.__class__.objects.get(pk=shared.pk)
    services.client_update(
        client=current, by=treating, data={}, version=current.version, care_team=[treating]
    )
    assert as_colleague.get(f"/clients/{shared.pk}/").status_code == 404


def test_no_csrf_token_or_nonce_is_ever_cached(as_desk, as_treating, client_record, treating):
    screen(client_record, treating)
    for http in (as_desk, as_treating, as_desk):
        html = http.get(f"/clients/{client_record.pk}/").content.decode()
        tokens = TOKEN.findall(html)
        assert tokens and CSRF_SLOT not in html
        # The token in the page is this session's, put in on the way out.
        assert all(len(t) == 64 for t in tokens)
    values = cached_values()
    assert values
    for value in values:
        assert set(TOKEN.findall(value)) <= {CSRF_SLOT}
        for token in tokens:
            assert token not in value
        assert "nonce" not in value.lower()
        assert "sessionid" not in value


def test_a_cached_chart_costs_the_floor_one_narrow_access_query_and_its_audit_row(
    as_treating, as_desk, client_record, treating, django_assert_num_queries
):
    from .helpers import BACKGROUND, SIGNED_IN_FLOOR, audit_queries

    screen(client_record, treating)
    url = f"/clients/{client_record.pk}/"
    for http in (as_treating, as_desk):
        http.get(url, **BACKGROUND)
        with django_assert_num_queries(SIGNED_IN_FLOOR + 1 + audit_queries()):
            assert http.get(url, **BACKGROUND).status_code == 200
    row = AuditEvent.objects.filter(action="view").order_by("-id").first()
    assert (row.object_type, row.object_id, row.client_id) == (
        "clinic.client",
        str(client_record.pk),
        client_record.pk,
    )
    # The desk reads the demographic chart, never the clinical one, from the cache too.
    assert "No health screen on file" not in as_desk.get(url).content.decode()
    assert row.detail == {"clinical": False}
