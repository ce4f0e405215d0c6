"""The client's own view, opened by a link (no staff login)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core import composition
from portal.forms import BirthDateForm
from portal.session import (
    client_link_required,
    confirm_birth_date,
    is_device_confirmed,
    private,
    remember_device,
    resolve,
)


@login_not_required
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """The date-of-birth step, once per device and link."""
    link, refusal = resolve(request, token)
    if refusal is not None:
        return refusal
    if is_device_confirmed(request, link):
        return private(redirect("portal:home", token=token))
    form = BirthDateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        message = confirm_birth_date(request, link, form.cleaned_data["date_of_birth"])
        if not message:
            response = redirect("portal:home", token=token)
            remember_device(request, response, link)
            return private(response)
        form.add_error("date_of_birth", message)
    return private(render(request, "portal/confirm.html", {"form": form, "token": token}))


@client_link_required
@require_http_methods(["GET"])
def home(request, *, link):
    client = link.client
    return render(
        request,
        "portal/home.html",
        {
            "token": request.client_link_token,
            "name": client.preferred_name or client.first_name,
            "sections": composition.portal_home_sections(link=link),
        },
    )
