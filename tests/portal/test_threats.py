"""Every threat to the client's own view, in one place: each is refused in plain words and
writes nothing anywhere (every table's rows compared before and after, beyond the audit trail,
sessions and the count of refused tries, which a refusal rightly writes).

The threat list of the client's own view: a guessed, expired or revoked token; a token of
another client; a replayed submission; a tampered exercise id; a pain score of 11; a flood of
submissions; markup in what the client types. The sweep of every staff address with a client
session is ``tests/portal/test_link_sweep.py``."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from portal import services
from portal.models import ClientLink, LogEntry
from previsit import services as previsit_services
from previsit.models import IntakeDraft, Measure, QuestionnaireRequest
from tests.portal.conftest import issue_program
from tests.previsit.conftest import intake_post, lefs_post

pytestmark = pytest.mark.django_db

QUEUE = {"HTTP_X_KC_QUEUE": "1"}
# A refusal may write these: the audit trail, sessions, sign-in throttling, refused tries.
MAY_WRITE = ("audit.", "sessions.", "axes.", "otp_", "portal.linkthrottle", "admin.")


def snapshot() -> dict[str, list]:
    """Every row of every other table."""
    return {
        m._meta.label_lower: list(m._base_manager.order_by("pk").values_list())
        for m in apps.get_models()
        if not m._meta.label_lower.startswith(MAY_WRITE)
    }


def changed(before: dict[str, list]) -> list[str]:
    after = snapshot()
    return [label for label in before if before[label] != after[label]]


def _entry(**fields) -> dict:
    return {"entry_id": str(uuid.uuid4()), "done_on": timezone.localdate().isoformat(), **fields}


@pytest.fixture
def world(phone, issued, client_record, treating):
    """The client's phone past the date-of-birth step, an issued program, a questionnaire
    waiting and the intake form open."""
    link, token = issued
    version = issue_program(client_record, treating)
    qrequest = previsit_services.questionnaire_request_create(
        client=client_record, measure=Measure.NPRS, by=treating
    )
    return {
        "phone": phone,
        "link": link,
        "token": token,
        "item": version.items.order_by("position").first(),
        "q": qrequest,
    }


def _writes(token: str, world: dict) -> list[tuple[str, dict]]:
    """Every address through which a client writes, with something it would keep."""
    return [
        (f"/c/{token}/log/", _entry(kind="set", item=world["item"].pk, set_number=1)),
        (f"/c/{token}/log/", _entry(kind="pain", pain=4)),
        (reverse("previsit_client:questionnaire", kwargs={"token": token, "pk": world["q"].pk}), {}),
        (
            reverse("previsit_client:questionnaire_save", kwargs={"token": token, "pk": world["q"].pk}),
            {"nprs_rest": "2"},
        ),
        (reverse("previsit_client:intake", kwargs={"token": token}), intake_post()),
        (reverse("previsit_client:intake_save", kwargs={"token": token}), {"q_dvt": "yes"}),
    ]


def test_a_guessed_token_is_refused_and_writes_nothing(world):
    before = snapshot()
    for url, data in _writes("A" * 43, world):
        response = world["phone"].post(url, data, **QUEUE)
        assert response.status_code == 404, url
        assert b"cannot be opened" in response.content
    assert changed(before) == []


@pytest.mark.parametrize("state", ["expired", "revoked"])
def test_an_expired_or_revoked_token_is_refused_and_writes_nothing(state, world, treating):
    link = world["link"]
    if state == "expired":
        ClientLink.objects.filter(pk=link.pk).update(
            issued_at=timezone.now() - timedelta(weeks=9), expires_at=timezone.now() - timedelta(minutes=1)
        )
    else:
        services.link_revoke(link=link, by=treating)
    before = snapshot()
    for url, data in _writes(world["token"], world):
        response = world["phone"].post(url, data, **QUEUE)
        assert response.status_code == 404, url
        assert b"cannot be opened" in response.content
    assert changed(before) == []


def test_a_token_of_another_client_opens_nothing_and_writes_nothing(world, make_client, treating):
    other = make_client(treating, first_name="Other", last_name="Person")
    _, other_token = services.link_issue(client=other, by=treating)
    theirs = previsit_services.questionnaire_request_create(client=other, measure=Measure.LEFS, by=treating)
    before = snapshot()
    # This phone gave the date of birth for its own link only: the other link asks for it.
    for url, data in _writes(other_token, world):
        response = world["phone"].post(url, data, **QUEUE)
        assert response.status_code == 302 and response["Location"].endswith("/confirm/"), url
    # Its own link with the other client's questionnaire: not found.
    for name, data in (("questionnaire", lefs_post()), ("questionnaire_save", {"item_1": "1"})):
        url = reverse(f"previsit_client:{name}", kwargs={"token": world["token"], "pk": theirs.pk})
        assert world["phone"].post(url, data).status_code == 404
    assert changed(before) == []


def test_an_entry_id_of_another_client_is_refused_and_writes_nothing(world, make_client, treating):
    other = make_client(treating, first_name="Other", last_name="Person")
    other_link, _ = services.link_issue(client=other, by=treating)
    taken = uuid.uuid4()
    services.log_entry_record(
        link=other_link, data={"entry_id": taken, "kind": "pain", "pain": 3, "done_on": timezone.localdate()}
    )
    before = snapshot()
    data = _entry(kind="pain", pain=8)
    data["entry_id"] = str(taken)
    response = world["phone"].post(f"/c/{world['token']}/log/", data, **QUEUE)
    assert response.status_code == 400 and response.json()["message"] == (
        "This entry could not be saved. Please reload the page."
    )
    assert changed(before) == []


def test_a_replayed_submission_is_kept_once_or_refused_and_writes_nothing_more(world, client_record):
    phone, token = world["phone"], world["token"]
    entry = _entry(kind="set", item=world["item"].pk, set_number=1)
    assert phone.post(f"/c/{token}/log/", entry, **QUEUE).json()["created"] is True
    q_url = reverse("previsit_client:questionnaire", kwargs={"token": token, "pk": world["q"].pk})
    nprs = {"nprs_first_step": "3", "nprs_rest": "2", "nprs_worst_24h": "6", "nprs_activity": "4"}
    assert phone.post(q_url, nprs).status_code == 200
    intake_url = reverse("previsit_client:intake", kwargs={"token": token})
    assert phone.post(intake_url, intake_post()).status_code == 200
    before = snapshot()
    # The phone's queue sends the same tick again: the one kept is the answer, nothing new.
    again = phone.post(f"/c/{token}/log/", entry, **QUEUE)
    assert again.status_code == 200 and again.json()["created"] is False
    replayed = phone.post(q_url, {**nprs, "nprs_rest": "9"})
    assert replayed.status_code == 409 and "already sent" in replayed.content.decode()
    save_url = reverse("previsit_client:questionnaire_save", kwargs={"token": token, "pk": world["q"].pk})
    assert phone.post(save_url, {"nprs_rest": "9"}).status_code == 409
    assert phone.post(intake_url, intake_post({"dvt": "Changed my mind"})).status_code == 409
    refused_save = phone.post(
        reverse("previsit_client:intake_save", kwargs={"token": token}), {"q_dvt": "yes"}
    )
    assert refused_save.status_code == 409 and "already sent" in refused_save.json()["message"]
    assert changed(before) == []


def test_a_tampered_exercise_id_is_refused_and_writes_nothing(world, make_client, treating):
    other = make_client(treating, last_name="Other")
    other_item = issue_program(other, treating).items.first()
    before = snapshot()
    for tampered in (other_item.pk, 999999, "abc", "1 OR 1=1", -1):
        response = world["phone"].post(
            f"/c/{world['token']}/log/", _entry(kind="set", item=tampered, set_number=1), **QUEUE
        )
        assert response.status_code == 400, tampered
        assert response.json()["ok"] is False and response.json()["message"]
    assert changed(before) == []


def test_a_pain_score_of_11_is_refused_and_writes_nothing(world):
    phone, token = world["phone"], world["token"]
    before = snapshot()
    for kind in ("pain", "morning"):
        response = phone.post(f"/c/{token}/log/", _entry(kind=kind, pain=11, settled="yes"), **QUEUE)
        assert response.status_code == 400 and "0 to 10" in response.json()["message"]
    save_url = reverse("previsit_client:questionnaire_save", kwargs={"token": token, "pk": world["q"].pk})
    saved = phone.post(save_url, {"nprs_rest": "11"})
    assert saved.status_code == 400
    assert saved.json()["errors"] == {"nprs_rest": "Choose a whole number from 0 to 10."}
    assert changed(before) == []
    nprs = {"nprs_first_step": "11", "nprs_rest": "2", "nprs_worst_24h": "6", "nprs_activity": "4"}
    sent = phone.post(
        reverse("previsit_client:questionnaire", kwargs={"token": token, "pk": world["q"].pk}), nprs
    )
    assert sent.status_code == 400 and "Choose a whole number from 0 to 10." in sent.content.decode()
    world["q"].refresh_from_db()
    assert (
        world["q"].status == QuestionnaireRequest.Status.IN_PROGRESS
        and "nprs_first_step" not in world["q"].partial
    )
    # Sending keeps the valid answers typed so far (as a save would; the client's row counts the
    # change for the pages about the client); the 11 is kept nowhere.
    assert changed(before) == ["clinic.client", "previsit.questionnairerequest"]
    assert LogEntry.objects.count() == 0


def test_a_flood_of_submissions_is_refused_and_writes_nothing_more(world, settings):
    settings.KC_PORTAL_ENTRIES_PER_WINDOW = 10
    phone, token = world["phone"], world["token"]
    for _ in range(10):
        assert phone.post(f"/c/{token}/log/", _entry(kind="pain", pain=1), **QUEUE).status_code == 200
    before = snapshot()
    refused = phone.post(f"/c/{token}/log/", _entry(kind="pain", pain=1), **QUEUE)
    assert refused.status_code == 400 and "a lot of entries" in refused.json()["message"]
    save_url = reverse("previsit_client:questionnaire_save", kwargs={"token": token, "pk": world["q"].pk})
    assert phone.post(save_url, {"nprs_rest": "2"}).status_code == 429
    intake_url = reverse("previsit_client:intake", kwargs={"token": token})
    flooded = phone.post(intake_url, intake_post())
    assert flooded.status_code == 429 and "Too many answers" in flooded.content.decode()
    intake_save = phone.post(reverse("previsit_client:intake_save", kwargs={"token": token}), {"q_dvt": "no"})
    assert intake_save.status_code == 429
    assert changed(before) == []


MARKUP = '"><script>alert(1)</script><img src=x onerror=alert(2)><b>bold</b>'


def test_markup_in_client_text_is_kept_as_text_only_where_it_was_typed_and_never_runs(
    world, as_treating, client_record, treating
):
    """Markup is not refused (a client may write "pain < 3"): it is kept as the text it is,
    in the one row it was typed into, and every page shows it escaped."""
    phone, token = world["phone"], world["token"]
    before = snapshot()
    assert (
        phone.post(f"/c/{token}/log/", _entry(kind="pain", pain=4, note=MARKUP), **QUEUE).status_code == 200
    )
    save = reverse("previsit_client:intake_save", kwargs={"token": token})
    assert phone.post(save, {"d_dvt": MARKUP, "medications": MARKUP}).status_code == 200
    # The entry, its link's last use, the kept form and the client's count of changes (which
    # re-renders the pages about the client): nothing else.
    assert sorted(changed(before)) == [
        "clinic.client",
        "portal.clientlink",
        "portal.logentry",
        "previsit.intakedraft",
    ]
    assert LogEntry.objects.get().note == MARKUP[:200]
    assert IntakeDraft.objects.get().partial["d_dvt"] == MARKUP
    pages = [
        as_treating.get(f"/clients/{client_record.pk}/").content.decode(),
        phone.get(reverse("previsit_client:intake", kwargs={"token": token})).content.decode(),
    ]
    sent = phone.post(
        reverse("previsit_client:intake", kwargs={"token": token}),
        intake_post({"dvt": MARKUP}, medications=MARKUP),
    )
    assert sent.status_code == 200
    intake = client_record.intake_submissions.get()
    pages.append(as_treating.get(intake.get_absolute_url()).content.decode())
    for html in pages:
        assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
        assert "<b>bold</b>" not in html and "&lt;script&gt;" in html
    QuestionnaireRequest.objects.get()  # nothing else was created
    previsit_services.intake_confirm(intake=intake, by=treating)
    assert client_record.health_screens.get().medications == MARKUP
