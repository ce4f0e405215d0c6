from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from assessments import findings as derive
from assessments import pages, selectors, services
from assessments.access import get_assessment_for_user
from assessments.forms import AssessmentForm, initial_from
from clinic.access import get_clinical_client_for_user
from clinic.audit import audit_record
from clinic.auth import confirm_password, recently_reauthenticated
from clinic.records import RecordLocked
from clinic.selectors import banner_flags


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _previous_psfs(assessment) -> list[dict]:
    if assessment is None:
        return []
    for response in assessment.responses.all():
        if response.instrument == "psfs":
            return [{"key": i.get("key", ""), "label": i.get("label", "")} for i in response.items]
    return []


def _form_page(request, *, client, form, previous, assessment=None, next_url=None):
    previous_cells = derive.cells_for(list(previous.measurements.all()), sex=client.sex) if previous else {}
    return render(
        request,
        "assessments/assessment_form.html",
        {
            "client": client,
            "form": form,
            "assessment": assessment,
            "previous": previous,
            "sections": form.region_sections(previous_cells=previous_cells),
            "questionnaires": form.questionnaire_sections(),
            "psfs_rows": form.psfs_rows(),
            "mark_rows": form.mark_rows(),
            "body_views": pages.bodychart.views_with_marks([]),
            "flags": banner_flags(client),
            "next_url": next_url,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def assessment_new(request, pk):
    client = get_clinical_client_for_user(request.user, pk)
    previous = selectors.latest_assessment(client)
    next_url = _safe_next(request)
    form = AssessmentForm(request.POST or None, previous_psfs=_previous_psfs(previous))
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(
                client=client, by=request.user, data=form.to_data(), request=request
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Assessment saved as a draft. Sign it when it is complete.")
            return redirect(next_url or assessment.get_absolute_url())
    if request.method == "GET":
        audit_record(actor=request.user, action="view", request=request, client=client, target=previous)
    return _form_page(request, client=client, form=form, previous=previous, next_url=next_url)


@require_http_methods(["GET", "POST"])
def assessment_edit(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    if assessment.is_signed:
        messages.error(request, "This assessment is signed and locked. Record a new assessment instead.")
        return redirect(assessment)
    client = assessment.client
    history = selectors.comparison_history(assessment)
    current = history.assessments[history.index_of(assessment)]
    previous = history.previous_to(assessment)
    form = AssessmentForm(request.POST or None, initial=initial_from(current))
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_update(
                assessment=assessment, by=request.user, data=form.to_data(), request=request
            )
        except RecordLocked as exc:
            messages.error(request, exc.message)
            return redirect(assessment)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Assessment updated.")
            return redirect(assessment)
    if request.method == "GET":
        audit_record(actor=request.user, action="view", request=request, client=client, target=assessment)
    return _form_page(request, client=client, form=form, previous=previous, assessment=assessment)


def _detail_context(assessment) -> dict:
    history = selectors.comparison_history(assessment)
    loaded = history.assessments[history.index_of(assessment)]
    loaded.client = assessment.client
    number, total = selectors.assessment_position(assessment)
    context = pages.detail_context(loaded, history, number=number, total=total)
    context.update({"can_edit": not assessment.is_signed, "flags": banner_flags(assessment.client)})
    return context


@require_http_methods(["GET"])
def assessment_detail(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    context = _detail_context(assessment)
    audit_record(
        actor=request.user, action="view", request=request, client=assessment.client, target=assessment
    )
    return render(request, "assessments/assessment_detail.html", context)


@require_POST
@sensitive_post_parameters("password")
def assessment_sign(request, pk):
    """Signing needs a recent authentication: without one, the ``password`` field
    re-authenticates and signs at once, or nothing is signed."""
    assessment = get_assessment_for_user(request.user, pk)
    if not assessment.is_signed and not recently_reauthenticated(request):
        password = request.POST.get("password", "")
        if not (password and confirm_password(request, password, purpose="sign")):
            if not request.user.is_authenticated:  # too many wrong passwords: signed out
                return redirect("login")
            context = _detail_context(assessment)
            context["reauth_error"] = (
                "That password is not right. The assessment was not signed."
                if password
                else "Confirm your password to sign."
            )
            return render(request, "assessments/assessment_detail.html", context, status=403)
    services.assessment_sign(assessment=assessment, by=request.user, request=request)
    messages.success(request, "Assessment signed and locked.")
    return redirect(assessment)


@require_http_methods(["GET"])
def assessment_compare(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    history = selectors.comparison_history(assessment)
    loaded = history.assessments[history.index_of(assessment)]
    loaded.client = assessment.client
    context = pages.compare_context(loaded, history)
    context["flags"] = banner_flags(assessment.client)
    audit_record(
        actor=request.user, action="view", request=request, client=assessment.client, target=assessment
    )
    return render(request, "assessments/assessment_compare.html", context)
