"""Demo data for the client's own view, called by seed_demo after the programs.

The first demo client with an issued program gets a client link and a few days of
their own log (ticks and pain), so the chart and the next note's prefilled adherence
show it. The link's token is thrown away, never printed: to open the client's view,
issue a new link from the chart. Idempotent: nothing is added once a link exists.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from clinic.audit import run_alone
from portal import services
from portal.models import ClientLink
from programs.models import ProgramVersion
from programs.selectors import items_of


def seed(*, clients, therapists) -> None:
    if ClientLink.objects.exists():
        return
    for client in clients:
        version = ProgramVersion.objects.for_client(client).latest_issued()
        if version is None:
            continue
        items = [i for i in items_of(version) if not i.exercise.is_advice][:3]
        today = timezone.localdate()
        with transaction.atomic(), run_alone():
            link, _token = services.link_issue(client=client, by=client.primary_therapist)
            for days_ago, pain in ((3, 4), (2, 3), (1, 2)):
                day = today - timedelta(days=days_ago)
                for item in items:
                    for number in range(1, item.sets + 1):
                        _log(link, kind="set", item=item.pk, set_number=number, done_on=day)
                _log(link, kind="pain", pain=pain, done_on=day)
            _log(link, kind="morning", pain=1, settled=True, done_on=today)
        return


def _log(link, **data) -> None:
    services.log_entry_record(link=link, data={"entry_id": uuid.uuid4(), **data})
