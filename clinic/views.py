from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.log import audit_record
from clinic import care_team_version, services
from clinic.access import (
    can_export_client,
    client_stamp_for_user,
    get_client_for_user,
    get_clinical_client_for_user,
    get_user_for_admin,
    read_recorded,
)
from clinic.decorators import admin_required
from clinic.forms import (
    ClientForm,
    ClientSearchForm,
    ClinicProfileForm,
    ConsentWithdrawForm,
    HealthScreenForm,
    UserCreateForm,
    UserEditForm,
    add_validation_errors,
)
from clinic.models import Client, ClinicProfile, HealthScreen, User
from clinic.page_cache import cached_page
from clinic.screening import AMBER, CONSENT_TEXT, CONSENT_TEXT_VERSION, RED, flags_from_answers
from clinic.selectors import client_search_page, home_clients, intake_summary, screen_page
from core.composition import chart_desk_sections, chart_sections, home_notices, home_sections

CLIENTS_PER_PAGE = 25


@login_not_required
@require_GET
@never_cache
def healthz(request):
    """For load balancers: answers without login and checks the database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
def ping(request):
    """The cheapest signed-in page (session and user lookup, nothing else): the
    floor that ``make bench`` compares every other page against."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def home(request):
    user = request.user
    page = Paginator(home_clients(user), CLIENTS_PER_PAGE).get_page(1)
    clients = list(page.object_list)
    audit_record(
        actor=user,
        action="list",
        request=request,
        detail={"page": "home", "clients": [c.pk for c in clients]},
    )
    return render(
        request,
        "clinic/home.html",
        {
            "clients": clients,
            "client_count": page.paginator.count,
            "notices": home_notices(user=user),
            "sections": home_sections(user=user) if user.is_therapist else [],
        },
    )


@require_GET
def client_list(request):
    def build():
        form = ClientSearchForm(request.GET or None)
        filters = form.filters() if form.is_valid() else {}
        page = client_search_page(
            request.user,
            page_number=request.GET.get("page"),
            per_page=CLIENTS_PER_PAGE,
            list_version=list_version,
            **filters,
        )
        clients = list(page.object_list)
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "form": form,
            "page": page,
            "clients": clients,
            "query": query.urlencode(),
            "can_create": request.user.is_clinic_admin,
            "can_import": request.user.is_clinic_admin,
        }
        detail = {
            "search": filters.get("text", ""),
            "therapist": getattr(filters.get("therapist"), "pk", None),
            "status": filters.get("status", "active"),
            "page": page.number,
            "clients": [c.pk for c in clients],
        }
        return context, detail

    # Kept per reader, query and list version (clinic.care_team_version), which moves
    # whenever who may see which client, or what the list shows of one, changes.
    list_version = care_team_version.current(request.user)
    version, expiry = list_version
    response, detail = cached_page(
        request,
        page="client-list",
        template="clinic/_client_list_body.html",
        build=build,
        outer="clinic/client_list.html",
        outer_context={},
        versions=None if version is None else (version, expiry),
        parts=tuple(sorted(request.GET.lists())),
    )
    audit_record(actor=request.user, action="query", request=request, detail=detail)
    return response


@require_http_methods(["GET", "POST"])
@admin_required
def client_create(request):
    form = ClientForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = services.client_possible_duplicates(
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data["date_of_birth"],
        )
        if not duplicates or request.POST.get("confirm_duplicate") == "1":
            client = services.client_create(by=request.user, data=data, care_team=data["care_team"])
            messages.success(request, f"Client {client.full_name} created.")
            return redirect(client)
    return render(
        request,
        "clinic/client_form.html",
        {
            "form": form,
            "duplicates": duplicates,
            "title": "New client",
            "cancel_url": reverse("client_list"),
        },
    )


@require_GET
def client_detail(request, pk):
    # One narrow query decides access and names the cache key; the whole record is
    # reached through the same access function only when the page must be rendered.
    stamp = client_stamp_for_user(request.user, pk)
    clinical = stamp.clinical
    loaded: dict = {}

    def record() -> Client:
        if "client" not in loaded:
            loaded["client"] = get_client_for_user(request.user, pk, with_clinical=True)
        return loaded["client"]

    def build():
        client = record()
        care_team = list(client.care_team.all())
        context = {
            "client": client,
            "care_team": care_team,
            "clinical": clinical,
            "can_edit": True,
            "can_archive": request.user.is_clinic_admin,
            "can_export": can_export_client(request.user, client, clinical=clinical),
            "can_log_disclosures": request.user.is_clinic_admin,
            # The front desk attaches paper from reception; the care team attaches on the Documents card.
            "can_attach_paper": request.user.is_clinic_admin and not clinical,
        }
        detail = {"clinical": clinical}
        if clinical:
            intake = intake_summary(client)
            sections = chart_sections(client=client, user=request.user)
            for section in sections:
                detail.update(section.audit)
            context.update(
                {
                    "screen": intake.screen,
                    "flags": intake.banner,
                    "local_flags": intake.local,
                    "consent": intake.consent,
                    "sections": sections,
                    # Tabs across the top of the chart; each is a link to its section, so all work without JS.
                    "tabs": [
                        {"label": "Overview", "anchor": "client-header", "icon": "user"},
                        {"label": "Health screen", "anchor": "intake", "icon": "heart"},
                        *(
                            {"label": label, "anchor": anchor, "icon": icon}
                            for label, anchor, icon in (s.tab for s in sections if s.tab)
                        ),
                    ],
                }
            )
        else:
            context["desk_sections"] = chart_desk_sections(client=client, user=request.user)
        return context, detail

    # The page is rendered once per reader, scope and record version (clinic.page_cache);
    # the access check above and the audit row below happen on every request.
    response, detail = cached_page(
        request,
        page="chart",
        versions=stamp.versions,
        template="clinic/_client_detail_body.html",
        build=build,
        outer="clinic/client_detail.html",
        outer_context=lambda: {"client": record()},
        parts=(clinical,),
    )
    # The row names the sections shown, so it is written once the body is known.
    read_recorded(request, stamp.target(), client=stamp.client_id, detail=detail)
    return response


@require_http_methods(["GET", "POST"])
def client_edit(request, pk):
    client = get_client_for_user(request.user, pk, for_write=True)
    can_assign = request.user.is_clinic_admin
    form = ClientForm(request.POST or None, instance=client, can_assign=can_assign)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.client_update(
                client=client,
                by=request.user,
                data=form.cleaned_data,
                version=form.cleaned_data.get("version") or 0,
                care_team=form.cleaned_data["care_team"] if can_assign else None,
            )
        except services.StaleEdit as exc:
            form.add_error(None, exc.message)
            conflict = True
        else:
            messages.success(request, "Client details saved.")
            return redirect("client_detail", pk=client.pk)
    read_recorded(request, client, detail={"page": "edit"}, record=request.method == "GET")
    return render(
        request,
        "clinic/client_form.html",
        {
            "form": form,
            "client": client,
            "conflict": conflict,
            "title": "Edit client details",
            "cancel_url": reverse("client_detail", args=[client.pk]),
        },
        status=409 if conflict else 200,
    )


@require_POST
@admin_required
def client_archive(request, pk):
    client = get_client_for_user(request.user, pk, for_write=True)
    status = Client.Status.ACTIVE if request.POST.get("restore") else Client.Status.ARCHIVED
    services.client_set_status(client=client, by=request.user, status=status)
    messages.success(request, f"Client {'restored' if status == 'active' else 'archived'}.")
    return redirect(client)


@require_http_methods(["GET", "POST"])
def intake_edit(request, pk):
    client = get_clinical_client_for_user(request.user, pk)
    latest = HealthScreen.objects.latest_for(client)
    answers = list(latest.answers.all()) if latest is not None else []
    form = HealthScreenForm(request.POST or None, initial=HealthScreenForm.initial_from(latest, answers))
    if request.method == "POST" and form.is_valid():
        try:
            services.health_screen_record(
                client=client,
                by=request.user,
                answers=form.answers(),
                **form.screen_fields(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Health screen saved.")
            return redirect("client_detail", pk=client.pk)
    read_recorded(request, latest, client=client)
    return render(
        request,
        "clinic/intake_form.html",
        {
            "client": client,
            "form": form,
            "flags": [
                f
                for f in flags_from_answers(answers, latest.question_set if latest else None)
                if f.severity in (RED, AMBER)
            ],
            "consent_text": CONSENT_TEXT,
            "consent_version": CONSENT_TEXT_VERSION,
        },
    )


@require_http_methods(["GET", "POST"])
def consent_withdraw(request, pk):
    """Record a client's withdrawal of consent: a new consent row with the reason."""
    client = get_clinical_client_for_user(request.user, pk)
    consent = client.consents.select_related("recorded_by").first()
    form = ConsentWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(client=client, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Withdrawal of consent recorded.")
            return redirect("client_detail", pk=client.pk)
    read_recorded(request, consent, client=client)
    return render(
        request,
        "clinic/consent_withdraw.html",
        {"client": client, "consent": consent, "form": form, "can_withdraw": bool(consent and consent.given)},
        status=400 if form.errors else 200,
    )


@require_GET
def screen_detail(request, pk, screen):
    """One screen as it was answered: the questions of its own version, never today's."""
    client = get_clinical_client_for_user(request.user, pk)
    page = screen_page(client, screen)
    read_recorded(request, page.screen, client=client)
    return render(request, "clinic/screen_detail.html", {"client": client, "page": page})


@require_GET
@admin_required
def user_list(request):
    users = User.objects.order_by("-is_active", "first_name", "last_name", "username")
    return render(request, "clinic/user_list.html", {"users": users})


@require_http_methods(["GET", "POST"])
@admin_required
def user_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.user_create(
            by=request.user, data=form.cleaned_data, password=form.cleaned_data["password"]
        )
        messages.success(request, f"User {user.username} created.")
        return redirect("user_list")
    return render(
        request, "clinic/user_form.html", {"form": form, "title": "New user", "submit_label": "Create user"}
    )


@require_http_methods(["GET", "POST"])
@admin_required
def user_edit(request, pk):
    target = get_user_for_admin(request.user, pk)
    username = target.username
    form = UserEditForm(request.POST or None, instance=target, editor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(user=target, by=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"User {username} saved.")
            return redirect("user_list")
    return render(
        request,
        "clinic/user_form.html",
        {"form": form, "title": f"Edit user {username}", "submit_label": "Save user"},
    )


@require_http_methods(["GET", "POST"])
@admin_required
def clinic_profile(request):
    profile = ClinicProfile.load()
    form = ClinicProfileForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.clinic_profile_update(
                by=request.user,
                data=form.cleaned_data,
                logo=form.cleaned_data.get("logo_upload"),
                remove_logo=form.cleaned_data.get("remove_logo"),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error("logo_upload" if field == "logo" else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, "Clinic profile saved.")
            return redirect("clinic_profile")
    return render(request, "clinic/clinic_profile.html", {"form": form, "profile": profile})


@require_GET
def clinic_logo(request):
    profile = ClinicProfile.load()
    if not profile.logo:
        raise Http404("No logo")
    try:
        handle = profile.logo.open("rb")
    except OSError:
        raise Http404("No logo") from None
    response = FileResponse(handle, content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response
