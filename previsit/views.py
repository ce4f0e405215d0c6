"""Staff pages for questionnaires and intake forms before a visit. Each view reaches the client or
the record through an access function, calls one service, then redirects or renders."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.access import get_client_for_user, get_clinical_client_for_user, read_recorded
from clinic.decorators import admin_required, therapist_required
from clinic.reauth import recently_reauthenticated, sign_refusal
from clinic.screening import CONSENT_TEXT
from core.records import NotTheAuthor
from previsit import pages, services
from previsit.access import (
    get_intake_for_user,
    get_questionnaire_for_user,
    intake_for_reading,
    questionnaire_for_reading,
)
from previsit.forms import IntakeForm, ReasonForm, RequestForm, ScheduleForm


def _errors(exc: ValidationError) -> list[str]:
    return (
        [m for msgs in exc.message_dict.values() for m in msgs]
        if hasattr(exc, "error_dict")
        else exc.messages
    )


def _chart(client):
    return redirect(f"{client.get_absolute_url()}#previsit-section")


@require_POST
@therapist_required
def request_new(request, pk):
    client = get_clinical_client_for_user(request.user, pk)
    form = RequestForm(request.POST)
    if form.is_valid():
        try:
            services.questionnaire_request_create(
                client=client,
                measure=form.cleaned_data["measure"],
                due=form.cleaned_data["due"],
                by=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(_errors(exc)))
        else:
            messages.success(request, "Questionnaire requested. The client answers it on their link.")
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return _chart(client)


@require_POST
@therapist_required
def schedule_set(request, pk):
    client = get_clinical_client_for_user(request.user, pk)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        services.questionnaire_schedule_set(
            client=client,
            measure=data["measure"],
            every_weeks=data["every_weeks"],
            active=data["active"],
            by=request.user,
        )
        messages.success(request, "Schedule saved.")
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return _chart(client)


def _questionnaire_page(request, qrequest, *, status=200, **extra):
    return render(
        request,
        "previsit/questionnaire_detail.html",
        {
            "q": qrequest,
            "client": qrequest.client,
            "rows": pages.questionnaire_rows(qrequest),
            "progress": pages.questionnaire_progress(qrequest),
            "can_decide": qrequest.status in ("requested", "in_progress", "submitted"),
            "can_accept": qrequest.status == "submitted",
            "needs_password": not recently_reauthenticated(request),
            "discard_form": extra.pop("discard_form", None) or ReasonForm(),
            **extra,
        },
        status=status,
    )


@require_GET
def questionnaire_detail(request, pk):
    qrequest = questionnaire_for_reading(request, pk)
    return _questionnaire_page(request, qrequest)


@sensitive_post_parameters("password")
@require_POST
@therapist_required
def questionnaire_accept(request, pk):
    """Accepting signs an assessment, so it asks for the password like signing one."""
    qrequest = get_questionnaire_for_user(request.user, pk)
    refused = sign_refusal(
        request,
        wrong="That password is not right. Nothing was accepted.",
        ask="Confirm your password.",
        refuse=lambda error: _questionnaire_page(request, qrequest, accept_error=error, status=403),
    )
    if refused is not None:
        return refused
    accept = partial(services.questionnaire_accept, qrequest=qrequest, by=request.user)
    done = "Accepted: recorded as a signed assessment."
    return _decide(request, qrequest, accept, page=_questionnaire_page, error_key="accept_error", done=done)


@require_POST
@therapist_required
def questionnaire_discard(request, pk):
    qrequest = get_questionnaire_for_user(request.user, pk)
    discard = partial(services.questionnaire_discard, qrequest=qrequest, by=request.user)
    done = "Discarded. The reason is kept with it."
    return _discard(request, qrequest, discard, page=_questionnaire_page, error_key="accept_error", done=done)


def _discard(request, obj, discard, *, page, error_key: str, done: str):
    """Discard a questionnaire or an intake form with the reason the form gives: the page
    again with the form's error (400), else as ``_decide``."""
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return page(request, obj, discard_form=form, status=400)
    discard = partial(discard, reason=form.cleaned_data["reason"])
    return _decide(request, obj, discard, page=page, error_key=error_key, done=done)


def _decide(request, obj, decide, *, page, error_key: str, done: str):
    """Accept, confirm or discard a questionnaire or an intake form (``decide`` calls the
    service): the page again with the refusal under ``error_key`` (409 when already decided,
    403 not the author's, 400 not valid), else back to the chart with ``done``."""
    try:
        decide()
    except services.AlreadyDecided as exc:
        return page(request, obj, status=409, **{error_key: exc.message})
    except NotTheAuthor as exc:  # a colleague's draft from an accept that did not finish
        return page(request, obj, status=403, **{error_key: exc.message})
    except ValidationError as exc:
        return page(request, obj, status=400, **{error_key: " ".join(_errors(exc))})
    messages.success(request, done)
    return _chart(obj.client)


def _intake_page(request, intake, *, status=200, **extra):
    return render(
        request,
        "previsit/intake_detail.html",
        {
            "intake": intake,
            "client": intake.client,
            "rows": pages.intake_rows(intake),
            "needs_call": pages.needs_a_call(intake),
            "is_pending": intake.status == "pending",
            "consent_text": CONSENT_TEXT,
            "discard_form": extra.pop("discard_form", None) or ReasonForm(),
            **extra,
        },
        status=status,
    )


@require_GET
def intake_detail(request, pk):
    intake = intake_for_reading(request, pk)
    return _intake_page(request, intake)


@require_POST
@therapist_required
def intake_confirm(request, pk):
    intake = get_intake_for_user(request.user, pk)
    confirm = partial(services.intake_confirm, intake=intake, by=request.user)
    done = "Health screen confirmed and recorded."
    return _decide(request, intake, confirm, page=_intake_page, error_key="confirm_error", done=done)


@require_POST
@therapist_required
def intake_discard(request, pk):
    intake = get_intake_for_user(request.user, pk)
    discard = partial(services.intake_discard, intake=intake, by=request.user)
    done = "Intake form discarded. The reason is kept with it."
    return _discard(request, intake, discard, page=_intake_page, error_key="confirm_error", done=done)


@require_http_methods(["GET", "POST"])
@admin_required
def paper_intake(request, pk):
    """The front desk types in a paper intake form. It waits for the therapist's confirmation, and
    the page shows no earlier screen: an admin reads no clinical content."""
    client = get_client_for_user(request.user, pk)
    form = IntakeForm(request.POST or None, paper=True)
    if request.method == "POST" and form.is_valid():
        try:
            intake = services.intake_submit(
                client=client,
                answers=form.answers(),
                fields=form.screen_fields(),
                entered_by=request.user,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            text = "Paper intake form saved. It waits for the therapist's confirmation at the visit."
            if pages.needs_a_call(intake):
                text += " One answer means the clinic should call the client before the appointment."
            messages.success(request, text)
            return redirect(client)
    read_recorded(request, None, client=client, detail={"page": "paper intake form"})
    return render(
        request,
        "previsit/paper_intake.html",
        {"client": client, "form": form, "consent_text": CONSENT_TEXT},
        status=400 if form.is_bound else 200,
    )
