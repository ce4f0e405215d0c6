"""Staff pages for questionnaires and intake forms before a visit. Each view reaches the client or
the record through an access function, calls one service, then redirects or renders."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.log import audit_record
from clinic.access import get_client_for_user, get_clinical_client_for_user
from clinic.decorators import admin_required, therapist_required
from clinic.reauth import confirm_password, recently_reauthenticated
from clinic.screening import CONSENT_TEXT
from core.records import NotTheAuthor
from previsit import pages, services
from previsit.access import get_intake_for_user, get_questionnaire_for_user
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
    qrequest = get_questionnaire_for_user(request.user, pk)
    audit_record(actor=request.user, action="view", request=request, client=qrequest.client, target=qrequest)
    return _questionnaire_page(request, qrequest)


@sensitive_post_parameters("password")
@require_POST
@therapist_required
def questionnaire_accept(request, pk):
    """Accepting signs an assessment, so it asks for the password like signing one."""
    qrequest = get_questionnaire_for_user(request.user, pk)
    if not recently_reauthenticated(request):
        password = request.POST.get("password", "")
        if not (password and confirm_password(request, password, purpose="sign")):
            if not request.user.is_authenticated:
                return redirect("login")
            error = (
                "That password is not right. Nothing was accepted." if password else "Confirm your password."
            )
            return _questionnaire_page(request, qrequest, accept_error=error, status=403)
    try:
        services.questionnaire_accept(qrequest=qrequest, by=request.user)
    except services.AlreadyDecided as exc:
        return _questionnaire_page(request, qrequest, accept_error=exc.message, status=409)
    except NotTheAuthor as exc:  # a colleague's draft from an accept that did not finish
        return _questionnaire_page(request, qrequest, accept_error=exc.message, status=403)
    except ValidationError as exc:
        return _questionnaire_page(request, qrequest, accept_error=" ".join(_errors(exc)), status=400)
    messages.success(request, "Accepted: recorded as a signed assessment.")
    return _chart(qrequest.client)


@require_POST
@therapist_required
def questionnaire_discard(request, pk):
    qrequest = get_questionnaire_for_user(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _questionnaire_page(request, qrequest, discard_form=form, status=400)
    try:
        services.questionnaire_discard(qrequest=qrequest, by=request.user, reason=form.cleaned_data["reason"])
    except services.AlreadyDecided as exc:
        return _questionnaire_page(request, qrequest, accept_error=exc.message, status=409)
    messages.success(request, "Discarded. The reason is kept with it.")
    return _chart(qrequest.client)


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
    intake = get_intake_for_user(request.user, pk)
    audit_record(actor=request.user, action="view", request=request, client=intake.client, target=intake)
    return _intake_page(request, intake)


@require_POST
@therapist_required
def intake_confirm(request, pk):
    intake = get_intake_for_user(request.user, pk)
    try:
        services.intake_confirm(intake=intake, by=request.user)
    except services.AlreadyDecided as exc:
        return _intake_page(request, intake, confirm_error=exc.message, status=409)
    except ValidationError as exc:
        return _intake_page(request, intake, confirm_error=" ".join(_errors(exc)), status=400)
    messages.success(request, "Health screen confirmed and recorded.")
    return _chart(intake.client)


@require_POST
@therapist_required
def intake_discard(request, pk):
    intake = get_intake_for_user(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _intake_page(request, intake, discard_form=form, status=400)
    try:
        services.intake_discard(intake=intake, by=request.user, reason=form.cleaned_data["reason"])
    except services.AlreadyDecided as exc:
        return _intake_page(request, intake, confirm_error=exc.message, status=409)
    messages.success(request, "Intake form discarded. The reason is kept with it.")
    return _chart(intake.client)


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
    audit_record(
        actor=request.user,
        action="view",
        request=request,
        client=client,
        detail={"page": "paper intake form"},
    )
    return render(
        request,
        "previsit/paper_intake.html",
        {"client": client, "form": form, "consent_text": CONSENT_TEXT},
        status=400 if form.is_bound else 200,
    )
