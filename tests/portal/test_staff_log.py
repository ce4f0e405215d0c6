"""The client's log on the staff side: the chart lists it, and the next note's adherence
is filled in from it for the therapist to confirm."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from django.utils import timezone

from notes import services as note_services
from portal import services
from programs.models import Adherence

QUEUE = {"HTTP_X_KC_QUEUE": "1"}


def _log(link, **data):
    data.setdefault("done_on", timezone.localdate())
    return services.log_entry_record(link=link, data={"entry_id": uuid.uuid4(), **data})[0]


def test_the_chart_lists_the_client_s_log(as_treating, client_record, issued, issued_program):
    link, _ = issued
    item = issued_program.items.order_by("position").first()
    _log(link, kind="set", item=item.pk, set_number=1)
    _log(link, kind="pain", pain=4, note="Sore after the second set")
    html = as_treating.get(f"/clients/{client_record.pk}/").content.decode()
    log = html[html.index('id="client-log"') :]
    assert log.count("kc-log-entry") == 2
    assert (
        f"{item.exercise.name}: set 1" in log and "4/10 amber" in log and "Sore after the second set" in log
    )


def test_the_desk_does_not_see_the_log(as_desk, client_record, issued, issued_program):
    _log(issued[0], kind="pain", pain=4, note="Sore after the second set")
    html = as_desk.get(f"/clients/{client_record.pk}/").content.decode()
    assert "client-log" not in html and "Sore" not in html


def test_the_next_note_s_adherence_is_prefilled_from_the_log(
    as_treating, client_record, treating, issued, issued_program
):
    link, _ = issued
    first, second = issued_program.items.order_by("position")[:2]
    today = timezone.localdate()
    for days_ago in (0, 1, 3):
        _log(link, kind="set", item=first.pk, set_number=1, done_on=today - timedelta(days=days_ago))
    _log(link, kind="pain", pain=4, done_on=today - timedelta(days=1))
    note = note_services.note_create(
        client=client_record, by=treating, service_at=timezone.now(), copy_forward=False
    )
    html = as_treating.get(f"/notes/{note.pk}/").content.decode()
    assert 'id="adherence-prefilled"' in html
    assert "ticked on 3 of the last 7 days, worst pain 4/10 (amber)" in html
    assert re.search(rf'name="days_{first.pk}"[^>]*value="3"', html)
    assert re.search(rf'name="days_{second.pk}"[^>]*value="0"', html)
    assert re.search(rf'name="pain_{first.pk}" value="amber"[^>]*checked', html)
    # Nothing is recorded until the therapist saves it.
    assert Adherence.objects.count() == 0
