"""The client list's total, kept in the cache per care-team version: every change to who
may see which client shows on the very next list, whoever made it and however it was
written; the access check stays one query."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic import access, services
from clinic.care_team_version import current
from clinic.models import CareTeamVersion, Client, User

from .helpers import BACKGROUND, SIGNED_IN_FLOOR, audit_queries

PASSWORD = "test-pass-1234!"
REASON = "Collapsed in the waiting room."


def _total(http, **query) -> int:
    """The total the list shows: "… 162 in all" past one page, else its rows (the page
    may come whole from the cache, with no template context to read)."""
    response = http.get("/clients/", query, **BACKGROUND)
    assert response.status_code == 200
    html = response.content.decode()
    shown = re.search(r"· (\d+) in all", html)
    if shown:
        return int(shown.group(1))
    table = html[html.index('id="client-table"') :].split("</tbody>")[0]
    return table.count("<tr>") - 1 - ("No clients found." in table)


def _counts(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]


def _version() -> int:
    return CareTeamVersion.objects.get(pk=1).version


@pytest.fixture
def medic(db) -> User:
    return User.objects.create_user(
        username="medic", password=PASSWORD, first_name="Mina", is_therapist=True, may_break_glass=True
    )


def test_the_second_list_reads_its_total_from_the_cache(as_desk, make_client, treating):
    for n in range(3):
        make_client(treating, first_name=f"T{n}")
    with CaptureQueriesContext(connection) as first:
        assert _total(as_desk) == 3
    with CaptureQueriesContext(connection) as second:
        assert _total(as_desk) == 3
    assert len(_counts(first)) == 1
    assert _counts(second) == []


def test_a_new_client_registered_by_the_desk_shows_on_the_therapists_next_list(
    as_treating, make_client, treating
):
    make_client(treating)
    assert _total(as_treating) == 1
    make_client(treating)
    assert _total(as_treating) == 2


def test_archiving_and_restoring_a_client_changes_the_total_at_once(as_treating, make_client, treating, desk):
    first, _second = make_client(treating), make_client(treating)
    assert _total(as_treating) == 2
    assert _total(as_treating, status="archived") == 0
    services.client_set_status(client=first, by=desk, status=Client.Status.ARCHIVED)
    assert _total(as_treating) == 1
    assert _total(as_treating, status="archived") == 1
    assert _total(as_treating, status="all") == 2
    services.client_set_status(client=Client.objects.get(pk=first.pk), by=desk, status=Client.Status.ACTIVE)
    assert _total(as_treating) == 2


def test_a_care_team_change_shows_on_both_therapists_next_lists(
    as_treating, as_colleague, make_client, treating, colleague, desk
):
    shared = make_client(treating)
    assert (_total(as_treating), _total(as_colleague)) == (1, 0)
    services.client_update(
        client=shared, by=desk, data={}, version=shared.version, care_team=[treating, colleague]
    )
    assert (_total(as_treating), _total(as_colleague)) == (1, 1)
    assert _total(as_treating, therapist=colleague.pk) == 1
    shared = Client.objects.get(pk=shared.pk)
    services.client_update(client=shared, by=desk, data={}, version=shared.version, care_team=[treating])
    assert (_total(as_treating), _total(as_colleague)) == (1, 0)
    assert _total(as_treating, therapist=colleague.pk) == 0


def test_an_emergency_grant_shows_at_once_and_its_lapse_without_any_write(
    medic, make_client, treating, monkeypatch, settings
):
    settings.SESSION_IDLE_SECONDS = 24 * 60 * 60  # the reader stays signed in across the lapse
    http = HttpClient()
    http.force_login(medic)
    client = make_client(treating)
    assert _total(http) == 0
    grant = services.emergency_access_start(user=medic, client=client, reason=REASON)
    assert _total(http) == 1
    # The grant runs out: nothing is written, yet the next list leaves the client out.
    real_now = timezone.now
    lapse = grant.expires_at - grant.started_at + timedelta(minutes=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: real_now() + lapse)
    assert _total(http) == 0


def test_an_ended_grant_leaves_the_list_at_once(medic, make_client, treating):
    http = HttpClient()
    http.force_login(medic)
    client = make_client(treating)
    grant = services.emergency_access_start(user=medic, client=client, reason=REASON)
    assert _total(http) == 1
    services.emergency_access_end(grant=grant, by=medic)
    assert _total(http) == 0


def test_a_write_that_bypasses_the_services_still_moves_the_version(
    as_desk, make_client, treating, colleague
):
    """The triggers, not the services, keep the version: a write by another app server,
    an import or plain SQL shows on the next list as well."""
    client = make_client(treating)
    assert _total(as_desk) == 1
    Client.objects.filter(pk=client.pk).update(status=Client.Status.ARCHIVED)
    assert _total(as_desk) == 0
    with connection.cursor() as cursor:
        cursor.execute("UPDATE clinic_client SET status = 'active' WHERE id = %s", [client.pk])
    assert _total(as_desk) == 1
    Client.care_team.through.objects.create(client=client, user=colleague)
    assert _total(as_desk, therapist=colleague.pk) == 1


def test_edits_that_leave_the_list_alone_keep_the_version(make_client, treating, desk):
    client = make_client(treating)
    before = _version()
    services.client_update(client=client, by=desk, data={"occupation": "Ferry pilot"}, version=client.version)
    Client.objects.filter(pk=client.pk).update(record_version=client.record_version + 10)
    User.objects.filter(pk=treating.pk).update(last_login=timezone.now())
    assert _version() == before


def test_every_visible_set_change_moves_the_version_on(make_client, treating, colleague, desk):
    seen = [_version()]
    client = make_client(treating)
    seen.append(_version())
    services.client_update(client=client, by=desk, data={}, version=client.version, care_team=[colleague])
    seen.append(_version())
    client = Client.objects.get(pk=client.pk)
    services.client_set_status(client=client, by=desk, status=Client.Status.ARCHIVED)
    seen.append(_version())
    # What a list row shows: a client's name, a therapist's name.
    client = Client.objects.get(pk=client.pk)
    services.client_update(client=client, by=desk, data={"first_name": "Renamed"}, version=client.version)
    seen.append(_version())
    User.objects.filter(pk=colleague.pk).update(last_name="Renamed")
    seen.append(_version())
    assert seen == sorted(set(seen))  # strictly increasing: each change moved it


def test_a_missing_version_row_means_counting_every_time(as_desk, make_client, treating):
    make_client(treating)
    CareTeamVersion.objects.all().delete()
    with CaptureQueriesContext(connection) as ctx:
        assert _total(as_desk) == 1
    assert len(_counts(ctx)) == 1
    assert current(as_desk) == (None, None)


def test_the_list_runs_one_query_fewer_once_its_total_is_cached(
    as_desk, make_client, treating, colleague, django_assert_num_queries
):
    for n in range(30):
        make_client(treating if n % 2 else colleague, first_name=f"Q{n:02d}", last_name="Count")
    as_desk.get("/ping")
    # The floor, then: the care-team version, the count (first time only), one page of
    # clients with their primary therapist, the audit row, the therapist filter's choices.
    with django_assert_num_queries(SIGNED_IN_FLOOR + 4 + audit_queries()):
        as_desk.get("/clients/", **BACKGROUND)
    # Another page of the same list: its total is kept, its rows are not yet.
    with django_assert_num_queries(SIGNED_IN_FLOOR + 3 + audit_queries()):
        response = as_desk.get("/clients/", {"page": "2"}, **BACKGROUND)
    assert len(response.context["clients"]) == 5
    assert b"30 in all" in response.content
    # The same page again comes whole from the cache (tests/clinic/test_client_list_cache.py).
    with django_assert_num_queries(SIGNED_IN_FLOOR + 1 + audit_queries()):
        again = as_desk.get("/clients/", {"page": "2"}, **BACKGROUND)
    assert again.content.count(b"<tr>") == response.content.count(b"<tr>")


def test_a_break_glass_therapists_list_reads_version_and_grant_expiry_in_one_query(
    medic, make_client, treating, django_assert_num_queries
):
    http = HttpClient()
    http.force_login(medic)
    services.emergency_access_start(user=medic, client=make_client(treating), reason=REASON)
    http.get("/clients/")
    with django_assert_num_queries(1):
        version, expiry = current(medic)
    assert version == _version()
    assert expiry is not None and expiry > timezone.now()


@pytest.mark.parametrize("with_clinical", [False, True])
def test_the_access_check_is_one_query_with_the_care_team_test(
    make_client, treating, colleague, medic, django_assert_num_queries, with_clinical
):
    client = make_client(treating)
    with django_assert_num_queries(1):
        assert access.get_client_for_user(treating, client.pk, with_clinical=with_clinical) == client
    with django_assert_num_queries(1), pytest.raises(access.OutOfScope):
        access.get_client_for_user(colleague, client.pk, with_clinical=with_clinical)
    services.emergency_access_start(user=medic, client=client, reason=REASON)
    with django_assert_num_queries(1):
        assert access.get_client_for_user(medic, client.pk, with_clinical=with_clinical) == client


def test_the_chart_knows_whether_the_reader_treats_the_client_as_the_full_care_team_test_would(
    make_client, treating, colleague, desk, owner, records_officer, medic, django_assert_num_queries
):
    """``with_clinical`` answers from the user alone where the roles decide it (a
    therapist who is not an admin, a user who does not treat) and by the care-team test
    only for an admin who also treats; every answer equals ``can_read_clinical``."""
    own = make_client(treating, care_team=[treating, owner])
    other = make_client(colleague)
    services.emergency_access_start(user=medic, client=other, reason=REASON)
    for user in (treating, colleague, desk, owner, records_officer, medic):
        for client in (own, other):
            if not Client.objects.visible_to(user).filter(pk=client.pk).exists():
                with pytest.raises(access.OutOfScope):
                    access.get_client_for_user(user, client.pk, with_clinical=True)
                continue
            with django_assert_num_queries(1):
                reached = access.get_client_for_user(user, client.pk, with_clinical=True)
            assert reached.clinical == access.can_read_clinical(user, client), (user.username, client.pk)
    assert access.get_client_for_user(owner, own.pk, with_clinical=True).clinical is True
    assert access.get_client_for_user(owner, other.pk, with_clinical=True).clinical is False
    assert access.get_client_for_user(desk, own.pk, with_clinical=True).clinical is False
