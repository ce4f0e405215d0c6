"""The staff side of client links: the chart's status, issue (shown once), print with a
QR code, revoke; the front desk sees the status only."""

from __future__ import annotations

import re

from django.utils import timezone

from clinic.models import AuditEvent
from portal.models import ClientLink, token_hash


def _issue(as_treating, client_record) -> str:
    response = as_treating.post(f"/clients/{client_record.pk}/client-link/issue/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    match = re.search(rb'value="http://testserver/c/([A-Za-z0-9_-]{43})/"', response.content)
    assert match, response.content.decode()[:2000]
    return match.group(1).decode()


def test_issue_shows_the_link_once_and_stores_only_its_hash(as_treating, client_record):
    token = _issue(as_treating, client_record)
    link = ClientLink.objects.get()
    assert link.token_hash == token_hash(token)
    chart = as_treating.get(f"/clients/{client_record.pk}/")
    html = chart.content.decode()
    assert 'id="client-link-section"' in html and "Active" in html and "never" in html
    assert token not in html
    assert token not in repr(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_the_chart_shows_last_use_expiry_and_revocation(as_treating, client_record, treating):
    token = _issue(as_treating, client_record)
    link = ClientLink.objects.get()
    ClientLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    html = as_treating.get(f"/clients/{client_record.pk}/").content.decode()
    assert "never" not in html and "Stop this link" in html
    response = as_treating.post(f"/client-links/{link.pk}/revoke/")
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_by == treating
    html = as_treating.get(f"/clients/{client_record.pk}/").content.decode()
    assert "Revoked" in html and "Stop this link" not in html
    assert token not in html


def test_the_desk_sees_the_status_but_no_buttons_and_no_clinical_content(as_treating, as_desk, client_record):
    _issue(as_treating, client_record)
    html = as_desk.get(f"/clients/{client_record.pk}/").content.decode()
    assert 'id="client-link-section"' in html and "Active" in html
    assert "Issue a link" not in html and "Stop this link" not in html
    assert as_desk.post(f"/clients/{client_record.pk}/client-link/issue/").status_code == 404


def test_an_outsider_cannot_issue_or_revoke(as_treating, as_colleague, client_record):
    _issue(as_treating, client_record)
    link = ClientLink.objects.get()
    assert as_colleague.post(f"/clients/{client_record.pk}/client-link/issue/").status_code == 404
    assert as_colleague.post(f"/client-links/{link.pk}/revoke/").status_code == 404
    assert ClientLink.objects.count() == 1 and ClientLink.objects.get().revoked_at is None


def test_the_handout_prints_the_link_as_a_qr_code(as_treating, client_record, issued_program):
    page = as_treating.post(f"/clients/{client_record.pk}/client-link/issue/")
    assert b"Print the handout with this link as a QR code" in page.content
    token = re.search(rb'name="token" value="([A-Za-z0-9_-]{43})"', page.content).group(1).decode()
    pdf = as_treating.post(f"/clients/{client_record.pk}/client-link/handout.pdf", {"token": token})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    plain = as_treating.get(f"/clients/{client_record.pk}/program/handout.pdf")
    # The QR code is an extra image in the printout with the link.
    assert pdf.content.count(b"/Subtype /Image") == plain.content.count(b"/Subtype /Image") + 1
    assert token.encode() not in pdf.content
    printed = AuditEvent.objects.filter(action="print").order_by("id").first()
    assert printed.detail["document"] == "handout with the client link"


def test_the_handout_refuses_a_token_of_another_client_or_a_revoked_one(
    as_treating, client_record, issued_program, make_client, treating
):
    other = make_client(treating, last_name="Other")
    from portal import services

    _, other_token = services.link_issue(client=other, by=treating)
    url = f"/clients/{client_record.pk}/client-link/handout.pdf"
    assert as_treating.post(url, {"token": other_token}).status_code == 404
    link, token = services.link_issue(client=client_record, by=treating)
    services.link_revoke(link=link, by=treating)
    assert as_treating.post(url, {"token": token}).status_code == 404
    assert as_treating.post(url, {"token": "<script>"}).status_code == 404
