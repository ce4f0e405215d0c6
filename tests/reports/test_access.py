"""Who reaches a progress report: the care team reads drafts and signed reports,
only the author writes or signs a draft, nobody changes a signed one, and
everyone else (a therapist off the care team, a front-desk admin, the owner off
the care team) gets 404."""

from __future__ import annotations

import pytest
from django.http import Http404

from clinic.models import ClinicProfile
from core.records import NotTheAuthor, RecordLocked
from reports.access import get_report_for_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_team(history, colleague):
    history.care_team.add(colleague)
    return colleague


def test_the_author_reads_and_writes_their_draft(make_report, treating):
    draft = make_report()
    assert get_report_for_user(treating, draft.pk) == draft
    assert get_report_for_user(treating, draft.pk, for_write=True) == draft


def test_a_care_team_colleague_reads_but_does_not_write(make_report, treating, on_team):
    from reports import services

    draft = make_report()
    assert get_report_for_user(on_team, draft.pk) == draft
    with pytest.raises(NotTheAuthor):
        get_report_for_user(on_team, draft.pk, for_write=True)
    signed = services.report_sign(report=make_report(), by=treating)
    assert get_report_for_user(on_team, signed.pk) == signed
    with pytest.raises(RecordLocked):
        get_report_for_user(on_team, signed.pk, for_write=True)


def test_nobody_writes_a_signed_report_not_even_its_author(make_report, treating):
    from reports import services

    signed = services.report_sign(report=make_report(), by=treating)
    with pytest.raises(RecordLocked):
        get_report_for_user(treating, signed.pk, for_write=True)


@pytest.mark.parametrize("persona", ["colleague", "desk", "owner"])
def test_outside_the_care_team_every_report_is_404(make_report, treating, persona, request):
    from reports import services

    user = request.getfixturevalue(persona)
    draft = make_report()
    signed = services.report_sign(report=make_report(), by=treating)
    for pk in (draft.pk, signed.pk):
        for for_write in (False, True):
            with pytest.raises(Http404):
                get_report_for_user(user, pk, for_write=for_write)


def test_an_admin_on_no_care_team_gets_404_even_for_a_signed_report(make_report, treating, desk):
    from reports import services

    signed = services.report_sign(report=make_report(), by=treating)
    with pytest.raises(Http404):
        get_report_for_user(desk, signed.pk)


@pytest.mark.parametrize("pk", ["0", "-1", "abc", "99999999", str(2**70)])
def test_odd_ids_are_404(treating, pk):
    with pytest.raises(Http404):
        get_report_for_user(treating, pk)


def test_a_named_supervisor_writes_the_draft_only_while_the_clinic_allows_it(make_report, on_team, treating):
    draft = make_report()
    treating.supervisors.add(on_team)
    with pytest.raises(NotTheAuthor):
        get_report_for_user(on_team, draft.pk, for_write=True)
    profile = ClinicProfile.load()
    profile.named_supervisors_allowed = True
    profile.save()
    assert get_report_for_user(on_team, draft.pk, for_write=True) == draft


def test_the_pages_answer_404_to_the_front_desk(make_report, treating, as_desk, history):
    from reports import services

    signed = services.report_sign(report=make_report(), by=treating)
    for url in (
        f"/reports/{signed.pk}/",
        f"/reports/{signed.pk}/pdf/",
        f"/clients/{history.pk}/report/",
        f"/clients/{history.pk}/report.pdf",
    ):
        assert as_desk.get(url).status_code == 404, url
