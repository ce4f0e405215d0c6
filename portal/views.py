"""The client's own view, opened by a link (no staff login)."""

from __future__ import annotations

import json
import mimetypes

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core import composition
from portal import pages, services
from portal.forms import BirthDateForm, LogEntryForm
from portal.session import (
    client_link_required,
    confirm_birth_date,
    is_device_confirmed,
    private,
    remember_device,
    resolve,
)

QUEUE_HEADER = "X-KC-Queue"


@login_not_required
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """The date-of-birth step, once per device and link."""
    link, refusal = resolve(request, token)
    if link is None:  # refused: resolve gave the answer instead
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


def _context(request, link, **extra) -> dict:
    client = link.client
    return {"token": request.client_link_token, "name": client.preferred_name or client.first_name, **extra}


@client_link_required
@require_http_methods(["GET"])
def home(request, *, link):
    sections = composition.portal_home_sections(link=link)
    return render(request, "portal/home.html", _context(request, link, sections=sections))


@client_link_required
@require_http_methods(["GET"])
def program(request, *, link):
    return render(request, "portal/program.html", _context(request, link, **pages.program_page(link)))


@client_link_required
@require_http_methods(["GET"])
def week(request, *, link):
    return render(request, "portal/week.html", _context(request, link, **pages.week_page(link)))


@client_link_required
@require_http_methods(["POST"])
def log(request, *, link):
    """One entry from the program page: from its offline queue (answered in JSON) or
    from a plain form post (answered with the page)."""
    queued = request.headers.get(QUEUE_HEADER) == "1"
    form = LogEntryForm(request.POST)
    message, entry, created = "", None, False
    if not form.is_valid():
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        message = errors[0] if errors else "This entry could not be read. Please try again."
    else:
        try:
            entry, created = services.log_entry_record(link=link, data=form.cleaned_data)
        except services.LinkError as exc:
            message = str(exc)
    if queued:
        if message:
            return JsonResponse({"ok": False, "message": message}, status=400)
        return JsonResponse({"ok": True, "created": created, "pain_response": entry.pain_response})
    if message:
        context = _context(request, link, **pages.program_page(link), message=message)
        return render(request, "portal/program.html", context, status=400)
    return redirect(reverse("portal:program", kwargs={"token": request.client_link_token}) + "#saved")


@client_link_required
@require_http_methods(["GET"])
def picture(request, *, link, item: int):
    """An exercise's uploaded picture, for an exercise of this client's program only."""
    _version, items = pages.current_program(link)
    exercise = next((i.exercise for i in items if i.pk == item), None)
    if exercise is None or not exercise.illustration:
        raise Http404("No picture")
    try:
        handle = exercise.illustration.open("rb")
    except OSError:
        raise Http404("No picture") from None
    content_type = mimetypes.guess_type(exercise.illustration.name or "")[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@client_link_required
@require_http_methods(["GET"])
def manifest(request, *, link):
    """The small installable web app: it opens this link's program."""
    base = reverse("portal:home", kwargs={"token": request.client_link_token})
    return JsonResponse(
        {
            "name": "My program",
            "short_name": "My program",
            "start_url": base + "program/",
            "scope": base,
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#212529",
            # Without icons a phone does not offer to install the program as an app.
            "icons": [
                {
                    "src": static(f"img/portal-icon-{size}.png"),
                    "sizes": f"{size}x{size}",
                    "type": "image/png",
                    "purpose": "any maskable",
                }
                for size in ICON_SIZES
            ],
        },
        content_type="application/manifest+json",
    )


ICON_SIZES = (192, 512)
PRECACHE = (
    "bootstrap/css/bootstrap.min.css",
    "css/kinetic.css",
    "css/portal.css",
    "js/portal.js",
    *(f"img/portal-icon-{size}.png" for size in ICON_SIZES),
)
SERVICE_WORKER = settings.BASE_DIR / "static" / "js" / "portal_sw.js"


@client_link_required
@require_http_methods(["GET"])
def service_worker(request, *, link):
    """The service worker, served under the link so its scope is this link's pages only."""
    # The page's own static files are kept from the start too (their served names).
    files = [static(name) for name in PRECACHE]
    script = f"const PRECACHE = {json.dumps(files)};\n" + SERVICE_WORKER.read_text()
    response = HttpResponse(script, content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response
