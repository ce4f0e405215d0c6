"""Progress report pages. Each view reaches the client or the report through an
access function, validates a form, calls one service and redirects or renders."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.access import get_clinical_client_for_user, read_recorded
from clinic.authorship import may_act_as_author
from clinic.decorators import therapist_required
from clinic.forms import add_validation_errors
from clinic.models import ClinicProfile
from clinic.reauth import recently_reauthenticated, sign_refusal
from core.errors import DomainError
from core.http import file_response
from core.pdf import Letterhead
from reports import pages, services
from reports.access import get_report_for_user, report_for_reading
from reports.forms import ReportChoiceForm, ReportTextForm
from reports.models import ProgressReport
from reports.pdf import render_report_pdf

WRITE_ERRORS = DomainError


def _refused(request, pk, exc: DomainError):
    """A write the report does not allow: 409 for a signed report, 403 for someone
    else's draft (the caller reads it already), with the reason on the report page."""
    report = get_report_for_user(request.user, pk)
    return _detail(request, report, alert=exc.message, status=exc.status)


def _choice_initial(client) -> dict:
    start, end = pages.default_period(client)
    return {
        "period_start": start,
        "period_end": end,
        "audience": ProgressReport.Audience.CLIENT,
        "recipient_name": client.referral_source,
    }


@require_http_methods(["GET", "POST"])
@therapist_required
def report_new(request, pk):
    """Choose the period, the audience and what to include; POST writes the draft."""
    client = get_clinical_client_for_user(request.user, pk)
    if request.method == "POST":
        form = ReportChoiceForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = services.report_create(
                    client=client,
                    audience=data["audience"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    includes=form.includes,
                    recipient_name=data["recipient_name"],
                    recipient_address=data["recipient_address"],
                    by=request.user,
                )
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, "Draft written. Adjust the text, then sign it with your password.")
                return redirect(report)
        return render(request, "reports/report_new.html", {"client": client, "form": form}, status=400)
    form = ReportChoiceForm(initial=_choice_initial(client))
    read_recorded(request, client, detail={"category": "new progress report"})
    return render(request, "reports/report_new.html", {"client": client, "form": form})


def _detail(
    request,
    report,
    *,
    form=None,
    sign_errors=None,
    reauth_error="",
    consent_error="",
    consent=False,
    alert="",
    status=200,
):
    content, empty = None, ""
    try:
        content = pages.content_for(report)
    except pages.EmptyPeriod as exc:
        empty = exc.message
    can_edit = not report.is_signed and may_act_as_author(author_id=report.author_id, by=request.user)
    context = {
        "report": report,
        "client": report.client,
        "content": content,
        "empty": empty,
        "charts": pages.charts_of(content) if content else [],
        "form": form or (ReportTextForm(instance=report) if can_edit else None),
        "can_edit": can_edit,
        "sign_errors": sign_errors or [],
        "reauth_error": reauth_error,
        "consent_error": consent_error,
        "consent": consent,
        "consent_label": services.CONSENT_LABEL,
        "alert": alert,
        "needs_password": not recently_reauthenticated(request),
        "matches": services.report_matches(report),
    }
    return render(request, "reports/report_detail.html", context, status=status)


@require_GET
def report_detail(request, pk):
    """A draft with its editable text, preview and signing; a signed report read-only."""
    report = report_for_reading(request, pk)
    return _detail(request, report)


@require_POST
def report_update(request, pk):
    try:
        report = get_report_for_user(request.user, pk, for_write=True)
    except WRITE_ERRORS as exc:
        return _refused(request, pk, exc)
    form = ReportTextForm(request.POST, instance=report)
    if form.is_valid():
        try:
            services.report_update(report=report, data=form.cleaned_data, by=request.user)
        except WRITE_ERRORS as exc:
            return _refused(request, pk, exc)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Draft saved.")
            return redirect(report)
    return _detail(request, report, form=form, status=400)


@require_POST
@sensitive_post_parameters("password")
def report_sign(request, pk):
    """Sign with the password: without a recent authentication, the ``password``
    sent with the form re-authenticates and signs at once, or nothing happens."""
    try:
        report = get_report_for_user(request.user, pk, for_write=True)
    except WRITE_ERRORS as exc:
        return _refused(request, pk, exc)
    refused = sign_refusal(
        request,
        wrong="That password is not right. The report was not signed.",
        refuse=lambda error: _detail(request, report, reauth_error=error, status=403),
    )
    if refused is not None:
        return refused
    consent = request.POST.get("consent_to_share") == "on"
    try:
        services.report_sign(report=report, by=request.user, consent_to_share=consent)
    except WRITE_ERRORS as exc:
        return _refused(request, pk, exc)
    except ValidationError as exc:
        problems = dict(exc.message_dict) if hasattr(exc, "error_dict") else {"": exc.messages}
        # The consent box sits in the sign form: its message goes beside it.
        consent_error = " ".join(problems.pop("consent_to_share", []))
        errors = [m for msgs in problems.values() for m in msgs]
        return _detail(
            request, report, sign_errors=errors, consent_error=consent_error, consent=consent, status=400
        )
    messages.success(request, "Report signed and locked. It prints as signed from now on.")
    return redirect(report)


def _filename(content, *, signed: bool) -> str:
    name = re.sub(r"[^A-Za-z0-9]+", "-", content["client"]["name"]).strip("-") or "client"
    kind = "progress-report" if content["audience"] == pages.CLIENT else "letter"
    draft = "" if signed else "-draft"
    return f"{kind}-{name}-{content['period']['end']}{draft}.pdf"


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    return file_response(pdf, content_type="application/pdf", filename=filename)


def _logo():
    return Letterhead.from_profile(ClinicProfile.load()).logo_png


@require_GET
def report_pdf(request, pk):
    """The report as a PDF: a signed one exactly as signed; a draft (its author
    only) marked "Draft - not signed" on every page."""
    report = get_report_for_user(request.user, pk)
    try:
        content = pages.content_for(report)
    except pages.EmptyPeriod as exc:
        return render(
            request,
            "reports/report_message.html",
            {"client": report.client, "message": exc.message},
            status=400,
        )
    signed_at = f"{timezone.localtime(report.signed_at):%Y-%m-%d %H:%M}" if report.is_signed else ""
    pdf = render_report_pdf(content, signed=report.is_signed, signed_at=signed_at, logo_png=_logo())
    read_recorded(request, report, client=report.client_id, action="download")
    return _pdf_response(pdf, _filename(content, signed=report.is_signed))


@require_GET
@therapist_required
def client_report_pdf(request, pk):
    """A preview PDF of a period, straight from the records, never a record itself.

    The query parameters are those of the new-report form (``period_start``,
    ``period_end``, ``audience`` and the ``include_*`` boxes); missing dates
    default to first visit to today and the audience to the client. It is built
    now from the signed visits of the period, saves nothing, and every page is
    marked "Draft - not signed": to send a report, write a draft and sign it.
    Bad parameters or a period without visits get a page with the reason (400).
    """
    client = get_clinical_client_for_user(request.user, pk)
    params = {
        **{k: v for k, v in _choice_initial(client).items() if k != "recipient_name"},
        **request.GET.dict(),
    }
    if not any(key.startswith("include_") for key in request.GET):
        params.update({f"include_{key}": "on" for key in ("pain", "scores", "chain", "program", "treatment")})
    form = ReportChoiceForm(params)
    if not form.is_valid():
        problems = [
            f"{form.fields[name].label if name in form.fields else 'Report'}: {' '.join(errs)}"
            for name, errs in form.errors.items()
        ]
        return render(
            request,
            "reports/report_message.html",
            {"client": client, "message": " ".join(problems)},
            status=400,
        )
    data = form.cleaned_data
    try:
        content = pages.report_content(
            client=client,
            audience=data["audience"],
            start=data["period_start"],
            end=data["period_end"],
            includes=form.includes,
            texts={},
            author=request.user,
            recipient_name=data["recipient_name"] or client.referral_source,
            recipient_address=data["recipient_address"],
        )
    except pages.EmptyPeriod as exc:
        return render(
            request, "reports/report_message.html", {"client": client, "message": exc.message}, status=400
        )
    content["texts"] = pages.prefilled_texts(
        content, notes=pages.period_notes(client, data["period_start"], data["period_end"])
    )
    pdf = render_report_pdf(content, signed=False, logo_png=_logo())
    read_recorded(
        request,
        client,
        client=client.pk,
        action="print",
        detail={
            "category": "progress report preview",
            "period": f"{data['period_start']} to {data['period_end']}",
        },
    )
    return _pdf_response(pdf, _filename(content, signed=False))
