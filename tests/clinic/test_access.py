"""The access functions, exhaustively: every persona against every kind of record."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from clinic import services
from clinic.access import (
    can_read_clinical,
    get_client_for_user,
    get_clinical_client_for_user,
    get_user_for_admin,
)
from clinic.models import Client


@pytest.fixture
def archived(make_client, treating, desk):
    client = make_client(treating, first_name="Archie")
    return services.client_set_status(client=client, by=desk, status=Client.Status.ARCHIVED)


@pytest.fixture
def shared(make_client, treating, colleague):
    """A client on both therapists' care teams."""
    return make_client(treating, care_team=[colleague], first_name="Shared")


# --- get_client_for_user (demographics) ------------------------------------------


def test_treating_therapist_gets_their_client(treating, client_record):
    assert get_client_for_user(treating, client_record.pk) == client_record


def test_treating_therapist_gets_their_client_from_a_string_id(treating, client_record):
    assert get_client_for_user(treating, str(client_record.pk)) == client_record


def test_colleague_off_the_care_team_gets_404(colleague, client_record):
    with pytest.raises(Http404):
        get_client_for_user(colleague, client_record.pk)


def test_colleague_added_to_the_care_team_gets_the_client(colleague, shared):
    assert get_client_for_user(colleague, shared.pk) == shared


def test_desk_admin_gets_any_clients_demographics(desk, client_record):
    assert get_client_for_user(desk, client_record.pk) == client_record


def test_owner_gets_any_clients_demographics(owner, client_record):
    assert get_client_for_user(owner, client_record.pk) == client_record


def test_anonymous_user_gets_404(client_record):
    with pytest.raises(Http404):
        get_client_for_user(AnonymousUser(), client_record.pk)


def test_deactivated_therapist_gets_404(treating, client_record):
    treating.is_active = False
    treating.save()
    with pytest.raises(Http404):
        get_client_for_user(treating, client_record.pk)


def test_deactivated_admin_gets_404(desk, client_record):
    desk.is_active = False
    desk.save()
    with pytest.raises(Http404):
        get_client_for_user(desk, client_record.pk)


def test_user_with_no_role_gets_404(django_user_model, client_record):
    nobody = django_user_model.objects.create_user(username="nobody", password="x-long-password-1")
    with pytest.raises(Http404):
        get_client_for_user(nobody, client_record.pk)


def test_archived_client_stays_reachable_for_its_care_team_and_admins(treating, desk, archived):
    assert get_client_for_user(treating, archived.pk) == archived
    assert get_client_for_user(desk, archived.pk) == archived


@pytest.mark.parametrize(
    "bad_id", ["abc", "", None, "1.5", "1; DROP TABLE", [], "99999999", "0", "-1", "9" * 30]
)
def test_non_numeric_or_unknown_id_gets_404(desk, client_record, bad_id):
    with pytest.raises(Http404):
        get_client_for_user(desk, bad_id)


def test_a_missing_client_and_a_forbidden_one_look_the_same(colleague, client_record):
    with pytest.raises(Http404) as forbidden:
        get_client_for_user(colleague, client_record.pk)
    with pytest.raises(Http404) as missing:
        get_client_for_user(colleague, client_record.pk + 1000)
    assert str(forbidden.value) == str(missing.value)


# --- get_clinical_client_for_user (intake, notes, assessments, programs) -----------


def test_treating_therapist_reaches_clinical_content(treating, client_record):
    assert get_clinical_client_for_user(treating, client_record.pk) == client_record


def test_colleague_off_the_care_team_is_denied_clinical_content(colleague, client_record):
    with pytest.raises(Http404):
        get_clinical_client_for_user(colleague, client_record.pk)


def test_colleague_on_the_care_team_reaches_clinical_content(colleague, shared):
    assert get_clinical_client_for_user(colleague, shared.pk) == shared


def test_desk_admin_never_reaches_clinical_content(desk, client_record):
    with pytest.raises(Http404):
        get_clinical_client_for_user(desk, client_record.pk)


def test_owner_reaches_clinical_content_only_on_their_care_team(owner, make_client, client_record):
    own = make_client(owner, first_name="Owned")
    assert get_clinical_client_for_user(owner, own.pk) == own
    with pytest.raises(Http404):
        get_clinical_client_for_user(owner, client_record.pk)


def test_anonymous_user_is_denied_clinical_content(client_record):
    with pytest.raises(Http404):
        get_clinical_client_for_user(AnonymousUser(), client_record.pk)


def test_deactivated_therapist_is_denied_clinical_content(treating, client_record):
    treating.is_active = False
    treating.save()
    with pytest.raises(Http404):
        get_clinical_client_for_user(treating, client_record.pk)


def test_archived_client_clinical_content_stays_with_its_care_team(treating, colleague, archived):
    assert get_clinical_client_for_user(treating, archived.pk) == archived
    with pytest.raises(Http404):
        get_clinical_client_for_user(colleague, archived.pk)


@pytest.mark.parametrize("bad_id", ["abc", "", None, "-", "1e3"])
def test_non_numeric_id_is_denied_clinical_content(treating, client_record, bad_id):
    with pytest.raises(Http404):
        get_clinical_client_for_user(treating, bad_id)


def test_removing_a_therapist_from_the_care_team_removes_access(treating, colleague, desk, shared):
    services.client_update(
        client=shared,
        by=desk,
        data={"primary_therapist": treating},
        version=shared.version,
        care_team=[],
    )
    with pytest.raises(Http404):
        get_clinical_client_for_user(colleague, shared.pk)
    assert get_clinical_client_for_user(treating, shared.pk) == shared


# --- can_read_clinical --------------------------------------------------------------


def test_can_read_clinical_matches_the_access_rule(treating, colleague, desk, owner, client_record):
    assert can_read_clinical(treating, client_record) is True
    assert can_read_clinical(colleague, client_record) is False
    assert can_read_clinical(desk, client_record) is False
    assert can_read_clinical(owner, client_record) is False
    assert can_read_clinical(AnonymousUser(), client_record) is False


# --- get_user_for_admin ----------------------------------------------------------


def test_admin_gets_any_user_account(desk, treating):
    assert get_user_for_admin(desk, treating.pk) == treating


def test_owner_gets_any_user_account(owner, treating):
    assert get_user_for_admin(owner, treating.pk) == treating


def test_therapist_is_denied_user_accounts(treating, colleague):
    with pytest.raises(Http404):
        get_user_for_admin(treating, colleague.pk)
    with pytest.raises(Http404):
        get_user_for_admin(treating, treating.pk)


def test_anonymous_and_deactivated_admins_are_denied_user_accounts(desk, treating):
    with pytest.raises(Http404):
        get_user_for_admin(AnonymousUser(), treating.pk)
    desk.is_active = False
    desk.save()
    with pytest.raises(Http404):
        get_user_for_admin(desk, treating.pk)


@pytest.mark.parametrize("bad_id", ["abc", None, "", "424242"])
def test_unknown_or_non_numeric_user_id_gets_404(desk, bad_id):
    with pytest.raises(Http404):
        get_user_for_admin(desk, bad_id)
