"""Note pages. Each view reaches the note through notes.access, validates a form,
calls one service and redirects or renders; htmx requests get the partial."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.access import get_assessment_for_user
from clinic.access import get_clinical_client_for_user, read_recorded
from clinic.authorship import may_act_as_author, signature_line_for
from clinic.decorators import therapist_required
from clinic.forms import add_validation_errors
from clinic.page_cache import cached_page
from clinic.reauth import confirm_password, sign_refusal
from clinic.selectors import banner_flags
from core.composition import note_sections
from core.errors import DomainError
from core.http import file_response
from core.records import RecordLocked
from notes import pages, selectors, services
from notes.access import (
    get_note_for_user,
    get_palpation_for_user,
    get_snippet_for_user,
    get_treatment_for_user,
    note_for_reading,
    note_stamp_for_user,
)
from notes.forms import (
    AmendmentForm,
    AssessmentLinkForm,
    ConsentOverrideForm,
    NoteForm,
    NoteStartForm,
    PalpationForm,
    SnippetForm,
    TreatmentForm,
)
from notes.models import Snippet
from notes.pdf import render_note_pdf

NOTES_PER_PAGE = 25
# A write a domain rule refused (core.errors): someone else's draft or a linked
# assessment only its own author may sign (403), a signed note or a stale copy (409).
WRITE_ERRORS = DomainError


def _status_for(exc: Exception) -> int:
    return exc.status if isinstance(exc, DomainError) else 409


def _message(exc: Exception) -> str:
    return exc.message if isinstance(exc, DomainError) else str(exc)


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def _can_edit(note, user) -> bool:
    return (
        not note.is_signed and not note.in_error and may_act_as_author(author_id=note.therapist_id, by=user)
    )


def _refusal(note, user) -> tuple[str, int]:
    """Why a draft write to this note is refused: 409 when it is signed or entered
    in error, 403 when it is someone else's draft."""
    if note.is_signed:
        return RecordLocked().message, 409
    if note.in_error:
        return "This note is marked entered in error and cannot change.", 409
    return services.NotePermissionError.message, 403


def _refused(request, note, *, alert: str = "", status: int | None = None):
    """A write to a note that cannot change, answered with the note page and the
    reason. Nothing is saved."""
    reason, code = _refusal(note, request.user)
    return render(
        request,
        "notes/note_detail.html",
        _context(request, note, alert=alert or reason),
        status=status or code,
    )


def refused_page(request, note, *, alert: str, status: int):
    """The note page with the reason a write to the note was refused, for the
    sections other apps add to it (program adherence)."""
    return _refused(request, note, alert=alert, status=status)


def _refused_by(request, note, exc: Exception):
    """The note page for a refusal a service raised (locked, conflict, not the author)."""
    return _refused(request, note, alert=_message(exc), status=_status_for(exc))


def _intake_url(note) -> str:
    return reverse("intake_edit", args=[note.client_id])


def _context(
    request,
    note,
    *,
    form=None,
    treatment_form=None,
    palpation_form=None,
    sign_errors=None,
    alert="",
    consent_override_form=None,
):
    user = request.user
    page = pages.note_page(note)
    acts_as_author = may_act_as_author(author_id=note.therapist_id, by=user)
    can_edit = not note.is_signed and not note.in_error and acts_as_author
    sections = note_sections(note=note, user=user)
    context = {
        "note": note,
        "client": note.client,
        "page": page,
        "flags": page.flags,
        "can_edit": can_edit,
        "signs_as": signature_line_for(author=note.therapist, by=user) if can_edit else "",
        "can_amend": note.is_signed and acts_as_author,
        "can_mark_error": not note.is_signed and not note.in_error and acts_as_author,
        "sections": sections,
        "sign_errors": sign_errors or [],
        "alert": alert,
        "intake_url": _intake_url(note),
        "signature_warning": "" if page.content_matches else services.SIGNATURE_MISMATCH_WARNING,
    }
    if can_edit:
        tools = pages.draft_tools(note, user)
        form = form or NoteForm(
            instance=note,
            intake_url=_intake_url(note),
            leave_out=[name for s in sections for name in s.replaces_note_fields],
        )
        context.update(
            {
                "tools": tools,
                "form": form,
                "carried": _carried(note, form),
                "treatment_form": treatment_form
                or TreatmentForm(note=note, techniques=tools.techniques, regions=tools.regions),
                "palpation_form": palpation_form or PalpationForm(note=note, regions=tools.regions),
                "link_form": AssessmentLinkForm(
                    choices=tools.assessment_choices,
                    initial={"assessment": note.assessment_id or tools.suggested_assessment},
                ),
                "missing": list(services.signing_problems(note, has_palpation=bool(page.palpation)).values())
                + list(
                    services.safety_sign_problems(
                        note, page.treatments, page.overrides, tools.safety
                    ).values()
                ),
                "consent_override_form": (consent_override_form or ConsentOverrideForm())
                if tools.safety.consent_problem and not any(o.covers_consent for o in page.overrides)
                else None,
                "assessment_new_url": reverse("assessment_new", args=[note.client_id])
                + f"?next={reverse('note_detail', args=[note.pk])}"
                if _has_url("assessment_new")
                else "",
            }
        )
    return context


def _carried(note, form) -> list[tuple[str, str]]:
    """The carried-forward fields still to review, with their labels."""
    return [(n, form.fields[n].label) for n in note.carried_fields if n in form.fields]


def _has_url(name: str) -> bool:
    try:
        reverse(name, args=[1])
    except NoReverseMatch:  # the assessments app may not offer the page yet
        return False
    return True


def _refetch(request, note):
    return get_note_for_user(request.user, note.pk)


# --- New note, client list -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@therapist_required
def note_new(request, pk):
    client = get_clinical_client_for_user(request.user, pk)
    previous = selectors.previous_note(client)
    form = NoteStartForm(request.POST or None, previous=previous, client=client)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            note = services.note_create(
                client=client,
                by=request.user,
                service_at=data["service_at"],
                duration_minutes=data["duration_minutes"],
                template=data["template"],
                copy_forward=bool(data.get("copy_forward")) and previous is not None,
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Draft note started. It saves as you type.")
            return redirect(note)
    read_recorded(request, client, detail={"category": "new visit note"}, record=request.method == "GET")
    return render(
        request,
        "notes/note_new.html",
        {"client": client, "form": form, "previous": previous, "flags": banner_flags(client)},
        status=400 if form.errors else 200,
    )


@require_GET
def client_notes(request, pk):
    client = get_clinical_client_for_user(request.user, pk)
    page, rows = selectors.visit_timeline_page(client, request.GET.get("page"), per_page=NOTES_PER_PAGE)
    read_recorded(request, client, detail={"category": "visit notes", "page": page.number})
    return render(
        request,
        "notes/client_notes.html",
        {"client": client, "rows": rows, "page": page, "flags": banner_flags(client)},
    )


# --- The note page -----------------------------------------------------------------------------


def _note_page(request, pk):
    """The note page (GET): one narrow query decides access and names the cache key; the
    whole note is reached through ``get_note_for_user`` only when the page is rendered,
    or to record a signature that no longer matches."""
    stamp = note_stamp_for_user(request.user, pk)
    loaded: dict = {}

    def record():
        if "note" not in loaded:
            loaded["note"] = get_note_for_user(request.user, pk)
        return loaded["note"]

    def build():
        context = _context(request, record())
        return context, {"content_matches": context["page"].content_matches}

    # Rendered once per reader, scope and record version (clinic.page_cache); the
    # access check, the audit row and the signature warning happen on every read.
    response, checked = cached_page(
        request,
        page="note",
        versions=stamp.versions,
        template="notes/_note_detail_body.html",
        build=build,
        outer="notes/note_detail.html",
        outer_context=lambda: {"note": record(), "client": record().client},
        parts=(stamp.pk,),
    )
    read_recorded(request, stamp.target(), client=stamp.client_id)
    if not checked["content_matches"]:
        services.note_signature_mismatch_record(note=record(), by=request.user, where="page")
    return response


@require_http_methods(["GET", "POST"])
def note_detail(request, pk):
    if request.method == "GET":
        return _note_page(request, pk)
    note = get_note_for_user(request.user, pk)
    if not _can_edit(note, request.user):
        return _refused(request, note)
    form = NoteForm(request.POST, instance=note, intake_url=_intake_url(note))
    if form.is_valid():
        try:
            services.note_update(
                note=note,
                by=request.user,
                data=form.cleaned_data,
                version=form.cleaned_data["version"],
                reviewed=request.POST.getlist("reviewed"),
            )
        except WRITE_ERRORS as exc:
            return render(
                request,
                "notes/note_detail.html",
                _context(request, note, form=form, alert=_message(exc)),
                status=_status_for(exc),
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Draft saved.")
            return redirect(note)
    return render(request, "notes/note_detail.html", _context(request, note, form=form), status=400)


@require_POST
def note_autosave(request, pk):
    """htmx autosave of a draft. Sent with X-KC-Background: 1, so it never keeps
    an idle session alive. A stale version is refused with 409 and saves nothing."""
    note = get_note_for_user(request.user, pk)
    form = NoteForm(request.POST, instance=note)
    context = {"note": note, "saved_at": None, "errors": [], "conflict": False, "locked": False}
    status = 200
    if not _can_edit(note, request.user):
        reason, status = _refusal(note, request.user)
        context["locked"] = True
        context["errors"] = [reason]
        return render(request, "notes/_autosave_status.html", context, status=status)
    if not form.is_valid():
        context["errors"] = [
            f"{form.fields[name].label if name in form.fields else ''}: {e}".lstrip(": ")
            for name, errs in form.errors.items()
            for e in errs
        ]
        return render(request, "notes/_autosave_status.html", context, status=400)
    try:
        saved = services.note_update(
            note=note,
            by=request.user,
            data=form.cleaned_data,
            version=form.cleaned_data["version"],
            reviewed=request.POST.getlist("reviewed"),
            autosave=True,
        )
    except services.NoteConflict as exc:
        context.update({"conflict": True, "errors": [exc.message]})
        status = 409
    except WRITE_ERRORS as exc:
        context.update({"locked": True, "errors": [_message(exc)]})
        status = _status_for(exc)
    except ValidationError as exc:
        context["errors"] = _errors(exc)
        status = 400
    else:
        context.update(
            {"note": saved, "saved_at": timezone.localtime(), "carried": _carried(saved, form), "oob": True}
        )
    return render(request, "notes/_autosave_status.html", context, status=status)


@require_POST
@sensitive_post_parameters("password")
def note_sign(request, pk):
    """Sign from the editor: the current form content is saved and signed in one step.
    Signing needs a recent authentication: without one, the ``password`` field
    sent with the form re-authenticates and signs at once, or nothing happens."""
    note = get_note_for_user(request.user, pk)
    if not _can_edit(note, request.user):
        return _refused(request, note)
    form = NoteForm(request.POST, instance=note, intake_url=_intake_url(note))
    if not form.is_valid():
        return render(request, "notes/note_detail.html", _context(request, note, form=form), status=400)
    refused = sign_refusal(
        request,
        wrong="That password is not right. The note was not signed.",
        refuse=lambda error: render(
            request,
            "notes/note_detail.html",
            {**_context(request, note, form=form), "reauth_error": error},
            status=403,
        ),
    )
    if refused is not None:
        return refused
    try:
        services.note_sign(
            note=note,
            by=request.user,
            version=form.cleaned_data["version"],
            data=form.cleaned_data,
            reviewed=request.POST.getlist("reviewed"),
        )
    except WRITE_ERRORS as exc:
        return render(
            request,
            "notes/note_detail.html",
            _context(request, note, form=form, alert=_message(exc)),
            status=_status_for(exc),
        )
    except ValidationError as exc:
        # The discharge reason's message also stands beside its field.
        for name, problems in getattr(exc, "message_dict", {}).items():
            if name in services.DISCHARGE_FIELDS and name in form.fields:
                for problem in problems:
                    form.add_error(name, problem)
        return render(
            request,
            "notes/note_detail.html",
            _context(request, note, form=form, sign_errors=_errors(exc)),
            status=400,
        )
    messages.success(request, "Note signed and locked. Later changes are added as addenda.")
    return redirect(note)


def _row_refused(request, note, exc: Exception | None = None, *, which="treatments"):
    """A row write refused (signed, entered in error, not the author), by the view
    or by the service (``exc``): 403 or 409 with the reason, for htmx in the
    section and otherwise on the page. Nothing is saved."""
    alert, status = (_message(exc), _status_for(exc)) if exc else _refusal(note, request.user)
    if not request.htmx:
        return _refused(request, note, alert=alert, status=status)
    note = _refetch(request, note)
    context = _context(request, note)
    context["row_error"] = alert
    template = "notes/_treatments.html" if which == "treatments" else "notes/_palpation.html"
    return render(request, template, context, status=status)


def _after_row_change(
    request, note, *, treatment_form=None, palpation_form=None, error="", which="treatments"
):
    if request.htmx:
        note = _refetch(request, note)
        context = _context(request, note, treatment_form=treatment_form, palpation_form=palpation_form)
        context["row_error"] = error
        template = "notes/_treatments.html" if which == "treatments" else "notes/_palpation.html"
        status = (
            400
            if (
                error
                or (treatment_form and treatment_form.errors)
                or (palpation_form and palpation_form.errors)
            )
            else 200
        )
        return render(request, template, context, status=status)
    if error:
        messages.error(request, error)
    return redirect(reverse("note_detail", args=[note.pk]) + f"#{which}")


def _override_request(request, form) -> services.OverrideRequest | None:
    """The override the form asks for, with the password checked only once the
    reason and the re-check are given (a wrong password is audited and counted)."""
    if not form.wants_override:
        return None
    data = form.cleaned_data
    reason, recheck = data.get("override_reason", ""), data.get("override_recheck", False)
    password = data.get("override_password", "")
    reauthenticated, error = False, "Enter your password to override the safety rule."
    if reason.strip() and recheck and password:
        reauthenticated = confirm_password(request, password, purpose="safety override")
        error = "That password is not right. Nothing was saved."
    return services.OverrideRequest(reason, recheck, reauthenticated, error)


@require_POST
@sensitive_post_parameters("t-override_password")
def treatment_add(request, pk):
    note = get_note_for_user(request.user, pk)
    if not _can_edit(note, request.user):
        return _row_refused(request, note)
    form = TreatmentForm(request.POST, note=note)
    if form.is_valid():
        override = _override_request(request, form)
        if not request.user.is_authenticated:  # too many wrong passwords: signed out
            return redirect("login")
        try:
            services.treatment_add(note=note, by=request.user, data=form.cleaned_data, override=override)
        except WRITE_ERRORS as exc:
            return _row_refused(request, note, exc)
        except ValidationError as exc:
            form.interlocked = isinstance(exc, services.InterlockRefused) or override is not None
            add_validation_errors(form, exc)
        else:
            return _after_row_change(request, note)
    if not request.htmx:
        note = _refetch(request, note)
        return render(
            request, "notes/note_detail.html", _context(request, note, treatment_form=form), status=400
        )
    return _after_row_change(request, note, treatment_form=form)


@require_POST
@sensitive_post_parameters("override_password")
def note_override_consent(request, pk):
    """Treat at this visit although consent on file is missing or out of date:
    a reason, the screen re-checked and the password, or nothing is saved."""
    note = get_note_for_user(request.user, pk)
    if not _can_edit(note, request.user):
        return _refused(request, note)
    form = ConsentOverrideForm(request.POST)
    form.is_valid()
    override = _override_request(request, form)
    if not request.user.is_authenticated:  # too many wrong passwords: signed out
        return redirect("login")
    try:
        services.note_override_consent(note=note, by=request.user, override=override)
    except WRITE_ERRORS as exc:
        return (
            _refused(request, note)
            if isinstance(exc, RecordLocked)
            else _after_row_change(request, note, error=_message(exc))
        )
    except ValidationError as exc:
        add_validation_errors(form, exc)
        note = _refetch(request, note)
        return render(
            request,
            "notes/note_detail.html",
            _context(request, note, consent_override_form=form),
            status=400,
        )
    messages.success(request, "Override recorded: it shows on the note and its printout.")
    return redirect(reverse("note_detail", args=[note.pk]) + "#overrides")


def _row_step(request, pk, row, *, reach, step, arg: str, which="treatments"):
    """One POSTed change to a row of a note: ``reach`` finds the row within the note,
    ``step`` is the service, taking the row as ``arg``. The note's section again, or the
    refusal."""
    note = get_note_for_user(request.user, pk)
    target = reach(request.user, note, row)
    try:
        step(**{arg: target}, by=request.user)
    except WRITE_ERRORS as exc:
        return _row_refused(request, note, exc, which=which)
    return _after_row_change(request, note, which=which)


@require_POST
def treatment_remove(request, pk, row):
    reach = get_treatment_for_user
    return _row_step(request, pk, row, reach=reach, step=services.treatment_remove, arg="treatment")


@require_POST
def treatment_confirm(request, pk, row):
    reach = get_treatment_for_user
    return _row_step(request, pk, row, reach=reach, step=services.treatment_confirm, arg="treatment")


@require_POST
def treatments_repeat(request, pk):
    note = get_note_for_user(request.user, pk)
    try:
        services.treatments_repeat_last(note=note, by=request.user)
    except WRITE_ERRORS as exc:
        return _row_refused(request, note, exc)
    except ValidationError as exc:
        return _after_row_change(request, note, error=" ".join(_errors(exc)))
    return _after_row_change(request, note)


@require_POST
def palpation_add(request, pk):
    note = get_note_for_user(request.user, pk)
    if not _can_edit(note, request.user):
        return _row_refused(request, note, which="palpation")
    form = PalpationForm(request.POST, note=note)
    if form.is_valid():
        try:
            services.palpation_add(note=note, by=request.user, data=form.cleaned_data)
        except WRITE_ERRORS as exc:
            return _row_refused(request, note, exc, which="palpation")
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            return _after_row_change(request, note, which="palpation")
    if not request.htmx:
        note = _refetch(request, note)
        return render(
            request, "notes/note_detail.html", _context(request, note, palpation_form=form), status=400
        )
    return _after_row_change(request, note, palpation_form=form, which="palpation")


@require_POST
def palpation_remove(request, pk, row):
    reach, step = get_palpation_for_user, services.palpation_remove
    return _row_step(request, pk, row, reach=reach, step=step, arg="finding", which="palpation")


@require_POST
def note_apply_template(request, pk):
    """A template button in the editor: saves the current fields, then fills the empty ones."""
    note = get_note_for_user(request.user, pk)
    if not _can_edit(note, request.user):
        return _refused(request, note)
    form = NoteForm(request.POST, instance=note, intake_url=_intake_url(note))
    if not form.is_valid():
        return render(request, "notes/note_detail.html", _context(request, note, form=form), status=400)
    try:
        services.note_apply_template(
            note=note,
            by=request.user,
            kind=request.POST.get("kind", ""),
            version=form.cleaned_data["version"],
            data=form.cleaned_data,
        )
    except WRITE_ERRORS as exc:
        return render(
            request,
            "notes/note_detail.html",
            _context(request, note, form=form, alert=_message(exc)),
            status=_status_for(exc),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
    else:
        messages.success(request, "Template text added to the empty fields.")
    return redirect(note)


@require_POST
def note_link_assessment(request, pk):
    note = get_note_for_user(request.user, pk)
    if not _can_edit(note, request.user):
        return _refused(request, note)
    tools_choices = pages.draft_tools(note, request.user).assessment_choices
    form = AssessmentLinkForm(request.POST, choices=tools_choices)
    if not form.is_valid():
        messages.error(request, "Choose one of this client's assessments.")
        return redirect(note)
    assessment = None
    if form.cleaned_data["assessment"]:
        assessment = get_assessment_for_user(request.user, form.cleaned_data["assessment"])
    try:
        services.note_link_assessment(note=note, by=request.user, assessment=assessment)
    except WRITE_ERRORS as exc:
        return _refused_by(request, note, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
    else:
        messages.success(request, "Assessment linked." if assessment else "Assessment unlinked.")
    return redirect(reverse("note_detail", args=[note.pk]) + "#section-o")


# --- Amendments and the PDF -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@therapist_required
def amendment_new(request, pk):
    note = get_note_for_user(request.user, pk)
    if not may_act_as_author(author_id=note.therapist_id, by=request.user):
        return _refused(request, note, alert=services.AMEND_REFUSED, status=403)
    form = AmendmentForm(request.POST or None, note=note)
    if not form.fields["kind"].choices:
        raise Http404("Nothing to amend")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.amendment_add(
                note=note,
                by=request.user,
                kind=data["kind"],
                reason=data["reason"],
                text=data["text"],
            )
        except services.NotePermissionError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Amendment signed and added beneath the note.")
            return redirect(reverse("note_detail", args=[note.pk]) + "#amendments")
    page = pages.note_page(note)
    read_recorded(request, note, client=note.client_id, record=request.method == "GET")
    return render(
        request,
        "notes/amendment_form.html",
        {"note": note, "client": note.client, "form": form, "page": page, "flags": page.flags},
        status=400 if form.errors else 200,
    )


def _filename(note) -> str:
    name = re.sub(r"[^A-Za-z0-9]+", "-", f"{note.client.last_name}-{note.client.first_name}").strip("-")
    return f"visit-note-{name or 'client'}-{timezone.localtime(note.service_at):%Y-%m-%d}.pdf"


@require_GET
def note_pdf(request, pk):
    note = note_for_reading(request, pk, action="print")
    data = pages.note_pdf_data(pages.note_page(note))
    pdf = render_note_pdf(data)
    if not data.content_matches:
        services.note_signature_mismatch_record(note=note, by=request.user, where="pdf")
    return file_response(pdf, content_type="application/pdf", filename=_filename(note))


# --- Snippets -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@therapist_required
def snippet_list(request):
    form = SnippetForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.snippet_create(
                by=request.user,
                title=data["title"],
                text=data["text"],
                clinic_wide=data.get("clinic_wide", False),
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Snippet added.")
            return redirect("snippet_list")
    snippets = list(Snippet.objects.available_to(request.user))
    return render(
        request,
        "notes/snippet_list.html",
        {"form": form, "snippets": snippets, "can_delete_clinic": request.user.is_clinic_admin},
        status=400 if form.errors else 200,
    )


@require_POST
@therapist_required
def snippet_delete(request, pk):
    snippet = get_snippet_for_user(request.user, pk)
    try:
        services.snippet_delete(snippet=snippet, by=request.user)
    except services.NotePermissionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Snippet removed.")
    return redirect("snippet_list")
