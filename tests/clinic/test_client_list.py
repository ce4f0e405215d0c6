"""/clients/: search, filters, pagination, scope, audit and a pinned query count."""

from __future__ import annotations

import pytest

from clinic import services
from clinic.models import Client

from .helpers import BACKGROUND, SIGNED_IN_FLOOR, audit_queries, audit_rows


def _names(response) -> list[str]:
    return [c.full_name for c in response.context["clients"]]


@pytest.fixture
def roster(make_client, treating, colleague, desk):
    """Three of treating's clients (one archived) and one of colleague's."""
    priya = make_client(treating, first_name="Priya", last_name="Raman", email="Priya.R@Example.com")
    dan = make_client(treating, first_name="Daniel", last_name="Whitford", phone="07700 900555")
    old = make_client(treating, first_name="Olive", last_name="Archer")
    services.client_set_status(client=old, by=desk, status=Client.Status.ARCHIVED)
    mei = make_client(colleague, first_name="Mei", last_name="Tanaka")
    return {"priya": priya, "dan": dan, "old": old, "mei": mei}


def test_therapist_sees_only_their_active_care_team_clients(as_treating, roster):
    response = as_treating.get("/clients/")
    assert response.status_code == 200
    assert _names(response) == ["Priya Raman", "Daniel Whitford"]


def test_colleague_does_not_see_another_therapists_clients(as_colleague, roster):
    response = as_colleague.get("/clients/")
    assert _names(response) == ["Mei Tanaka"]
    assert b"Raman" not in response.content


def test_desk_admin_sees_every_active_client(as_desk, roster):
    response = as_desk.get("/clients/")
    assert _names(response) == ["Priya Raman", "Mei Tanaka", "Daniel Whitford"]
    assert b"New client" in response.content


def test_therapist_gets_no_new_client_button(as_treating, roster):
    assert b"New client" not in as_treating.get("/clients/").content


@pytest.mark.parametrize(
    "query, expected",
    [
        ("RAMAN", ["Priya Raman"]),
        ("priya", ["Priya Raman"]),
        ("priya.r@example", ["Priya Raman"]),
        ("900555", ["Daniel Whitford"]),
        ("daniel whit", ["Daniel Whitford"]),
        ("nobody-like-this", []),
    ],
)
def test_search_matches_name_phone_and_email_case_insensitively(as_desk, roster, query, expected):
    response = as_desk.get("/clients/", {"q": query})
    assert _names(response) == expected


def test_search_never_widens_a_therapists_scope(as_colleague, roster):
    assert _names(as_colleague.get("/clients/", {"q": "raman"})) == []


def test_filter_by_therapist(as_desk, roster, colleague):
    response = as_desk.get("/clients/", {"therapist": colleague.pk})
    assert _names(response) == ["Mei Tanaka"]


def test_filter_by_status(as_desk, roster):
    assert _names(as_desk.get("/clients/", {"status": "archived"})) == ["Olive Archer"]
    assert len(_names(as_desk.get("/clients/", {"status": "all"}))) == 4


def test_invalid_filter_values_fall_back_to_the_default_list(as_desk, roster):
    response = as_desk.get("/clients/", {"status": "deleted", "therapist": "abc", "page": "zzz"})
    assert response.status_code == 200
    assert _names(response) == ["Priya Raman", "Mei Tanaka", "Daniel Whitford"]


def test_an_over_long_search_is_refused_next_to_the_box(as_desk, roster):
    response = as_desk.get("/clients/", {"q": "r" * 101})
    assert response.status_code == 200
    assert b'id="error_q"' in response.content
    assert b"Ensure this value has at most 100 characters" in response.content


def test_list_pages_by_25(as_desk, make_client, treating):
    for n in range(30):
        make_client(treating, first_name=f"P{n:02d}", last_name="Pager")
    first = as_desk.get("/clients/")
    second = as_desk.get("/clients/", {"page": 2})
    assert len(first.context["clients"]) == 25
    assert len(second.context["clients"]) == 5
    assert b"Page 1 of 2" in first.content
    assert set(_names(first)).isdisjoint(_names(second))


def test_pagination_links_keep_the_search(as_desk, make_client, treating):
    for n in range(26):
        make_client(treating, first_name=f"P{n:02d}", last_name="Pager")
    response = as_desk.get("/clients/", {"q": "pager"})
    assert b"?q=pager&amp;page=2" in response.content


def test_list_writes_one_query_audit_row_naming_the_clients_shown(as_treating, treating, roster):
    before = len(audit_rows())
    as_treating.get("/clients/", {"q": "raman"})
    rows = audit_rows()[before:]
    assert len(rows) == 1
    assert rows[0].action == "query"
    assert rows[0].actor == treating
    assert rows[0].detail["search"] == "raman"
    assert rows[0].detail["clients"] == [roster["priya"].pk]


def test_list_with_25_rows_runs_a_fixed_number_of_queries(
    as_desk, make_client, treating, colleague, django_assert_num_queries
):
    for n in range(30):
        make_client(treating if n % 2 else colleague, first_name=f"Q{n:02d}", last_name="Count")
    as_desk.get("/ping")  # warm the session up (see helpers.BACKGROUND)
    # The floor, then: the care-team version, the count (cold: nothing cached yet; see
    # test_client_list_total for the warm list), one page of clients with their primary
    # therapist (select_related), the audit row, and the therapist filter's choices.
    with django_assert_num_queries(SIGNED_IN_FLOOR + 4 + audit_queries()):
        response = as_desk.get("/clients/", **BACKGROUND)
    assert response.status_code == 200
    assert len(response.context["clients"]) == 25


def test_anonymous_visitor_is_sent_to_login(anon, db):
    response = anon.get("/clients/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_list_refuses_other_methods(as_desk, method):
    assert getattr(as_desk, method)("/clients/").status_code == 405


@pytest.mark.parametrize("sort_limit", [500, 3], ids=["sorted-in-python", "sorted-by-the-database"])
def test_search_results_are_in_name_order_across_pages_either_way(
    as_desk, make_client, treating, monkeypatch, sort_limit
):
    """Below the limit the matches are sorted in Python, above it by the database:
    the same names, in the same order, on the same pages."""
    from clinic import selectors

    monkeypatch.setattr(selectors, "SEARCH_SORT_LIMIT", sort_limit)
    for first, last in [("Zoe", "Hart"), ("adam", "hart"), ("Ben", "Harting"), ("Cy", "Stone")] + [
        (f"N{n:02d}", "Hartley") for n in range(24)
    ]:
        make_client(treating, first_name=first, last_name=last)
    first_page = _names(as_desk.get("/clients/", {"q": "hart"}))
    second_page = _names(as_desk.get("/clients/", {"q": "hart", "page": 2}))
    assert first_page[:3] == ["adam hart", "Zoe Hart", "Ben Harting"]
    assert first_page[3:] == [f"N{n:02d} Hartley" for n in range(22)]
    assert second_page == ["N22 Hartley", "N23 Hartley"]


def test_a_search_page_runs_a_fixed_number_of_queries(
    as_treating, make_client, treating, django_assert_num_queries
):
    for n in range(40):
        make_client(treating, first_name=f"S{n:02d}", last_name="Searched")
    as_treating.get("/ping")
    # The floor, then: the list version (clinic.care_team_version), the matching ids and
    # names, the page's 25 rows by id, the audit row, and the therapist filter's choices.
    # (Cold: nothing cached yet; tests/clinic/test_client_list_cache.py pins the warm page.)
    with django_assert_num_queries(SIGNED_IN_FLOOR + 4 + audit_queries()):
        response = as_treating.get("/clients/", {"q": "searched"}, **BACKGROUND)
    assert len(response.context["clients"]) == 25


def test_postgresql_answers_a_search_from_the_trigram_indexes(db):
    """Each of the five searched columns has a pg_trgm index matching the
    expression Django writes for icontains, so a search need not read every
    client (with sequential scans ruled out, the plan must use them)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's; SQLite searches through the care-team index")
    sql, params = Client.objects.search("tho").values_list("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for column in ("first_name", "last_name", "preferred_name", "email", "phone"):
        assert f"client_{column}_trgm" in plan, plan
