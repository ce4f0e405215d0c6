"""A draft assessment saves itself while the therapist types: the background save
moves the version on and answers with the new one; a stale, invalid, signed or
someone else's save is refused with the reason and writes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from assessments import services
from assessments.models import Assessment
from assessments.services import AssessmentData, MeasurementInput
from audit.models import AuditEvent


@pytest.fixture
def draft(client_record, treating):
    return services.assessment_create(
        client=client_record,
        by=treating,
        data=AssessmentData(
            assessed_on=date(2026, 9, 1),
            findings={"foot": "First look."},
            measurements=[MeasurementInput("knee_to_wall", "L", value=Decimal("7"))],
        ),
    )


def _post(**overrides):
    return {"assessed_on": "2026-09-01", "m_knee_to_wall_L": "7", **overrides}


def _url(draft) -> str:
    return f"/assessments/{draft.pk}/autosave/"


def test_the_edit_page_autosaves_in_the_background(draft, as_treating):
    page = as_treating.get(f"/assessments/{draft.pk}/edit/").content.decode()
    assert f'hx-post="/assessments/{draft.pk}/autosave/"' in page
    assert "X-KC-Background" in page
    assert 'id="autosave-status"' in page
    new_page = as_treating.get(f"/clients/{draft.client_id}/assessments/new/").content.decode()
    assert "data-kc-draft" in new_page  # not saved yet: asks before leaving and keeps a local copy


def test_an_autosave_saves_and_hands_back_the_new_version(draft, as_treating):
    response = as_treating.post(
        _url(draft),
        _post(findings_foot="Typed a moment ago.", version=draft.version),
        HTTP_X_KC_BACKGROUND="1",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Draft saved" in html
    saved = Assessment.objects.get(pk=draft.pk)
    assert saved.findings == {"foot": "Typed a moment ago."}
    assert saved.version == draft.version + 1
    assert f'name="version" value="{saved.version}"' in html
    assert 'hx-swap-oob="true"' in html
    event = AuditEvent.objects.filter(action="update", object_id=str(draft.pk)).latest("at")
    assert event.detail.get("autosave") is True


def test_a_stale_autosave_is_refused_with_409_and_overwrites_nothing(draft, as_treating):
    loaded = draft.version
    assert as_treating.post(_url(draft), _post(findings_foot="Tab one.", version=loaded)).status_code == 200
    stale = as_treating.post(_url(draft), _post(findings_foot="Tab two.", version=loaded))
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "Not saved: conflict" in html
    assert f"/assessments/{draft.pk}/" in html  # the saved version, a click away
    assert 'hx-swap-oob="true"' not in html  # the form keeps its old version: no silent overwrite
    assert Assessment.objects.get(pk=draft.pk).findings == {"foot": "Tab one."}


def test_an_autosave_the_server_cannot_accept_says_why_and_saves_nothing(draft, as_treating):
    response = as_treating.post(
        _url(draft), _post(assessed_on="not a date", findings_foot="Kept?", version=draft.version)
    )
    assert response.status_code == 400
    assert "Not saved yet" in response.content.decode()
    assert Assessment.objects.get(pk=draft.pk).findings == {"foot": "First look."}


def test_a_signed_assessment_refuses_an_autosave(draft, treating, as_treating):
    services.assessment_sign(assessment=draft, by=treating)
    response = as_treating.post(_url(draft), _post(findings_foot="Too late.", version=draft.version))
    assert response.status_code == 409
    assert Assessment.objects.get(pk=draft.pk).findings == {"foot": "First look."}


def test_only_the_author_autosaves(draft, client_record):
    from django.test import Client as HttpClient

    from clinic.models import User

    teammate = User.objects.create_user(username="teammate", password="test-pass-1234!", is_therapist=True)
    client_record.care_team.add(teammate)
    http = HttpClient()
    http.force_login(teammate)
    response = http.post(_url(draft), _post(findings_foot="Not mine.", version=draft.version))
    assert response.status_code == 403
    assert Assessment.objects.get(pk=draft.pk).findings == {"foot": "First look."}


def test_outside_the_care_team_there_is_no_such_assessment(draft, as_colleague):
    response = as_colleague.post(_url(draft), _post(findings_foot="Not mine.", version=draft.version))
    assert response.status_code == 404


def test_beside_a_refused_stale_save_replacing_the_saved_version_is_a_deliberate_save(draft, as_treating):
    loaded = draft.version
    url = f"/assessments/{draft.pk}/edit/"
    assert as_treating.post(_url(draft), _post(findings_foot="Tab one.", version=loaded)).status_code == 200
    refused = as_treating.post(url, _post(findings_foot="Tab two.", version=loaded))
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "autosave/" not in page  # no background save over the other tab's version
    assert "data-kc-draft" in page  # still kept on this device and asked about before leaving
