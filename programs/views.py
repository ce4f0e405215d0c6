"""Program pages: the exercise library, the builder, versions, handouts, adherence.

Views are thin: access function, form, one service call, then redirect or render.
Builder actions answer htmx requests with the re-rendered builder panel and
plain requests with a redirect, so the page also works without JavaScript.
"""

from __future__ import annotations

import copy
import functools
import mimetypes

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.access import clinical_client_stamp_for_user, get_clinical_client_for_user, read_recorded
from clinic.decorators import admin_required
from clinic.forms import add_validation_errors
from clinic.models import Client
from clinic.page_cache import cached_page
from core.errors import DomainError
from core.http import file_response
from notes.access import get_note_for_user
from notes.views import refused_page
from programs import pages, services
from programs.access import (
    can_edit_exercise,
    current_version_for_handout,
    get_exercise_for_user,
    get_indication_for_admin,
    get_item_for_user,
    get_version_for_user,
    version_for_reading,
)
from programs.drawings import drawing_svg
from programs.forms import (
    AddItemForm,
    AdherenceForm,
    ExerciseForm,
    IndicationForm,
    IssueForm,
    ItemForm,
    LibrarySearchForm,
    OverrideForm,
    PainRuleForm,
)
from programs.handout import render_handout
from programs.models import (
    Exercise,
    PainMonitoringRule,
    ProgramVersion,
    ReferralOption,
)
from programs.selectors import (
    builder_signals,
    issued_today,
    items_of,
    latest_findings,
    recent_visits,
    suggestions_for,
)


def _library_user(request) -> None:
    if not (request.user.is_therapist or request.user.is_clinic_admin):
        raise Http404("Not found")


def _form_errors(form) -> str:
    parts = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        label = label or field.replace("_", " ").capitalize() if field != "__all__" else ""
        parts.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return " ".join(parts)


# --- Exercise library ---------------------------------------------------------------


@require_GET
def exercise_list(request):
    _library_user(request)
    form = LibrarySearchForm(request.GET or None)
    text = region = ""
    if form.is_valid():
        text, region = form.cleaned_data["q"], form.cleaned_data["region"]
    exercises = list(Exercise.objects.active().search(text, region).for_list()[:200])
    rows = [
        (ex, drawing_svg(ex.drawing, 120) if ex.drawing and not ex.illustration else "") for ex in exercises
    ]
    return render(
        request,
        "programs/exercise_list.html",
        {
            "form": form,
            "rows": rows,
            "is_admin": request.user.is_clinic_admin,
            "can_add": True,
            "referrals": list(ReferralOption.objects.active()),
        },
    )


@admin_required
@require_http_methods(["GET", "POST"])
def library_manage(request):
    """Admin page: every exercise including retired ones, and the pain-monitoring bands."""
    rule = PainMonitoringRule.load()
    form = PainRuleForm(
        request.POST or None, initial={"green_max": rule.green_max, "amber_max": rule.amber_max}
    )
    if request.method == "POST" and form.is_valid():
        services.pain_rule_update(by=request.user, **form.cleaned_data)
        messages.success(request, "Pain-monitoring bands saved.")
        return redirect("programs:library_manage")
    exercises = Exercise.objects.for_list()
    return render(
        request, "programs/library_manage.html", {"form": form, "exercises": exercises, "rule": rule}
    )


@require_http_methods(["GET", "POST"])
def exercise_create(request):
    _library_user(request)
    form = ExerciseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        illustration = data.pop("illustration", None)
        exercise = services.exercise_create(by=request.user, data=data, illustration=illustration)
        messages.success(request, f"{exercise.name} added to the library.")
        return redirect(exercise.get_absolute_url())
    return render(request, "programs/exercise_form.html", {"form": form, "title": "New exercise"})


@require_http_methods(["GET", "POST"])
def exercise_edit(request, pk):
    exercise = get_exercise_for_user(request.user, pk, for_write=True)
    form = ExerciseForm(request.POST or None, request.FILES or None, instance=copy.copy(exercise))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        illustration = data.pop("illustration", None)
        remove = data.pop("remove_illustration", False)
        services.exercise_update(
            exercise=exercise,
            by=request.user,
            data=data,
            illustration=illustration,
            remove_illustration=remove,
        )
        messages.success(request, "Exercise saved.")
        return redirect(exercise.get_absolute_url())
    return render(request, "programs/exercise_form.html", {"form": form, "title": f"Edit {exercise.name}"})


@require_GET
def exercise_detail(request, pk):
    exercise = get_exercise_for_user(request.user, pk)
    is_admin = request.user.is_clinic_admin
    context = {
        "exercise": exercise,
        "svg": drawing_svg(exercise.drawing, 320) if exercise.drawing else "",
        "indications": list(exercise.indications.all()),
        "can_edit": can_edit_exercise(request.user, exercise),
        "is_admin": is_admin,
        "indication_form": IndicationForm() if is_admin else None,
    }
    return render(request, "programs/exercise_detail.html", context)


@require_GET
def exercise_image(request, pk):
    exercise = get_exercise_for_user(request.user, pk)
    if not exercise.illustration:
        raise Http404("No illustration")
    try:
        handle = exercise.illustration.open("rb")
    except OSError:
        raise Http404("No illustration") from None
    content_type = mimetypes.guess_type(exercise.illustration.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@admin_required
@require_POST
def exercise_set_active(request, pk):
    exercise = get_exercise_for_user(request.user, pk)
    services.exercise_set_active(exercise=exercise, by=request.user, active=request.POST.get("active") == "1")
    messages.success(request, f"{exercise.name} {'restored' if exercise.is_active else 'retired'}.")
    return redirect("programs:library_manage")


@admin_required
@require_POST
def indication_add(request, pk):
    exercise = get_exercise_for_user(request.user, pk)
    form = IndicationForm(request.POST)
    if form.is_valid():
        try:
            services.indication_add(exercise=exercise, by=request.user, **form.cleaned_data)
            messages.success(request, "Mapping added.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _form_errors(form))
    return redirect(exercise.get_absolute_url())


@admin_required
@require_POST
def indication_remove(request, pk):
    indication = get_indication_for_admin(request.user, pk)
    services.indication_remove(indication=indication, by=request.user)
    return redirect(indication.exercise.get_absolute_url())


# --- Builder ---------------------------------------------------------------------------


def _builder_response(
    request, client: Client, *, errors: dict | None = None, refused: pages.Refusal | None = None
):
    # htmx answers are 200 even for refused input: htmx swaps only successful
    # responses, and the refusal message travels inside the re-rendered panel.
    if request.htmx:
        context = pages.builder_panel(client, **_builder_args(request), errors=errors, refused=refused)
        return render(request, "programs/_builder_panel.html", context)
    if refused is not None:
        # Without JavaScript the refusal and its reason box need the whole page.
        return render(
            request,
            "programs/builder.html",
            pages.builder_page(client, **_builder_args(request), refused=refused),
            status=400,
        )
    return redirect("programs:builder", client.pk)


def _refused(request, client: Client, exc: DomainError, *, errors: dict | None = None):
    """The builder with the refusal's reason (someone else's draft: 403; an issued
    version or a stale form from another tab: 409; nothing was saved): the panel for
    htmx (the builder's script swaps those answers in), the whole page otherwise."""
    status = exc.status
    messages.error(request, exc.message)
    if request.htmx:
        context = pages.builder_panel(client, **_builder_args(request), errors=errors)
        return render(request, "programs/_builder_panel.html", context, status=status)
    return render(
        request,
        "programs/builder.html",
        pages.builder_page(client, **_builder_args(request), errors=errors),
        status=status,
    )


def _builder_args(request) -> dict:
    return {"user": request.user, "visit": request.GET.get("visit")}


def _revision(request) -> int:
    """The draft revision a builder form was loaded at; a form without one counts as stale."""
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return 0


@require_GET
def builder(request, pk):
    # One narrow query decides access and names the cache key; the client is loaded
    # through its access function only when the page is rendered.
    stamp = clinical_client_stamp_for_user(request.user, pk)
    args = _builder_args(request)

    @functools.cache
    def client():
        return get_clinical_client_for_user(request.user, pk)

    # Rendered once per reader, scope, record version and visit (clinic.page_cache).
    response, _ = cached_page(
        request,
        page="program",
        versions=stamp.versions,
        template="programs/_builder_body.html",
        build=lambda: (pages.builder_page(client(), **args), {}),
        outer="programs/builder.html",
        outer_context=lambda: {"client": client()},
        parts=(args["visit"],),
    )
    read_recorded(request, None, client=stamp.client_id, detail={"page": "program"})
    return response


@require_GET
def builder_library(request, pk):
    """htmx: the library list filtered by text and region."""
    client = get_clinical_client_for_user(request.user, pk)
    form = LibrarySearchForm(request.GET)
    text = region = ""
    if form.is_valid():
        text, region = form.cleaned_data["q"], form.cleaned_data["region"]
    library = Exercise.objects.active().search(text, region).for_list()[: pages.LIBRARY_PAGE]
    return render(request, "programs/_library_results.html", {"client": client, "library": library})


@require_POST
def builder_add(request, pk):
    client = get_clinical_client_for_user(request.user, pk)
    form = AddItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _builder_response(request, client)
    data = form.cleaned_data
    try:
        services.program_exercise_add(
            client=client,
            exercise=data["exercise"],
            by=request.user,
            reason=data["reason"],
            source_code=data["source_code"],
            side=data["side"] or "",
            override_reason=data["override_reason"],
        )
    except DomainError as exc:
        return _refused(request, client, exc)
    except ValidationError as error:
        if "override_reason" in getattr(error, "error_dict", {}):
            add_validation_errors(form, error)
            return _builder_response(
                request, client, refused=pages.Refusal(exercise=data["exercise"], form=form)
            )
        messages.error(request, " ".join(error.messages))
    return _builder_response(request, client)


@require_POST
def item_override(request, pk):
    """Keep a draft item the client's safety rules now advise against, with a reason."""
    item = get_item_for_user(request.user, pk)
    client = item.version.client
    form = OverrideForm(request.POST, prefix=f"override{item.pk}")
    if not form.is_valid():
        messages.error(
            request, f"{item.exercise.name}: write your reason for the override. Nothing was saved."
        )
        return _builder_response(request, client)
    try:
        services.program_item_override(
            item=item,
            by=request.user,
            override_reason=form.cleaned_data["override_reason"],
            revision=_revision(request),
        )
        messages.success(request, f"Override recorded for {item.exercise.name}.")
    except DomainError as exc:
        return _refused(request, client, exc)
    except ValidationError as error:
        messages.error(request, f"Nothing was saved. {' '.join(error.messages)}")
    return _builder_response(request, client)


@require_POST
def builder_add_suggested(request, pk):
    """Add the best suggestions from the latest findings, up to a sensible count."""
    client = get_clinical_client_for_user(request.user, pk)
    try:
        draft = services.program_draft(client=client, by=request.user)
        suggestions = suggestions_for(latest_findings(client), signals=builder_signals(client))
        added = services.program_items_add_suggested(
            draft=draft,
            suggestions=suggestions,
            by=request.user,
            limit=pages.SUGGESTED_AT_ONCE,
        )
    except DomainError as exc:
        return _refused(request, client, exc)
    if added:
        messages.success(request, f"Added {len(added)} suggested exercise{'s' if len(added) != 1 else ''}.")
    else:
        messages.info(request, "No suggestion was added: the program already holds enough exercises.")
    safety = services.client_safety(client)
    skipped = [
        s.exercise.name
        for s in suggestions
        if services.exercise_conflicts(safety=safety, exercise=s.exercise)
    ]
    if skipped:
        messages.warning(
            request,
            "Not added because the client's safety rules advise against them (add one by one with a "
            f"written reason if you must): {', '.join(skipped)}.",
        )
    return _builder_response(request, client)


@require_POST
def builder_start(request, pk):
    """Start the next version: a draft copied from the current one."""
    client = get_clinical_client_for_user(request.user, pk)
    try:
        services.program_draft(client=client, by=request.user)
    except DomainError as exc:
        return _refused(request, client, exc)
    return _builder_response(request, client)


@require_POST
def item_update(request, pk):
    item = get_item_for_user(request.user, pk)
    client = item.version.client
    form = ItemForm(request.POST, prefix=f"item{item.pk}")
    if not form.is_valid():
        messages.error(request, f"{item.exercise.name}: {_form_errors(form)} Nothing was saved.")
        return _builder_response(request, client, errors={item.pk: request.POST})
    saved = f"{item.exercise.name} as saved: {item.dosage_text}, {item.frequency}."
    try:
        services.program_item_update(
            item=item, by=request.user, data=form.cleaned_data, revision=_revision(request)
        )
        messages.success(request, f"{item.exercise.name} saved.")
    except services.ProgramConflict as exc:
        # What was typed stays in the item's form; the saved dosage is named.
        exc.message = f"{exc.message} {saved}"
        return _refused(request, client, exc, errors={item.pk: request.POST})
    except DomainError as exc:
        return _refused(request, client, exc)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _builder_response(request, client)


@require_POST
def item_remove(request, pk):
    item = get_item_for_user(request.user, pk)
    client = item.version.client
    try:
        services.program_item_remove(item=item, by=request.user, revision=_revision(request))
    except DomainError as exc:
        return _refused(request, client, exc)
    return _builder_response(request, client)


@require_POST
def item_move(request, pk):
    item = get_item_for_user(request.user, pk)
    client = item.version.client
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        services.program_item_move(item=item, by=request.user, offset=offset, revision=_revision(request))
    except DomainError as exc:
        return _refused(request, client, exc)
    return _builder_response(request, client)


@require_POST
def builder_issue(request, pk):
    client = get_clinical_client_for_user(request.user, pk)
    draft = ProgramVersion.objects.for_client(client).drafts().first()
    if draft is None:
        messages.error(request, "There is no draft to issue.")
        return redirect("programs:builder", client.pk)
    form = IssueForm(request.POST, visits=recent_visits(client), client=client)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("programs:builder", client.pk)
    try:
        version = services.program_issue(
            version=draft, by=request.user, revision=_revision(request), **form.cleaned_data
        )
    except DomainError as exc:
        return _refused(request, client, exc)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("programs:builder", client.pk)
    messages.success(request, f"Version {version.number} issued. Print the handout for the client.")
    return redirect(version.get_absolute_url())


@require_POST
def builder_discard(request, pk):
    client = get_clinical_client_for_user(request.user, pk)
    draft = ProgramVersion.objects.for_client(client).drafts().first()
    if draft is not None:
        try:
            services.program_draft_discard(draft=draft, by=request.user, revision=_revision(request))
        except DomainError as exc:
            return _refused(request, client, exc)
        messages.info(request, "Draft discarded.")
    return redirect("programs:builder", client.pk)


# --- Versions and handouts -------------------------------------------------------------


@require_GET
def version_detail(request, pk):
    version = version_for_reading(request, pk)
    context = pages.version_page(version, user=request.user)
    return render(request, "programs/version_detail.html", context)


def _handout(request, version: ProgramVersion) -> HttpResponse:
    if not version.is_issued:
        raise Http404("Only issued versions have a handout")
    pdf = render_handout(pages.handout_data([version]))
    read_recorded(
        request,
        version,
        client=version.client_id,
        action="print",
        detail={"document": "handout", "number": version.number},
    )
    return file_response(
        pdf, content_type="application/pdf", filename=f"home-program-v{version.number}.pdf", inline=True
    )


@require_GET
def client_handout(request, pk):
    client = get_clinical_client_for_user(request.user, pk)
    version = current_version_for_handout(client)
    return _handout(request, version)


@require_GET
def version_handout(request, pk):
    return _handout(request, get_version_for_user(request.user, pk))


@require_GET
def batch_handouts(request):
    """Every program issued today for the clients whose clinical record the user
    may read, in one PDF. A front-desk admin who is not a therapist reads no
    program content, so the batch is empty for them (404)."""
    versions = issued_today(request.user)
    if not versions:
        if not request.user.is_therapist:
            raise Http404("Not found")
        messages.info(request, "No home programs were issued today for your clients.")
        return redirect("home")
    pdf = render_handout(pages.handout_data(versions))
    for version in versions:
        read_recorded(
            request,
            version,
            client=version.client_id,
            action="print",
            detail={"document": "handout", "batch": True},
        )
    filename = f"home-programs-{timezone.localdate():%Y-%m-%d}.pdf"
    return file_response(pdf, content_type="application/pdf", filename=filename, inline=True)


# --- Adherence -------------------------------------------------------------------------


@require_POST
def adherence_record(request, pk):
    """Adherence recorded from the program page (no visit note)."""
    client = get_clinical_client_for_user(request.user, pk)
    current = ProgramVersion.objects.for_client(client).latest_issued()
    if current is None:
        raise Http404("No issued program")
    form = AdherenceForm(request.POST, items=items_of(current))
    if form.is_valid():
        try:
            services.adherence_record(client=client, by=request.user, rows=form.cleaned_data["rows"])
            messages.success(request, "Adherence recorded.")
        except DomainError as exc:
            messages.error(request, exc.message)
            return render(
                request,
                "programs/version_detail.html",
                pages.version_page(current, user=request.user),
                status=exc.status,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _form_errors(form) + " Nothing was saved.")
    return redirect(reverse("programs:version_detail", args=[current.pk]) + "#adherence")


@require_POST
def note_adherence_record(request, pk):
    """Adherence recorded on a visit note page (the note's S section)."""

    note = get_note_for_user(request.user, pk)
    current = ProgramVersion.objects.for_client(note.client_id).latest_issued()
    back = note.get_absolute_url()
    if current is None:
        messages.error(request, "This client has no issued program yet.")
        return redirect(back)
    form = AdherenceForm(request.POST, items=items_of(current))
    if form.is_valid():
        try:
            services.adherence_record(
                client=note.client,
                by=request.user,
                rows=form.cleaned_data["rows"],
                visit=note,
            )
            messages.success(request, "Home-program adherence recorded.")
        except DomainError as exc:
            # The note page with the reason: nothing was saved.

            return refused_page(request, note, alert=exc.message, status=exc.status)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _form_errors(form) + " Nothing was saved.")
    return redirect(back + "#program-adherence")
