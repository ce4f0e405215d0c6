"""Every refused record is a security event: a therapist probing another care
team's records, or an admin opening clinical pages, leaves one audit row per
refusal (who, which route, the kind of record and the id; nothing of the
client), and a burst of them is shown on the admins' home page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from tests.clinic.helpers import BACKGROUND, SIGNED_IN_FLOOR, audit_queries
from trust.denials import BURST_DENIALS, denial_bursts

pytestmark = pytest.mark.django_db


def _denials(user=None):
    qs = AuditEvent.objects.filter(action="access_denied").order_by("id")
    return list(qs.filter(actor=user) if user is not None else qs)


def test_a_therapist_probing_42_records_of_another_care_team_leaves_42_rows_and_a_burst(
    make_client, treating, colleague, as_colleague, as_desk
):
    colleague.first_name, colleague.last_name = "Sam", "Okafor"
    colleague.save(update_fields=["first_name", "last_name"])
    clients = [make_client(treating, first_name=f"Probe{n}", last_name="Hidden") for n in range(42)]
    for client in clients:
        response = as_colleague.get(reverse("client_detail", args=[client.pk]))
        assert response.status_code == 404
        assert b"Hidden" not in response.content
    rows = _denials(colleague)
    assert len(rows) == 42
    assert [r.object_id for r in rows] == [str(c.pk) for c in clients]
    assert {r.object_type for r in rows} == {"clinic.client"}
    assert {r.outcome for r in rows} == {"denied"}
    assert {r.detail["path"] for r in rows} == {reverse("client_detail", args=[c.pk]) for c in clients}
    assert all(r.detail["security"] and r.client_id is None for r in rows)
    assert not any("Hidden" in str(r.detail) or "Probe" in str(r.detail) for r in rows)

    home = as_desk.get("/")
    assert b"Sam Okafor was refused 42 records in the last 5 minutes" in home.content
    [notice] = home.context["notices"]
    assert [(b.name, b.count) for b in notice.context["denial_bursts"]] == [("Sam Okafor", 42)]


def test_fewer_than_a_burst_or_older_refusals_are_not_shown(make_client, treating, as_colleague, as_desk):
    client = make_client(treating)
    for _ in range(BURST_DENIALS - 1):
        as_colleague.get(reverse("client_detail", args=[client.pk]))
    assert len(_denials()) == BURST_DENIALS - 1
    assert denial_bursts() == []
    assert b"was refused" not in as_desk.get("/").content
    as_colleague.get(reverse("client_detail", args=[client.pk]))
    assert len(denial_bursts()) == 1
    assert denial_bursts(now=timezone.now() + timedelta(minutes=6)) == []


def test_therapists_do_not_see_the_burst(make_client, treating, as_colleague, as_treating):
    client = make_client(treating)
    for _ in range(BURST_DENIALS):
        as_colleague.get(reverse("client_detail", args=[client.pk]))
    assert b"was refused" not in as_treating.get("/").content


def test_an_admin_opening_clinical_pages_leaves_a_row_for_each(world, desk, as_desk, client_record):
    urls = {
        reverse("intake_edit", args=[client_record.pk]): ("clinic.client", client_record.pk),
        reverse("client_notes", args=[client_record.pk]): ("clinic.client", client_record.pk),
        reverse("note_detail", args=[world["note"]]): ("notes.visitnote", world["note"]),
        reverse("note_pdf", args=[world["note"]]): ("notes.visitnote", world["note"]),
        reverse("assessment_detail", args=[world["assessment"]]): (
            "assessments.assessment",
            world["assessment"],
        ),
        reverse("programs:version_detail", args=[world["program_version"]]): (
            "programs.programversion",
            world["program_version"],
        ),
    }
    for url in urls:
        assert as_desk.get(url).status_code == 404
    rows = _denials(desk)
    assert [(r.object_type, r.object_id) for r in rows] == [(t, str(pk)) for t, pk in urls.values()]
    assert [r.detail["path"] for r in rows] == list(urls)


def test_an_admin_asking_the_django_admin_for_clinical_models_leaves_rows(db):
    from django.test import Client as HttpClient

    from clinic.models import User

    root = User.objects.create_user(
        username="root", password="root-pass-1234!", is_staff=True, is_superuser=True, is_clinic_admin=True
    )
    http = HttpClient()
    http.force_login(root)
    for url in ("/admin/notes/visitnote/", "/admin/clinic/healthscreen/1/change/", "/admin/clinic/consent/"):
        assert http.get(url).status_code == 404
    rows = _denials(root)
    assert [r.detail["path"] for r in rows] == [
        "/admin/notes/visitnote/",
        "/admin/clinic/healthscreen/1/change/",
        "/admin/clinic/consent/",
    ]


def test_a_search_is_never_written_into_a_denial(make_client, treating, as_colleague):
    client = make_client(treating, last_name="Secretname")
    as_colleague.get(reverse("client_detail", args=[client.pk]), {"q": "Secretname"})
    (row,) = _denials()
    assert "Secretname" not in str(row.detail)


def test_anonymous_requests_and_ordinary_pages_write_no_denial(anon, as_treating, client_record):
    anon.get(reverse("client_detail", args=[client_record.pk]))
    as_treating.get(reverse("client_detail", args=[client_record.pk]))
    as_treating.get("/no-such-page/")
    assert _denials() == []


def test_a_refusal_costs_the_audit_row_only(
    make_client, treating, colleague, as_colleague, django_assert_num_queries
):
    client = make_client(treating)
    url = reverse("client_detail", args=[client.pk])
    as_colleague.get("/ping")
    # The signed-in floor, the scoped lookup that finds nothing, and the audit row.
    with django_assert_num_queries(SIGNED_IN_FLOOR + 1 + audit_queries()):
        response = as_colleague.get(url, **BACKGROUND)
    assert response.status_code == 404


def test_the_admin_home_page_runs_a_fixed_number_of_queries(
    make_client, treating, as_colleague, as_desk, django_assert_num_queries
):
    """One query more than before for an admin: the refusal bursts."""
    client = make_client(treating)
    for _ in range(BURST_DENIALS):
        as_colleague.get(reverse("client_detail", args=[client.pk]))
    as_desk.get("/ping")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from trust.notices import admin_security_notices

    with CaptureQueriesContext(connection) as notices:
        admin_security_notices()  # pinned by its own tests
    # The floor, then: client count, one page, emergency reviews, the sign-in
    # and export notices, the refusal bursts (one query), the audit row.
    with django_assert_num_queries(SIGNED_IN_FLOOR + 3 + len(notices) + 1 + audit_queries()):
        response = as_desk.get("/", **BACKGROUND)
    [notice] = response.context["notices"]
    assert len(notice.context["denial_bursts"]) == 1
