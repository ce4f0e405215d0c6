"""The staff side of client links: issue, show once, print with a QR code, revoke."""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinic.access import get_clinical_client_for_user, read_recorded
from core.http import file_response
from portal import services
from portal.access import get_link_for_user
from portal.session import find_link
from programs.access import current_version_for_handout
from programs.handout import render_handout
from programs.models import ProgramVersion
from programs.pages import handout_data


def _link_url(request, token: str) -> str:
    return request.build_absolute_uri(reverse("portal:home", kwargs={"token": token}))


@require_POST
def link_issue(request, pk):
    """Issue a link and show it this once: the page is never cached and the token is
    not kept anywhere but in the client's hands."""
    client = get_clinical_client_for_user(request.user, pk)
    if not request.user.is_therapist:
        raise PermissionDenied("Only a therapist issues a client link.")
    link, token = services.link_issue(client=client, by=request.user)
    has_program = ProgramVersion.objects.for_client(client).issued().exists()
    response = render(
        request,
        "portal/link_issued.html",
        {
            "client": client,
            "link": link,
            "url": _link_url(request, token),
            "token": token,
            "has_program": has_program,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def link_revoke(request, pk):
    link = get_link_for_user(request.user, pk)
    services.link_revoke(link=link, by=request.user)
    messages.success(request, "The link is stopped: it opens nothing from now on.")
    return redirect(reverse("client_detail", args=[link.client_id]) + "#client-link-section")


@require_POST
def link_handout(request, pk):
    """The current program's handout with the just-issued link as a QR code. The token
    comes in the form (from the page that showed it once) and must be a working link
    of this client; it is drawn into the PDF and kept nowhere."""
    client = get_clinical_client_for_user(request.user, pk)
    token = request.POST.get("token", "")
    link = find_link(token)
    if link is None or link.client_id != client.pk or not link.is_usable:
        raise Http404("No such link")
    version = current_version_for_handout(client)
    data = dataclasses.replace(handout_data([version]), phone_link=_link_url(request, token))
    pdf = render_handout(data)
    read_recorded(
        request,
        version,
        client=client,
        action="print",
        detail={"document": "handout with the client link", "number": version.number},
    )
    return file_response(
        pdf, content_type="application/pdf", filename=f"home-program-v{version.number}.pdf", inline=True
    )
