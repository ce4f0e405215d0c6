"""The client's own pages on their link (``c/<token>/...``): a questionnaire the therapist asked
for and the intake form before the first visit. No staff login: ``client_link_required`` resolves
the token to the link (404 for a guessed, expired or revoked one) and every record is reached
through ``link.client``, so nothing of another client is ever found."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from clinic.screening import CONSENT_TEXT
from portal import throttle
from portal.session import client_link_required
from previsit import pages, questions, services
from previsit.forms import IntakeForm
from previsit.models import IntakeDraft, QuestionnaireRequest, intake_state

FLOOD = (
    "Too many answers were sent from this link in a short time, so these were not saved. "
    "Please wait a while and try again, or call the clinic."
)


def _flooded(link) -> bool:
    """A flood of submissions through one link is refused (``KC_PORTAL_ENTRIES_PER_WINDOW``);
    otherwise this one is counted. Counted before the write, in its own transaction."""
    if throttle.entries_refused(link.pk):
        return True
    throttle.hit(throttle.entries_key(link.pk))
    return False


def _questionnaire_of(link, pk) -> QuestionnaireRequest:
    try:
        return QuestionnaireRequest.objects.filter(client=link.client).get(pk=int(pk))
    except (QuestionnaireRequest.DoesNotExist, ValueError, OverflowError):
        raise Http404("No such questionnaire") from None


def _form_rows(qrequest, values, errors):
    """Each part with its questions, the answer chosen so far and any message beside it."""
    shown = []
    for part in questions.parts(qrequest.measure):
        items = []
        for item in part.items:
            items.append(
                {
                    "item": item,
                    "value": values.get(item.key, ""),
                    "error": errors.get(item.key, ""),
                    "choices": [
                        {"value": v, "label": label, "id": f"{item.key}_{v}"} for v, label in item.answers
                    ],
                }
            )
        shown.append({"part": part, "items": items})
    return shown


def _questionnaire_page(request, link, qrequest, *, values=None, errors=None, status=200):
    values = qrequest.partial if values is None else values
    errors = errors or {}
    return render(
        request,
        "previsit/client_questionnaire.html",
        {
            "link": link,
            "q": qrequest,
            "token": link_token(request),
            "parts": _form_rows(qrequest, values, errors),
            "errors": errors,
            "refused": errors.get("__all__", ""),
            "home_url": reverse("portal:home", kwargs={"token": link_token(request)}),
            "is_open": qrequest.is_open_for_client,
        },
        status=status,
    )


def link_token(request) -> str:
    return request.client_link_token


@client_link_required
@require_http_methods(["GET", "POST"])
def questionnaire(request, pk, *, link):
    """The questionnaire, one question per row; POST sends it once. (A GET is audited as a use of
    the link by ``client_link_required``; the send is audited by the service.)"""
    qrequest = _questionnaire_of(link, pk)
    if request.method == "GET":
        return _questionnaire_page(request, link, qrequest)
    if _flooded(link):
        return _questionnaire_page(request, link, qrequest, errors={"__all__": FLOOD}, status=429)
    try:
        services.questionnaire_submit(qrequest=qrequest, data=request.POST, link=link)
    except services.NoLongerOpen as exc:
        qrequest.refresh_from_db()
        return _questionnaire_page(request, link, qrequest, errors={"__all__": exc.message}, status=409)
    except ValidationError as exc:
        errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
        values = questions.parse(qrequest.measure, request.POST, complete=False).values
        return _questionnaire_page(request, link, qrequest, values=values, errors=errors, status=400)
    home_url = reverse("portal:home", kwargs={"token": link_token(request)})
    return render(request, "previsit/client_thanks.html", {"home_url": home_url, "q": qrequest})


@client_link_required
@require_POST
def questionnaire_save(request, pk, *, link):
    """Autosave while the client types: what was kept, and a message for any refused answer."""
    qrequest = _questionnaire_of(link, pk)
    if _flooded(link):
        return JsonResponse({"saved": False, "message": FLOOD}, status=429)
    try:
        parsed = services.questionnaire_autosave(qrequest=qrequest, data=request.POST, link=link)
    except services.NoLongerOpen as exc:
        return JsonResponse({"saved": False, "message": exc.message}, status=409)
    return JsonResponse(
        {"saved": True, "kept": len(parsed.values), "errors": parsed.errors},
        status=400 if parsed.errors else 200,
    )


@client_link_required
@require_http_methods(["GET", "POST"])
def intake(request, *, link):
    """The health form before the first visit. What the client typed so far (kept as they go
    by ``intake_save``) fills it in again; POST sends it once."""
    state = intake_state(link.client)
    form = None
    if state == "open":
        form = (
            IntakeForm(request.POST)
            if request.method == "POST"
            else IntakeForm(initial=IntakeDraft.objects.partial_for(link.client))
        )
    home_url = reverse("portal:home", kwargs={"token": link_token(request)})
    context = {
        "link": link,
        "token": link_token(request),
        "home_url": home_url,
        "save_url": reverse("previsit_client:intake_save", kwargs={"token": link_token(request)}),
        "state": state,
        "form": form,
        "consent_text": CONSENT_TEXT,
    }
    if request.method == "POST":
        if form is None:
            return render(request, "previsit/client_intake.html", context, status=409)
        if _flooded(link):
            return render(request, "previsit/client_intake.html", {**context, "refused": FLOOD}, status=429)
        if form.is_valid():
            try:
                submitted = services.intake_submit(
                    client=link.client,
                    answers=form.answers(),
                    fields=form.screen_fields(),
                    link=link,
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                return render(
                    request,
                    "previsit/client_intake_sent.html",
                    {"home_url": home_url, "needs_call": pages.needs_a_call(submitted)},
                )
        return render(request, "previsit/client_intake.html", context, status=400)
    return render(request, "previsit/client_intake.html", context)


@client_link_required
@require_POST
def intake_save(request, *, link):
    """Autosave of the intake form while the client types, as ``questionnaire_save`` keeps a
    questionnaire: what was kept, and a message for any refused answer."""
    if _flooded(link):
        return JsonResponse({"saved": False, "message": FLOOD}, status=429)
    parsed = IntakeForm.parse_partial(request.POST)
    try:
        services.intake_autosave(client=link.client, values=parsed.values, link=link)
    except services.NoLongerOpen as exc:
        return JsonResponse({"saved": False, "message": exc.message}, status=409)
    return JsonResponse(
        {"saved": True, "kept": len(parsed.values), "errors": parsed.errors},
        status=400 if parsed.errors else 200,
    )
