"""Who may reach each assessment page: treating therapist yes; colleague off the
care team, front-desk admin and anonymous visitors no."""

from __future__ import annotations

import pytest
from django.http import Http404

from assessments.access import get_assessment_for_user


@pytest.fixture
def assessment(record):
    return record()


def _urls(assessment):
    return [
        f"/clients/{assessment.client_id}/assessments/new/",
        f"/assessments/{assessment.pk}/",
        f"/assessments/{assessment.pk}/edit/",
        f"/assessments/{assessment.pk}/compare/",
    ]


def test_treating_therapist_sees_every_assessment_page(as_treating, assessment):
    for url in _urls(assessment):
        assert as_treating.get(url).status_code == 200, url


def test_colleague_off_the_care_team_gets_404_everywhere(as_colleague, assessment):
    for url in _urls(assessment):
        assert as_colleague.get(url).status_code == 404, url
    assert as_colleague.post(f"/assessments/{assessment.pk}/sign/").status_code == 404
    assert as_colleague.post(_urls(assessment)[0], {"assessed_on": "2026-09-02"}).status_code == 404


def test_front_desk_admin_gets_404_everywhere(as_desk, assessment):
    for url in _urls(assessment):
        assert as_desk.get(url).status_code == 404, url
    assert as_desk.post(f"/assessments/{assessment.pk}/sign/").status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(anon, assessment):
    for url in [*_urls(assessment), f"/assessments/{assessment.pk}/sign/"]:
        response = anon.get(url)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"]


def test_wrong_methods_get_405(as_treating, assessment):
    assert as_treating.get(f"/assessments/{assessment.pk}/sign/").status_code == 405
    assert as_treating.put(f"/assessments/{assessment.pk}/").status_code == 405
    assert as_treating.post(f"/assessments/{assessment.pk}/compare/").status_code == 405
    assert as_treating.delete(f"/clients/{assessment.client_id}/assessments/new/").status_code == 405


def test_unknown_assessment_is_404(as_treating, assessment):
    assert as_treating.get(f"/assessments/{assessment.pk + 999}/").status_code == 404


def test_access_function_scopes_to_the_care_team(assessment, treating, colleague, desk, owner):
    assert get_assessment_for_user(treating, assessment.pk) == assessment
    for outsider in (colleague, desk, owner):
        with pytest.raises(Http404):
            get_assessment_for_user(outsider, assessment.pk)
    with pytest.raises(Http404):
        get_assessment_for_user(treating, "abc")


def test_owner_on_the_care_team_may_read(assessment, owner, client_record):
    client_record.care_team.add(owner)
    assert get_assessment_for_user(owner, assessment.pk) == assessment


def test_inactive_therapist_is_refused(assessment, treating):
    treating.is_active = False
    treating.save()
    with pytest.raises(Http404):
        get_assessment_for_user(treating, assessment.pk)
