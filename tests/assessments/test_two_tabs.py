"""Two tabs editing one draft assessment: the stale save is refused, nothing is
overwritten, and what the second tab typed stays in its form."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from assessments import services
from assessments.models import Assessment
from assessments.services import AssessmentConflict, AssessmentData, MeasurementInput
from core.records import NotTheAuthor


def _data(finding: str, k2w_left: str = "7") -> AssessmentData:
    return AssessmentData(
        assessed_on=date(2026, 9, 1),
        findings={"foot": finding},
        measurements=[MeasurementInput("knee_to_wall", "L", value=Decimal(k2w_left))],
    )


@pytest.fixture
def draft(client_record, treating):
    return services.assessment_create(client=client_record, by=treating, data=_data("First look."))


def test_a_stale_version_is_refused_by_the_service_and_writes_nothing(draft, treating):
    loaded = draft.version
    services.assessment_update(assessment=draft, by=treating, data=_data("Tab one."), version=loaded)
    stale = Assessment.objects.get(pk=draft.pk)
    with pytest.raises(AssessmentConflict):
        services.assessment_update(assessment=stale, by=treating, data=_data("Tab two.", "9"), version=loaded)
    saved = Assessment.objects.get(pk=draft.pk)
    assert saved.findings == {"foot": "Tab one."}
    assert saved.version == loaded + 1
    assert [m.value for m in saved.measurements.all()] == [Decimal("7.00")]


def test_each_save_moves_the_version_on(draft, treating):
    first = services.assessment_update(assessment=draft, by=treating, data=_data("a"), version=draft.version)
    assert first.version == 2
    second = services.assessment_update(assessment=draft, by=treating, data=_data("b"), version=2)
    assert second.version == 3


def _post(**overrides):
    return {"assessed_on": "2026-09-01", "m_knee_to_wall_L": "7", **overrides}


def test_the_second_tab_gets_409_with_its_text_kept_and_the_saved_version_shown(draft, as_treating):
    url = f"/assessments/{draft.pk}/edit/"
    loaded = draft.version
    first = as_treating.post(url, _post(findings_foot="Finding from tab one.", version=loaded))
    assert first.status_code == 302
    second = as_treating.post(url, _post(findings_foot="Finding typed in tab two.", version=loaded))
    assert second.status_code == 409
    page = second.content.decode()
    assert "saved in another tab" in page
    assert "Finding typed in tab two." in page  # still in the form: nothing typed is lost
    assert "Finding from tab one." in page  # the saved version, shown above the form
    saved = Assessment.objects.get(pk=draft.pk)
    assert saved.findings == {"foot": "Finding from tab one."}
    # The form now carries the saved version: saving again is a deliberate choice.
    assert f'name="version" value="{saved.version}"' in page


def test_a_form_without_a_version_is_treated_as_stale(draft, as_treating):
    response = as_treating.post(f"/assessments/{draft.pk}/edit/", _post(findings_foot="No version."))
    assert response.status_code == 409
    assert Assessment.objects.get(pk=draft.pk).findings == {"foot": "First look."}


def test_signing_content_changed_in_another_tab_is_refused(draft, treating, as_treating):
    services.assessment_update(assessment=draft, by=treating, data=_data("Changed."), version=draft.version)
    response = as_treating.post(
        f"/assessments/{draft.pk}/sign/", {"password": "test-pass-1234!", "version": 1}
    )
    assert response.status_code == 409
    assert not Assessment.objects.get(pk=draft.pk).is_signed


def test_a_colleague_on_the_care_team_cannot_edit_or_sign_the_authors_draft(draft, client_record):
    from django.test import Client as HttpClient

    from clinic.models import User

    teammate = User.objects.create_user(username="teammate", password="test-pass-1234!", is_therapist=True)
    client_record.care_team.add(teammate)
    http = HttpClient()
    http.force_login(teammate)
    before = list(Assessment.objects.values_list())
    assert http.get(f"/assessments/{draft.pk}/").status_code == 200  # reading is shared
    assert http.get(f"/assessments/{draft.pk}/edit/").status_code == 403
    edit = http.post(
        f"/assessments/{draft.pk}/edit/", _post(findings_foot="Not mine.", version=draft.version)
    )
    sign = http.post(f"/assessments/{draft.pk}/sign/", {"password": "test-pass-1234!", "version": 1})
    assert (edit.status_code, sign.status_code) == (403, 403)
    assert list(Assessment.objects.values_list()) == before
    with pytest.raises(NotTheAuthor):
        services.assessment_sign(assessment=draft, by=teammate)
    with pytest.raises(NotTheAuthor):
        services.assessment_update(assessment=draft, by=teammate, data=_data("Not mine."))
