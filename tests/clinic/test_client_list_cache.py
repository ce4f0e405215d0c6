"""The client list and its searches are kept whole in the page cache, per reader, query
and list version (clinic.care_team_version): a change by anyone to what the list shows
is on the next read, no reader gets another's page, and every read is still audited."""

from __future__ import annotations

import pickle

import pytest
from django.core.cache import caches

from audit.models import AuditEvent
from clinic import services
from clinic.models import Client, User
from clinic.page_cache import CSRF_SLOT

from .helpers import BACKGROUND, SIGNED_IN_FLOOR, audit_queries

pytestmark = pytest.mark.django_db


def names(response) -> str:
    html = response.content.decode()
    return html[html.index('id="client-table"') :].split("</table>")[0]


def edit(client: Client, by: User, **data) -> None:
    current = Client.objects.get(pk=client.pk)
    services.client_update(client=current, by=by, data=data, version=current.version)


@pytest.fixture
def roster(make_client, treating, colleague):
    return {
        "ada": make_client(treating, first_name="Ada", last_name="Lindqvist"),
        "bo": make_client(treating, first_name="Bo", last_name="Lindholm"),
        "cy": make_client(colleague, first_name="Cy", last_name="Lindgren"),
    }


@pytest.mark.parametrize("query", [{}, {"q": "lind"}, {"q": "lind", "status": "all", "page": "1"}])
def test_a_second_read_is_served_whole_from_the_cache_and_still_audited(
    as_treating, roster, django_assert_num_queries, query
):
    as_treating.get("/ping")
    first = as_treating.get("/clients/", query, **BACKGROUND)
    # The floor, the list version, and the audit row: no count, no search, no render.
    with django_assert_num_queries(SIGNED_IN_FLOOR + 1 + audit_queries()):
        second = as_treating.get("/clients/", query, **BACKGROUND)
    assert names(first) == names(second)
    assert "Lindqvist" in names(second) and "Lindgren" not in names(second)
    rows = list(AuditEvent.objects.filter(action="query").order_by("id"))
    assert len(rows) == 2
    assert rows[0].detail == rows[1].detail
    assert set(rows[1].detail["clients"]) == {roster["ada"].pk, roster["bo"].pk}


@pytest.mark.parametrize("query", [{}, {"q": "lind"}])
def test_what_anyone_changes_in_the_list_shows_on_the_next_read(
    as_treating, roster, treating, colleague, desk, make_client, query
):
    def listed():
        return names(as_treating.get("/clients/", query))

    assert "Ada" in listed()
    # The front desk renames a client: the row shows the new name (and a search finds it by it).
    edit(roster["ada"], desk, first_name="Adelheid")
    assert "Adelheid" in listed()
    edit(roster["ada"], desk, phone="07700 900123", email="ada@example.org")
    assert "07700 900123" in listed() and "ada@example.org" in listed()
    # A new client on the therapist's care team.
    make_client(treating, first_name="Dana", last_name="Lindberg")
    assert "Dana" in listed()
    # A colleague joins the care team of their client: it is on the list now.
    current = Client.objects.get(pk=roster["cy"].pk)
    services.client_update(
        client=current, by=desk, data={}, version=current.version, care_team=[colleague, treating]
    )
    assert "Lindgren" in listed()
    # The therapist beside a client changes their name.
    colleague.last_name = "Renamed-Colleague"
    colleague.save(update_fields=["last_name"])
    assert "Renamed-Colleague" in listed()
    # Archived: gone from the active list.
    assert "Lindholm" in listed()
    services.client_set_status(client=Client.objects.get(pk=roster["bo"].pk), by=desk, status="archived")
    assert "Lindholm" not in listed()


def test_a_write_that_leaves_the_list_alone_keeps_the_cached_page(as_treating, roster, treating, desk):
    """A clinical write (the record version) or a sign-in does not move the list version."""
    from clinic.care_team_version import current

    as_treating.get("/clients/")
    before = current(treating)[0]
    edit(roster["ada"], desk, occupation="Lighthouse keeper")
    User.objects.filter(pk=treating.pk).update(last_login=None)
    assert current(treating)[0] == before


def test_no_reader_gets_a_list_rendered_for_another(as_treating, as_colleague, as_desk, roster):
    for _ in range(2):
        mine = names(as_treating.get("/clients/", {"q": "lind"}))
        theirs = names(as_colleague.get("/clients/", {"q": "lind"}))
        desk = names(as_desk.get("/clients/", {"q": "lind"}))
        assert "Lindqvist" in mine and "Lindgren" not in mine
        assert "Lindgren" in theirs and "Lindqvist" not in theirs
        assert all(name in desk for name in ("Lindqvist", "Lindholm", "Lindgren"))
    # Only the desk (an admin) is offered "New client" and "Import clients".
    assert "New client" in as_desk.get("/clients/").content.decode()
    assert "New client" not in as_treating.get("/clients/").content.decode()


def test_no_csrf_token_or_session_is_kept_in_a_cached_list(as_treating, as_desk, roster):
    tokens = set()
    for http in (as_treating, as_desk, as_treating):
        html = http.get("/clients/", {"q": "lind"}).content.decode()
        assert CSRF_SLOT not in html
        tokens.update(t for t in html.split('name="csrfmiddlewaretoken" value="')[1:])
    values = [repr(pickle.loads(v)) for v in caches["pages"]._cache.values()]
    assert values
    for value in values:
        assert "sessionid" not in value and "nonce" not in value.lower()
        for token in tokens:
            assert token.split('"')[0] not in value
