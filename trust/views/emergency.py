"""Emergency ("break-glass") access: a therapist whom an admin has allowed to
break the glass finds a client outside their care team by name and date of
birth, gives a reason and their password, and reads and writes the record for
a limited time. Admins are told, and review every grant afterwards."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.log import audit_record
from audit.models import AuditEvent
from clinic import selectors, services
from clinic.access import (
    get_client_for_emergency,
    get_emergency_grant_for_admin,
    get_emergency_grant_for_user,
    may_break_glass,
    read_recorded,
)
from clinic.decorators import admin_required
from clinic.forms import add_validation_errors
from clinic.models import Client, EmergencyAccess
from clinic.reauth import confirm_password
from trust import audit_words
from trust.forms import EmergencyReviewForm, EmergencySearchForm, EmergencyStartForm

GRANTS_PER_PAGE = 25
REVIEW_EVENT_LIMIT = 200


def break_glass_required(view):
    """Pages for therapists an admin has allowed to break the glass; 404 for everyone else."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_break_glass(request.user):
            raise Http404("Not found")
        return view(request, *args, **kwargs)

    return wrapper


# --- The therapist's side ------------------------------------------------------------


@require_GET
@break_glass_required
def emergency_access(request):
    user = request.user
    services.emergency_access_close_expired(seen_by=user, grants=EmergencyAccess.objects.filter(user=user))
    form = EmergencySearchForm(request.GET or None)
    results: list[Client] = []
    searched = form.is_bound and form.is_valid()
    if searched:
        results = selectors.emergency_search(
            name=form.cleaned_data["name"], date_of_birth=form.cleaned_data["date_of_birth"]
        )
        audit_record(
            actor=user,
            action="query",
            request=request,
            detail={
                "page": "emergency access search",
                "search": form.cleaned_data["name"],
                "date_of_birth": form.cleaned_data["date_of_birth"].isoformat(),
                "clients": [c.pk for c in results],
            },
        )
    grants = selectors.emergency_grants_of(user)
    return render(
        request,
        "clinic/emergency_access.html",
        {
            "form": form,
            "searched": searched,
            "results": results,
            "grants": grants,
            "minutes": settings.KC_BREAK_GLASS_MINUTES,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
@break_glass_required
def emergency_access_start(request, pk):
    client = get_client_for_emergency(request.user, pk)
    form = EmergencyStartForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if not confirm_password(request, form.cleaned_data["password"], purpose="break_glass"):
                form.add_error("password", "That password is not right. Emergency access was not opened.")
                status = 403
                if not request.user.is_authenticated:  # too many wrong passwords: signed out
                    return redirect("login")
            else:
                try:
                    grant = services.emergency_access_start(
                        user=request.user,
                        client=client,
                        reason=form.cleaned_data["reason"],
                        site_url=request.build_absolute_uri("/"),
                    )
                except ValidationError as exc:
                    add_validation_errors(form, exc)
                else:
                    messages.warning(
                        request,
                        f"Emergency access to {client.full_name} is open for "
                        f"{settings.KC_BREAK_GLASS_MINUTES} minutes. "
                        "Everything you do is flagged for review.",
                    )
                    return redirect("client_detail", pk=grant.client_id)
    else:
        read_recorded(request, client, detail={"page": "emergency access", "category": "demographics"})
    return render(
        request,
        "clinic/emergency_start.html",
        {"client": client, "form": form, "minutes": settings.KC_BREAK_GLASS_MINUTES},
        status=status,
    )


@require_POST
def emergency_access_end(request, pk):
    """End a grant now: its holder, or an admin revoking it."""
    grant = get_emergency_grant_for_user(request.user, pk)
    try:
        services.emergency_access_end(grant=grant, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Emergency access ended.")
    if request.user.pk == grant.user_id:
        return redirect("emergency_access")
    return redirect("emergency_review", pk=grant.pk)


# --- The admins' side ----------------------------------------------------------------


@require_GET
@admin_required
def emergency_review_list(request):
    services.emergency_access_close_expired(seen_by=request.user)
    page = Paginator(EmergencyAccess.objects.for_review(), GRANTS_PER_PAGE).get_page(request.GET.get("page"))
    grants = list(page.object_list)
    audit_record(
        actor=request.user,
        action="list",
        request=request,
        detail={"page": "emergency access review", "grants": [g.pk for g in grants]},
    )
    return render(request, "clinic/emergency_review_list.html", {"page": page, "grants": grants})


@require_http_methods(["GET", "POST"])
@admin_required
def emergency_review(request, pk):
    grant = get_emergency_grant_for_admin(request.user, pk)
    form = EmergencyReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.emergency_access_review(
                grant=grant, by=request.user, note=form.cleaned_data["review_note"]
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Emergency access marked reviewed.")
            return redirect("emergency_review_list")
    read_recorded(
        request,
        grant,
        client=grant.client_id,
        detail={"page": "emergency access review", "break_glass_reviewed": grant.pk},
        record=request.method == "GET",
    )
    # What the holder did meanwhile: the audit rows flagged with this grant
    # (actions and record ids only, never clinical content).
    events = [
        {
            "at": event.at,
            "action": audit_words.action_label(event.action),
            "record": audit_words.record_name(event.object_type),
            "outcome": event.get_outcome_display(),
        }
        for event in AuditEvent.objects.for_client(grant.client_id)
        .filter(actor_id=grant.user_id, detail__break_glass=grant.pk)
        .order_by("id")[:REVIEW_EVENT_LIMIT]
    ]
    return render(
        request,
        "clinic/emergency_review.html",
        {
            "grant": grant,
            "form": form,
            "events": events,
            "event_limit": REVIEW_EVENT_LIMIT,
            "can_review": grant.reviewed_at is None
            and grant.user_id != request.user.pk
            and not grant.is_active(),
            "can_end": grant.is_active(),
        },
        status=400 if form.errors else 200,
    )
