from __future__ import annotations

import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from assessments import findings as derive
from assessments import pages, selectors, services
from assessments.access import assessment_stamp_for_user, get_assessment_for_user
from assessments.forms import AssessmentForm, initial_from
from assessments.models import Assessment
from clinic.access import get_clinical_client_for_user, read_recorded
from clinic.authorship import may_act_as_author
from clinic.forms import add_validation_errors
from clinic.page_cache import cached_page
from clinic.reauth import sign_refusal
from clinic.selectors import banner_flags
from core.errors import DomainError
from core.records import RecordLocked


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


def _form_page(request, *, client, form, previous, assessment=None, next_url=None, conflict=None):
    age = derive.age_on(client.date_of_birth, assessment.assessed_on if assessment else timezone.localdate())
    previous_cells = (
        derive.cells_for(
            list(previous.measurements.all()),
            sex=client.sex,
            age=derive.age_on(client.date_of_birth, previous.assessed_on),
        )
        if previous
        else {}
    )
    return render(
        request,
        "assessments/assessment_form.html",
        {
            "client": client,
            "form": form,
            "assessment": assessment,
            "previous": previous,
            "sections": form.region_sections(previous_cells=previous_cells, sex=client.sex, age=age),
            "questionnaires": form.questionnaire_sections(),
            "psfs_rows": form.psfs_rows(),
            "mark_rows": form.mark_rows(),
            "body_views": pages.bodychart.views_with_marks([]),
            "flags": banner_flags(client),
            "next_url": next_url,
            "conflict": conflict,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def assessment_new(request, pk):
    client = get_clinical_client_for_user(request.user, pk)
    previous = selectors.latest_assessment(client)
    next_url = _safe_next(request)
    form = AssessmentForm(request.POST or None, previous_psfs=_previous_psfs(previous), client=client)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(client=client, by=request.user, data=form.to_data())
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Assessment saved as a draft. Sign it when it is complete.")
            return redirect(next_url or assessment.get_absolute_url())
    read_recorded(request, previous, client=client, record=request.method == "GET")
    return _form_page(request, client=client, form=form, previous=previous, next_url=next_url)


def _detail_context(assessment, user) -> dict:
    history = selectors.comparison_history(assessment)
    loaded = history.assessments[history.index_of(assessment)]
    loaded.client = assessment.client
    number, total = selectors.assessment_position(assessment)
    context = pages.detail_context(loaded, history, number=number, total=total)
    context.update(
        {
            "can_edit": not assessment.is_signed
            and may_act_as_author(author_id=assessment.therapist_id, by=user),
            "flags": banner_flags(assessment.client),
        }
    )
    return context


def _refused(request, assessment, alert: str, status: int):
    """The assessment page with the reason a write was refused. Nothing is saved."""
    context = _detail_context(assessment, request.user)
    context["alert"] = alert
    return render(request, "assessments/assessment_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
def assessment_edit(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    if assessment.is_signed:
        if request.method == "POST":
            return _refused(request, assessment, RecordLocked().message, 409)
        messages.error(request, "This assessment is signed and locked. Record a new assessment instead.")
        return redirect(assessment)
    if not may_act_as_author(author_id=assessment.therapist_id, by=request.user):
        return _refused(request, assessment, services.NOT_AUTHOR, 403)
    client = assessment.client
    history = selectors.comparison_history(assessment)
    current = history.assessments[history.index_of(assessment)]
    previous = history.previous_to(assessment)
    form = AssessmentForm(
        request.POST or None, initial={**initial_from(current), "version": current.version}, client=client
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_update(
                assessment=assessment,
                by=request.user,
                data=form.to_data(),
                version=form.cleaned_data.get("version") or 0,
            )
        except services.AssessmentConflict as exc:
            return _conflict_page(request, assessment=assessment, form=form, previous=previous, alert=exc)
        except DomainError as exc:
            return _refused(request, assessment, exc.message, exc.status)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Assessment updated.")
            return redirect(assessment)
    read_recorded(request, assessment, client=client, record=request.method == "GET")
    return _form_page(request, client=client, form=form, previous=previous, assessment=assessment)


def _form_errors(form) -> list[str]:
    summary = [f"{item['label']}: {item['message']}" for item in form.error_summary()]
    return summary + [str(e) for e in form.non_field_errors()]


@require_POST
def assessment_autosave(request, pk):
    """htmx autosave of a draft assessment, sent with X-KC-Background: 1 while the
    therapist types. Answers with the save status only. A stale version is refused
    with 409 and nothing is overwritten; a form the server cannot accept is 400."""
    assessment = get_assessment_for_user(request.user, pk)
    context = {"assessment": assessment, "saved_at": None, "errors": [], "conflict": False, "locked": False}
    if assessment.is_signed:
        context.update({"locked": True, "errors": [RecordLocked().message]})
        return render(request, "assessments/_autosave_status.html", context, status=409)
    if assessment.therapist_id != request.user.pk:
        context.update({"locked": True, "errors": [services.NOT_AUTHOR]})
        return render(request, "assessments/_autosave_status.html", context, status=403)
    form = AssessmentForm(request.POST, client=assessment.client)
    if not form.is_valid():
        context["errors"] = _form_errors(form)
        return render(request, "assessments/_autosave_status.html", context, status=400)
    try:
        saved = services.assessment_update(
            assessment=assessment,
            by=request.user,
            data=form.to_data(),
            version=form.cleaned_data.get("version") or 0,
            autosave=True,
        )
    except services.AssessmentConflict as exc:
        context.update({"conflict": True, "errors": [exc.message]})
        return render(request, "assessments/_autosave_status.html", context, status=409)
    except DomainError as exc:
        context.update({"locked": True, "errors": [exc.message]})
        return render(request, "assessments/_autosave_status.html", context, status=exc.status)
    except ValidationError as exc:
        add_validation_errors(form, exc)
        context["errors"] = _form_errors(form)
        return render(request, "assessments/_autosave_status.html", context, status=400)
    context.update({"assessment": saved, "saved_at": timezone.localtime()})
    return render(request, "assessments/_autosave_status.html", context)


def _conflict_page(request, *, assessment, form, previous, alert):
    """A stale save (another tab saved first): the form keeps what was typed, so
    nothing is lost; the saved version is shown above it; and the form now carries
    the saved version's number, so saving again is a deliberate choice to replace it."""
    saved = Assessment.objects.with_rows().get(pk=assessment.pk)
    data = form.data.copy()
    data["version"] = str(saved.version)
    form = AssessmentForm(data, client=assessment.client)
    form.is_valid()
    response = _form_page(
        request,
        client=assessment.client,
        form=form,
        previous=previous,
        assessment=saved,
        conflict={"message": alert.message, "saved": pages.saved_summary(saved)},
    )
    response.status_code = 409
    return response


@require_http_methods(["GET"])
def assessment_detail(request, pk):
    # One narrow query decides access and names the cache key; the assessment is loaded
    # through its access function only when the page is rendered.
    stamp = assessment_stamp_for_user(request.user, pk)

    @functools.cache
    def assessment():
        return get_assessment_for_user(request.user, pk)

    # Rendered once per reader, scope and record version (clinic.page_cache); the access
    # check and the audit row happen on every request.
    response, _ = cached_page(
        request,
        page="assessment",
        versions=stamp.versions,
        template="assessments/_assessment_detail_body.html",
        build=lambda: (_detail_context(assessment(), request.user), {}),
        outer="assessments/assessment_detail.html",
        outer_context=lambda: {"assessment": assessment(), "client": assessment().client},
        parts=(stamp.pk,),
    )
    read_recorded(request, stamp.target(), client=stamp.client_id)
    return response


@require_POST
@sensitive_post_parameters("password")
def assessment_sign(request, pk):
    """Signing is the author's, and needs a recent authentication: without one,
    the ``password`` field re-authenticates and signs at once, or nothing is signed."""
    assessment = get_assessment_for_user(request.user, pk)
    if assessment.is_signed:
        return _refused(request, assessment, "This assessment is already signed and locked.", 409)
    if not may_act_as_author(author_id=assessment.therapist_id, by=request.user):
        return _refused(request, assessment, services.NOT_AUTHOR, 403)
    refused = sign_refusal(
        request,
        wrong="That password is not right. The assessment was not signed.",
        refuse=lambda error: render(
            request,
            "assessments/assessment_detail.html",
            {**_detail_context(assessment, request.user), "reauth_error": error},
            status=403,
        ),
    )
    if refused is not None:
        return refused
    try:
        services.assessment_sign(assessment=assessment, by=request.user, version=_version(request.POST))
    except services.AssessmentConflict:
        return _refused(request, assessment, services.SIGN_CONFLICT, 409)
    except DomainError as exc:
        return _refused(request, assessment, exc.message, exc.status)
    messages.success(request, "Assessment signed and locked.")
    return redirect(assessment)


def _version(data) -> int | None:
    try:
        return int(data.get("version", ""))
    except ValueError:
        return None


@require_http_methods(["GET"])
def assessment_compare(request, pk):
    stamp = assessment_stamp_for_user(request.user, pk)

    @functools.cache
    def assessment():
        return get_assessment_for_user(request.user, pk)

    def build():
        shown = assessment()
        history = selectors.comparison_history(shown)
        loaded = history.assessments[history.index_of(shown)]
        loaded.client = shown.client
        context = pages.compare_context(loaded, history)
        context["flags"] = banner_flags(shown.client)
        return context, {}

    # Rendered once per reader, scope and record version (clinic.page_cache).
    response, _ = cached_page(
        request,
        page="assessment-compare",
        versions=stamp.versions,
        template="assessments/_assessment_compare_body.html",
        build=build,
        outer="assessments/assessment_compare.html",
        outer_context=lambda: {"assessment": assessment(), "client": assessment().client},
        parts=(stamp.pk,),
    )
    read_recorded(request, stamp.target(), client=stamp.client_id)
    return response
