"""The benchmark's cold pages: each is requested right after a real write, made through
the product's services, that moves the version the page is kept by; the data set is
left as it was found. Run on a tiny synthetic clinic; no timing is asserted."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient

from clinic.models import CareTeamVersion, Client


class _Null:
    def write(self, *args, **kwargs):
        pass


@pytest.fixture
def clinic(db):
    call_command(
        "seed_scale", "--clients=20", "--notes=80", "--assessments=30", "--programs=10", stdout=_Null()
    )
    from bench import inprocess

    user = inprocess.bench_user()
    return inprocess, user, inprocess.long_history_client(user)


def test_a_record_write_moves_the_client_version_and_is_put_back(clinic):
    inprocess, user, client = clinic
    original = Client.objects.get(pk=client.pk)
    writer = inprocess.RecordWriter(client, user)
    versions = [original.record_version]
    for _ in range(3):
        writer.write()
        versions.append(Client.objects.get(pk=client.pk).record_version)
    assert versions == sorted(set(versions))  # every write moved it on
    writer.restore()
    after = Client.objects.get(pk=client.pk)
    assert after.occupation == original.occupation
    assert after.record_version > versions[-1]


def test_a_list_write_moves_the_care_team_version_and_is_put_back(clinic):
    inprocess, user, client = clinic
    writer = inprocess.ListWriter(client, user)
    toggled = Client.objects.get(pk=writer.pk)
    assert toggled.pk != client.pk and toggled.status == Client.Status.ACTIVE
    before = CareTeamVersion.objects.get(pk=1).version
    writer.write()
    assert Client.objects.get(pk=writer.pk).status == Client.Status.ARCHIVED
    assert CareTeamVersion.objects.get(pk=1).version > before
    writer.restore()
    assert Client.objects.get(pk=writer.pk).status == Client.Status.ACTIVE


def test_each_cold_request_follows_a_write(clinic):
    inprocess, user, client = clinic
    http = HttpClient()
    http.force_login(user)
    writes = []
    chart = f"/clients/{client.pk}/"
    figures = inprocess.cold_figures(http, chart, lambda: writes.append(1), 3)
    assert len(writes) == 3
    assert figures["path"] == chart and figures["runs"] == 3 and figures["status"] == [200]
    assert {"warm_ms", "cold_ms"} <= set(figures)


def test_the_assessment_and_program_pages_are_driven(clinic):
    inprocess, user, _client = clinic
    found = {page["name"]: page for page in inprocess.pages(user)}
    assert found["assessment_detail"]["path"].startswith("/assessments/")
    assert found["program"]["path"].endswith("/program/")
