"""/clients/<id>/: header, flags banner, intake summary, scope, audit, query count."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from clinic import services
from clinic.models import Client
from core import composition

from .helpers import BACKGROUND, SIGNED_IN_FLOOR, audit_queries


def test_treating_therapist_sees_the_chart_with_intake(as_treating, client_record, screened):
    screened()
    response = as_treating.get(f"/clients/{client_record.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="client-header"' in html
    assert "Priya Raman" in html
    assert 'id="intake"' in html
    assert "No contraindications reported." in html
    assert "Consent (2026-1) recorded" in html


def test_red_and_amber_flags_show_as_a_banner_above_the_chart(as_treating, client_record, screened):
    screened(yes={"dvt": "Swollen left calf after a flight", "varicose": "", "skin_other": "Graze on heel"})
    html = as_treating.get(f"/clients/{client_record.pk}/").content.decode()
    banner = html[html.index('id="flags-banner"') : html.index('id="client-header"')]
    assert "RED" in banner.upper() and "DVT" in banner
    assert "Swollen left calf after a flight" in banner
    assert "Varicose veins?" in banner
    assert banner.index("DVT") < banner.index("Varicose")  # most severe first
    # a local flag is listed in the intake section, not in the banner
    assert "Other skin problems" not in banner
    assert "Graze on heel" in html[html.index('id="intake"') :]


def test_chart_without_a_health_screen_says_so(as_treating, client_record):
    html = as_treating.get(f"/clients/{client_record.pk}/").content.decode()
    assert "No health screen on file" in html
    assert 'id="flags-banner"' not in html


def test_desk_admin_sees_demographics_and_the_care_team_notice_but_nothing_clinical(
    as_desk, client_record, screened
):
    screened(yes={"dvt": "Swollen calf"})
    response = as_desk.get(f"/clients/{client_record.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Priya Raman" in html
    assert "visible to the care team only" in html
    # Phrases with spaces or slashes, which a random CSRF token can never contain.
    for clinical in ('id="intake"', 'id="flags-banner"', "Swollen calf", "blood clot / DVT", "Health screen"):
        assert clinical not in html


def test_colleague_gets_404_on_another_therapists_client(as_colleague, client_record):
    assert as_colleague.get(f"/clients/{client_record.pk}/").status_code == 404


def test_unknown_client_gets_404(as_treating, client_record):
    assert as_treating.get(f"/clients/{client_record.pk + 999}/").status_code == 404


def test_non_numeric_client_id_gets_404(as_treating, db):
    assert as_treating.get("/clients/abc/").status_code == 404


@pytest.mark.parametrize(
    "url", ["/clients/{id}/", "/clients/{id}/edit/", "/clients/{id}/intake/", "/users/{id}/"]
)
def test_an_id_too_large_for_the_database_gets_404_not_500(as_owner, url):
    assert as_owner.get(url.format(id="9" * 30)).status_code == 404


def test_anonymous_visitor_is_sent_to_login(anon, client_record):
    response = anon.get(f"/clients/{client_record.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_chart_refuses_other_methods(as_treating, client_record, method):
    assert getattr(as_treating, method)(f"/clients/{client_record.pk}/").status_code == 405
    assert Client.objects.filter(pk=client_record.pk).exists()


def test_viewing_the_chart_writes_one_view_audit_row(as_treating, treating, client_record):
    before = AuditEvent.objects.count()
    as_treating.get(f"/clients/{client_record.pk}/")
    rows = list(AuditEvent.objects.order_by("id")[before:])
    assert [(r.action, r.client_id, r.actor_id, r.outcome) for r in rows] == [
        ("view", client_record.pk, treating.pk, "allowed")
    ]
    assert rows[0].detail == {"clinical": True}


def test_desk_view_is_audited_as_non_clinical(as_desk, desk, client_record):
    as_desk.get(f"/clients/{client_record.pk}/")
    row = AuditEvent.objects.filter(action="view").latest("id")
    assert (row.actor_id, row.client_id, row.detail) == (desk.pk, client_record.pk, {"clinical": False})


def test_archived_client_chart_shows_the_archived_badge_and_restore(as_desk, desk, client_record):
    services.client_set_status(client=client_record, by=desk, status="archived")
    html = as_desk.get(f"/clients/{client_record.pk}/").content.decode()
    assert "Archived" in html
    assert "Restore" in html


def test_chart_of_a_client_with_no_clinical_records_runs_a_fixed_number_of_queries(
    as_treating, client_record, screened, django_assert_num_queries, monkeypatch
):
    # The foundation's part of the chart only: the other apps' sections are switched
    # off here, because each app (assessments, notes, programs) pins the queries its
    # own chart section adds in its own tests.
    monkeypatch.setattr("core.composition.REGISTRY", composition.registry_only())
    screened(yes={"dvt": "Swollen calf"})
    as_treating.get("/ping")  # warm the session up (see helpers.BACKGROUND)
    # The floor, then: the access check (the client's id and record version: the page's
    # cache key), then on a miss the client with primary therapist, care team, latest
    # screen, its answers, latest consent with its recorder, and the audit row.
    with django_assert_num_queries(SIGNED_IN_FLOOR + 6 + audit_queries()):
        response = as_treating.get(f"/clients/{client_record.pk}/", **BACKGROUND)
    assert response.status_code == 200
    assert b"flags-banner" in response.content


def test_the_care_team_and_a_records_officer_see_the_export_links_a_front_desk_admin_does_not(
    as_desk, as_treating, as_records_officer, client_record
):
    url = reverse("client_detail", args=[client_record.pk])
    export = reverse("client_export_pdf", args=[client_record.pk])
    assert export not in as_desk.get(url).content.decode()
    assert export in as_treating.get(url).content.decode()
    assert export in as_records_officer.get(url).content.decode()
