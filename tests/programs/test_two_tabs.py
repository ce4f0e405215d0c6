"""Two tabs editing one draft program: a stale save is refused, nothing is
overwritten, and what the second tab typed stays in its form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.records import NotTheAuthor
from programs import services
from programs.models import ProgramItem, ProgramVersion


@pytest.fixture
def draft(client_record, treating, library):
    draft = services.program_draft(client=client_record, by=treating)
    services.program_item_add(draft=draft, exercise=library["Clamshell"], by=treating)
    services.program_item_add(draft=draft, exercise=library["Plantar-fascia stretch"], by=treating)
    draft.refresh_from_db()
    return draft


def _item(draft, name="Clamshell"):
    return ProgramItem.objects.get(version=draft, exercise__name=name)


def test_a_stale_revision_is_refused_by_the_service_and_writes_nothing(draft, treating):
    loaded = draft.revision
    item = _item(draft)
    services.program_item_update(item=item, by=treating, data={"sets": 3}, revision=loaded)
    stale = _item(draft)
    with pytest.raises(services.ProgramConflict):
        services.program_item_update(item=stale, by=treating, data={"sets": 5, "reps": 8}, revision=loaded)
    saved = _item(draft)
    assert saved.sets == 3
    assert ProgramVersion.objects.get(pk=draft.pk).revision == loaded + 1


def test_issuing_a_draft_changed_in_another_tab_is_refused(draft, treating):
    loaded = draft.revision
    services.program_item_remove(item=_item(draft), by=treating, revision=loaded)
    with pytest.raises(services.ProgramConflict):
        services.program_issue(version=draft, by=treating, revision=loaded)
    assert not ProgramVersion.objects.get(pk=draft.pk).is_issued


def _item_post(item, revision, **fields):
    p = f"item{item.pk}"
    data = {
        f"{p}-sets": "2",
        f"{p}-reps": "10",
        f"{p}-frequency": "daily",
        f"{p}-side": "",
        "revision": revision,
    }
    data.update({f"{p}-{k}": v for k, v in fields.items()})
    return data


def test_the_second_tab_gets_409_with_its_text_kept_and_the_saved_dosage_named(draft, as_treating):
    item = _item(draft)
    url = reverse("programs:item_update", args=[item.pk])
    loaded = draft.revision
    first = as_treating.post(
        url, _item_post(item, loaded, sets="4", reason="From tab one."), HTTP_HX_REQUEST="true"
    )
    assert first.status_code == 200
    second = as_treating.post(
        url, _item_post(item, loaded, sets="1", reason="Typed in tab two."), HTTP_HX_REQUEST="true"
    )
    assert second.status_code == 409
    page = second.content.decode()
    assert "changed in another tab" in page
    assert "Typed in tab two." in page  # still in the item's form
    assert "Clamshell as saved: 4 sets" in page  # the other version
    saved = _item(draft)
    assert (saved.sets, saved.reason) == (4, "From tab one.")


def test_a_care_team_colleague_cannot_change_the_authors_draft(draft, client_record, library):
    from django.test import Client as HttpClient

    from clinic.models import User

    teammate = User.objects.create_user(username="teammate", password="test-pass-1234!", is_therapist=True)
    client_record.care_team.add(teammate)
    http = HttpClient()
    http.force_login(teammate)
    before = list(ProgramItem.objects.order_by("pk").values_list())
    item = _item(draft)
    assert (
        http.get(reverse("programs:builder", args=[client_record.pk])).status_code == 200
    )  # reading is shared
    response = http.post(reverse("programs:item_update", args=[item.pk]), _item_post(item, draft.revision))
    assert response.status_code == 403
    add = http.post(
        reverse("programs:builder_add", args=[client_record.pk]),
        {"exercise": library["Clamshell"].pk},
    )
    assert add.status_code == 403
    assert list(ProgramItem.objects.order_by("pk").values_list()) == before
    with pytest.raises(NotTheAuthor):
        services.program_draft(client=client_record, by=teammate)
