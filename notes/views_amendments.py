"""Pages for clients' amendment requests (45 CFR 164.526).

Each view reaches the note, client or request through its access function
(care team only; everyone else gets 404), validates a form, calls one service
in notes.amendment_requests and redirects, or renders the form again with the
errors next to their fields.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.access import client_for_reading, read_recorded
from clinic.decorators import therapist_required
from clinic.forms import add_validation_errors
from clinic.selectors import banner_flags
from core.records import RecordLocked
from notes import amendment_requests as services
from notes import pages, selectors
from notes.access import amendment_request_for_reading, get_amendment_request_for_user, get_note_for_user
from notes.forms_amendments import (
    AmendmentRequestForm,
    DecisionForm,
    DisagreementForm,
    ExtendForm,
    RebuttalForm,
)
from notes.services import NotePermissionError

WRITE_ERRORS = (RecordLocked, NotePermissionError)


def _message(exc: Exception) -> str:
    return getattr(exc, "message", str(exc))


# --- Record a request against a signed note ------------------------------------------------


@require_http_methods(["GET", "POST"])
@therapist_required
def amendment_request_new(request, pk):
    note = get_note_for_user(request.user, pk)
    if not note.is_signed:
        raise Http404("Only a signed note takes amendment requests")
    form = AmendmentRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            obj = services.amendment_request_record(
                note=note,
                by=request.user,
                request_text=data["request_text"],
                received_on=data["received_on"],
                other_records=data["other_records"],
            )
        except WRITE_ERRORS as exc:
            form.add_error(None, _message(exc))
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"Request recorded. The decision is due by {obj.due_on:%Y-%m-%d}.")
            return redirect("amendment_request_detail", pk=obj.pk)
    page = pages.note_page(note)
    read_recorded(
        request,
        note,
        client=note.client_id,
        detail={"category": "amendment request"},
        record=request.method == "GET",
    )
    return render(
        request,
        "notes/amendment_request_new.html",
        {"note": note, "client": note.client, "form": form, "page": page, "flags": page.flags},
        status=400 if form.errors else 200,
    )


# --- One request: its state and the next step ------------------------------------------------


def _detail_context(request, obj, **forms):
    def action(name):
        return reverse(name, args=[obj.pk])

    pending = not obj.is_decided
    may_disagree = obj.decision in ("denied", "partial") and not obj.has_disagreement
    context = {
        "req": obj,
        "summary": selectors.request_summary(obj),
        "note": obj.note,
        "client": obj.client,
        "flags": banner_flags(obj.client),
        "extend_form": None,
        "decision_form": None,
        "disagreement_form": None,
        "rebuttal_form": None,
    }
    if pending and not obj.is_extended:
        context["extend_form"] = forms.get("extend_form") or ExtendForm(
            prefix="extend", action=action("amendment_request_extend")
        )
    if pending:
        context["decision_form"] = forms.get("decision_form") or DecisionForm(
            prefix="decide", action=action("amendment_request_decide")
        )
    if may_disagree:
        context["disagreement_form"] = forms.get("disagreement_form") or DisagreementForm(
            prefix="disagree", action=action("amendment_request_disagreement")
        )
    if obj.has_disagreement and not obj.has_rebuttal:
        context["rebuttal_form"] = forms.get("rebuttal_form") or RebuttalForm(
            prefix="rebut", action=action("amendment_request_rebuttal")
        )
    return context


@require_GET
def amendment_request_detail(request, pk):
    obj = amendment_request_for_reading(request, pk)
    return render(request, "notes/amendment_request_detail.html", _detail_context(request, obj))


def _step(request, pk, *, form_class, prefix, context_key, call, done):
    """One POSTed step on a request: validate, call the service, redirect; on
    refusal render the request page with the error beside its field."""
    obj = get_amendment_request_for_user(request.user, pk)
    form = form_class(request.POST, prefix=prefix, action=request.path)
    status = 400
    if form.is_valid():
        try:
            call(obj, form.cleaned_data)
        except WRITE_ERRORS as exc:
            form.add_error(None, _message(exc))
            status = 409
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("amendment_request_detail", pk=obj.pk)
    obj = get_amendment_request_for_user(request.user, pk)
    context = _detail_context(request, obj, **{context_key: form})
    context["step_error"] = context_key
    if context[context_key] is None:  # the step no longer applies: show why at the top
        errors = [e for errs in form.errors.values() for e in errs]
        context["alert"] = " ".join(errors) or "This step no longer applies."
    return render(request, "notes/amendment_request_detail.html", context, status=status)


@require_POST
@therapist_required
def amendment_request_extend(request, pk):
    return _step(
        request,
        pk,
        form_class=ExtendForm,
        prefix="extend",
        context_key="extend_form",
        call=lambda obj, d: services.amendment_request_extend(
            amendment_request=obj, by=request.user, reason=d["reason"], notice=d["notice"]
        ),
        done="Deadline extended by 30 days. Send the client the written notice.",
    )


@require_POST
@therapist_required
def amendment_request_decide(request, pk):
    return _step(
        request,
        pk,
        form_class=DecisionForm,
        prefix="decide",
        context_key="decision_form",
        call=lambda obj, d: services.amendment_request_decide(
            amendment_request=obj,
            by=request.user,
            decision=d["decision"],
            reason=d["reason"],
            amended_text=d["amended_text"],
            kind=d["kind"] or "correction",
        ),
        done="Decision signed and attached to the note. Tell the client in writing.",
    )


@require_POST
@therapist_required
def amendment_request_disagreement(request, pk):
    return _step(
        request,
        pk,
        form_class=DisagreementForm,
        prefix="disagree",
        context_key="disagreement_form",
        call=lambda obj, d: services.amendment_request_add_disagreement(
            amendment_request=obj,
            by=request.user,
            text=d["text"],
            received_on=d["received_on"],
        ),
        done="Statement of disagreement recorded and attached to the note.",
    )


@require_POST
@therapist_required
def amendment_request_rebuttal(request, pk):
    return _step(
        request,
        pk,
        form_class=RebuttalForm,
        prefix="rebut",
        context_key="rebuttal_form",
        call=lambda obj, d: services.amendment_request_add_rebuttal(
            amendment_request=obj, by=request.user, text=d["text"]
        ),
        done="Rebuttal recorded and attached to the note. Send the client a copy.",
    )


# --- Lists ---------------------------------------------------------------------------------------


@require_GET
def client_amendment_requests(request, pk):
    client = client_for_reading(request, pk, detail={"category": "amendment requests"})
    rows = selectors.client_amendment_requests(client)
    return render(
        request,
        "notes/amendment_request_list.html",
        {"client": client, "rows": rows, "flags": banner_flags(client)},
    )


@require_GET
@therapist_required
def amendment_request_dashboard(request):
    rows, total = selectors.open_amendment_requests(request.user)
    read_recorded(
        request,
        None,
        detail={"category": "amendment requests", "clients": sorted({r.client_pk for r in rows})},
    )
    return render(
        request,
        "notes/amendment_request_dashboard.html",
        {"rows": rows, "total": total, "overdue": sum(1 for r in rows if r.summary.overdue)},
    )
