"""My program on the client's phone: today's exercises, ticks, the pain check and the
week, and every way a bad entry is refused (replay, tampered id, pain 11, a flood)."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from portal import services
from portal.models import LogEntry
from tests.portal.conftest import issue_program

QUEUE = {"HTTP_X_KC_QUEUE": "1"}


def _entry(**fields):
    return {"entry_id": str(uuid.uuid4()), "done_on": timezone.localdate().isoformat(), **fields}


@pytest.fixture
def items(issued_program):
    return list(issued_program.items.order_by("position"))


def test_the_program_page_shows_today_s_exercises_with_dosage_why_and_ticks(
    phone, issued, items, django_assert_max_num_queries
):
    token = issued[1]
    # Session, throttle, link, program, items, handout data, today's entries, the audit row
    # (one more on PostgreSQL for the audit chain's lock): bounded, whatever the log holds.
    with django_assert_max_num_queries(20):
        page = phone.get(f"/c/{token}/program/")
    html = page.content.decode()
    assert page.status_code == 200
    for item in items:
        assert item.exercise.name in html and item.dosage_text in html
        assert f'name="item" value="{item.pk}"' in html
    assert "Set 1" in html and "How bad was the pain" in html
    assert 'rel="manifest"' in html


def test_ticks_are_saved_once_whatever_the_replays(phone, issued, items, client_record):
    token = issued[1]
    data = _entry(kind="set", item=items[0].pk, set_number=1)
    first = phone.post(f"/c/{token}/log/", data, **QUEUE)
    assert first.status_code == 200 and first.json() == {"ok": True, "created": True, "pain_response": ""}
    again = phone.post(f"/c/{token}/log/", data, **QUEUE)
    assert again.status_code == 200 and again.json()["created"] is False
    assert LogEntry.objects.count() == 1
    entry = LogEntry.objects.get()
    assert entry.client == client_record and entry.link == issued[0] and entry.item == items[0]
    audit = AuditEvent.objects.filter(action="client_log").get()
    assert audit.actor is None and audit.client_id == client_record.pk
    assert audit.detail["exercise"] == items[0].exercise.name
    page = phone.get(f"/c/{token}/program/").content.decode()
    assert "Set 1 done" in page


def test_a_plain_form_post_works_without_javascript(phone, issued, items):
    token = issued[1]
    response = phone.post(f"/c/{token}/log/", _entry(kind="session", item=items[1].pk))
    assert response.status_code == 302 and response["Location"].endswith("/program/#saved")
    assert LogEntry.objects.get().kind == "session"


@pytest.mark.parametrize(
    ("pain", "settled", "kind", "band"),
    [
        (1, None, "pain", "green"),
        (4, None, "pain", "amber"),
        (7, None, "pain", "red"),
        (2, "no", "morning", "red"),
    ],
)
def test_the_pain_traffic_light_follows_the_clinic_s_bands(phone, issued, items, pain, settled, kind, band):
    data = _entry(kind=kind, pain=pain, **({"settled": settled} if settled else {}))
    response = phone.post(f"/c/{issued[1]}/log/", data, **QUEUE)
    assert response.json()["pain_response"] == band
    entry = LogEntry.objects.get()
    assert (entry.green_max, entry.amber_max) == (2, 5)


@pytest.mark.parametrize("pain", ["11", "-1", "ten", ""])
def test_pain_outside_0_to_10_is_refused_with_a_plain_message(phone, issued, items, pain):
    response = phone.post(f"/c/{issued[1]}/log/", _entry(kind="pain", pain=pain), **QUEUE)
    assert response.status_code == 400
    assert "0 to 10" in response.json()["message"]
    page = phone.post(f"/c/{issued[1]}/log/", _entry(kind="pain", pain=pain))
    assert page.status_code == 400 and b"0 to 10" in page.content
    assert LogEntry.objects.count() == 0


def test_a_tampered_exercise_id_is_refused(phone, issued, items, make_client, treating):
    other = make_client(treating, last_name="Other")
    other_item = issue_program(other, treating).items.first()
    for tampered in (other_item.pk, 999999, "abc", "1 OR 1=1"):
        response = phone.post(
            f"/c/{issued[1]}/log/", _entry(kind="set", item=tampered, set_number=1), **QUEUE
        )
        assert response.status_code == 400, tampered
        assert response.json()["ok"] is False
    assert (
        "not in your program"
        in phone.post(
            f"/c/{issued[1]}/log/", _entry(kind="set", item=other_item.pk, set_number=1), **QUEUE
        ).json()["message"]
    )
    too_many = _entry(kind="set", item=items[0].pk, set_number=items[0].sets + 1)
    assert phone.post(f"/c/{issued[1]}/log/", too_many, **QUEUE).status_code == 400
    assert LogEntry.objects.count() == 0


def test_an_entry_id_of_another_client_is_refused_not_overwritten(
    phone, issued, items, make_client, treating
):
    other = make_client(treating, last_name="Other")
    issue_program(other, treating)
    other_link, _ = services.link_issue(client=other, by=treating)
    taken = uuid.uuid4()
    services.log_entry_record(
        link=other_link,
        data={"entry_id": taken, "kind": "pain", "pain": 3, "done_on": timezone.localdate()},
    )
    data = _entry(kind="pain", pain=8)
    data["entry_id"] = str(taken)
    response = phone.post(f"/c/{issued[1]}/log/", data, **QUEUE)
    assert response.status_code == 400
    assert LogEntry.objects.get().client == other and LogEntry.objects.get().pain == 3


def test_old_or_future_days_are_refused(phone, issued, items):
    for day in ("2001-01-01", "2999-01-01"):
        data = _entry(kind="pain", pain=2)
        data["done_on"] = day
        assert phone.post(f"/c/{issued[1]}/log/", data, **QUEUE).status_code == 400
    assert LogEntry.objects.count() == 0


def test_a_flood_of_submissions_is_refused(phone, issued, items, settings):
    settings.KC_PORTAL_ENTRIES_PER_WINDOW = 10
    for _ in range(10):
        assert phone.post(f"/c/{issued[1]}/log/", _entry(kind="pain", pain=1), **QUEUE).status_code == 200
    refused = phone.post(f"/c/{issued[1]}/log/", _entry(kind="pain", pain=1), **QUEUE)
    assert refused.status_code == 400 and "a lot of entries" in refused.json()["message"]
    assert LogEntry.objects.count() == 10


def test_markup_in_the_client_s_note_is_shown_as_text(phone, issued, items, as_treating, client_record):
    note = '<script>alert("x")</script><b>bold</b>'
    phone.post(f"/c/{issued[1]}/log/", _entry(kind="pain", pain=4, note=note), **QUEUE)
    chart = as_treating.get(f"/clients/{client_record.pk}/").content.decode()
    assert "&lt;script&gt;" in chart and '<script>alert("x")' not in chart and "<b>bold</b>" not in chart


def test_the_week_view_counts_ticks_and_pain(phone, issued, items):
    token = issued[1]
    sets = min(2, items[0].sets)
    for n in range(1, sets + 1):
        phone.post(f"/c/{token}/log/", _entry(kind="set", item=items[0].pk, set_number=n), **QUEUE)
    phone.post(f"/c/{token}/log/", _entry(kind="pain", pain=4), **QUEUE)
    html = phone.get(f"/c/{token}/week/").content.decode()
    assert items[0].exercise.name in html and "kc-band-amber" in html and f"<td>{sets}</td>" in html


def test_a_link_opens_only_its_own_client_s_program(phone, issued, items, make_client, treating):
    other = make_client(treating, first_name="Otto", last_name="Other")
    issue_program(other, treating, count=3)
    page = phone.get(f"/c/{issued[1]}/program/").content.decode()
    assert "Otto" not in page and "Other" not in page
    assert page.count('name="item"') == sum(i.sets for i in items)


def test_the_manifest_and_service_worker_are_served_under_the_link(phone, issued):
    token = issued[1]
    manifest = phone.get(f"/c/{token}/manifest.webmanifest")
    assert manifest.json()["start_url"] == f"/c/{token}/program/"
    worker = phone.get(f"/c/{token}/sw.js")
    assert worker.status_code == 200 and worker["Content-Type"].startswith("text/javascript")
    assert b"http" not in worker.content.replace(b"self.location", b"")


def test_the_manifest_names_icons_a_phone_can_install_the_program_with(phone, issued):
    """Phones offer "Add to home screen" as an app only when the manifest names icons
    of at least 192 and 512 pixels; the service worker keeps them for offline use."""
    from django.conf import settings
    from PIL import Image

    token = issued[1]
    icons = phone.get(f"/c/{token}/manifest.webmanifest").json()["icons"]
    assert {icon["sizes"] for icon in icons} == {"192x192", "512x512"}
    worker = phone.get(f"/c/{token}/sw.js").content.decode()
    for icon in icons:
        assert icon["type"] == "image/png" and icon["src"] in worker
        name = icon["src"].removeprefix(settings.STATIC_URL)
        with Image.open(settings.BASE_DIR / "static" / name) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
