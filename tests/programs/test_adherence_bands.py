"""Adherence keeps the pain bands it was recorded in.

A client's "amber" means the amber band of the handout they had then. The bands
are the clinic's to change; a row recorded before a change keeps its meaning,
and rows recorded before this was stored get the bands in force at the time
(from the audit log of band changes) or, before any change, the defaults."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from programs import services
from programs.models import Adherence, PainMonitoringRule


@pytest.fixture
def program(issue, client_record):
    return issue(client_record, ["Plantar-fascia stretch"])


def _record(client, by, item, pain="amber"):
    return services.adherence_record(
        client=client, by=by, rows=[{"item": item, "days_per_week": 4, "pain_response": pain}]
    )[0]


def test_a_row_stores_the_bands_in_force_when_recorded(program, client_record, treating, desk):
    item = program.items.get()
    before = _record(client_record, treating, item)
    assert (before.green_max, before.amber_max) == (2, 5)
    services.pain_rule_update(by=desk, green_max=3, amber_max=6)
    services.adherence_record(
        client=client_record,
        by=treating,
        rows=[{"item": item, "days_per_week": 5, "pain_response": "amber"}],
        recorded_on=before.recorded_on.replace(day=1) if before.recorded_on.day != 1 else None,
    )
    after = Adherence.objects.exclude(pk=before.pk).get()
    before.refresh_from_db()
    assert (before.green_max, before.amber_max) == (2, 5)
    assert before.pain_label == "Amber: 3–5, settled by next morning"
    assert (after.green_max, after.amber_max) == (3, 6)
    assert after.pain_label == "Amber: 4–6, settled by next morning"


def test_the_version_page_shows_each_row_in_its_own_bands(
    as_treating, program, client_record, treating, desk
):
    item = program.items.get()
    _record(client_record, treating, item)
    services.pain_rule_update(by=desk, green_max=3, amber_max=6)
    assert PainMonitoringRule.load().green_max == 3
    page = as_treating.get(reverse("programs:version_detail", args=[program.pk])).content.decode()
    # The recorded row keeps its own bands; the entry form for new rows offers today's.
    assert "Amber: 3–5, settled by next morning</span>" in page
    assert "Amber: 4–6, settled by next morning</span>" not in page
    assert "Amber: 4–6, settled by next morning</label>" in page  # the entry form's pain buttons


def test_older_rows_get_the_bands_in_force_when_they_were_recorded(program, client_record, treating, desk):
    migration = importlib.import_module("programs.migrations.0008_adherence_pain_bands")
    item = program.items.get()
    early = _record(client_record, treating, item)
    services.pain_rule_update(by=desk, green_max=3, amber_max=6)
    late = services.adherence_record(
        client=client_record,
        by=treating,
        rows=[{"item": item, "days_per_week": 5, "pain_response": "green"}],
        recorded_on=early.recorded_on.replace(day=1) if early.recorded_on.day != 1 else None,
    )[0]
    # As the rows stood before the bands were stored with them: the column defaults.
    Adherence.objects.filter(pk__in=[early.pk, late.pk]).update(green_max=2, amber_max=5)
    migration.bands_in_force(django_apps, None)
    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.green_max, early.amber_max) == (2, 5)
    assert (late.green_max, late.amber_max) == (3, 6)
