"""The audit report (admins): filter by client, user, action and date range,
sort by any column, page through, and export the filtered set as CSV."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

from crispy_forms.helper import FormHelper
from django import forms
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit.log import audit_record
from audit.models import AuditEvent
from clinic.decorators import admin_required
from clinic.models import Client, User
from clinic.reauth import reauth_required
from core import fields
from core.csvsafe import csv_bytes
from core.http import file_response
from trust import audit_words

EVENTS_PER_PAGE = 50
EXPORT_LIMIT = 100_000

# Sort keys offered on the page: an allowlist, so no user text reaches ORDER BY.
ORDERINGS = {
    "at": ("at", "id"),
    "-at": ("-at", "-id"),
    "user": ("actor_username", "-id"),
    "-user": ("-actor_username", "-id"),
    "client": ("client_id", "-id"),
    "-client": ("-client_id", "-id"),
    "action": ("action", "-id"),
    "-action": ("-action", "-id"),
    "object": ("object_type", "object_id", "-id"),
    "-object": ("-object_type", "-object_id", "-id"),
    "ip": ("ip", "-id"),
    "-ip": ("-ip", "-id"),
    "outcome": ("outcome", "-id"),
    "-outcome": ("-outcome", "-id"),
}

KNOWN_ACTIONS = [
    "view",
    "request",
    "submit",
    "accept",
    "confirm",
    "discard",
    "query",
    "list",
    "create",
    "update",
    "sign",
    "addendum",
    "append",
    "delete",
    "issue",
    "revoke",
    "print",
    "export",
    "download",
    "entered_in_error",
    "disclose",
    "accounting",
    "archive",
    "restore",
    "login",
    "login_failed",
    "lockout",
    "logout",
    "session_timeout",
    "mfa_enrol",
    "mfa_verify",
    "mfa_fail",
    "password_change",
    "user_create",
    "role_change",
    "audit_view",
    "backup",
    "restore_backup",
    "restore_drill",
    "audit_verify_failed",
    "audit_chain_keyed",
    "reauth",
    "reauth_failed",
    "break_glass_start",
    "break_glass_end",
    "break_glass_expired",
    "break_glass_review",
    "consent_withdraw",
    "signature_mismatch",
    "login_throttled",
    "password_set",
    "temporary_password_used",
    "bulk_export_confirm",
    "safety_override",
    "access_denied",
    "import_preview",
    "import",
    "report_preview",
    "client_link_view",
    "client_link_confirm",
    "client_link_refused",
    "client_log",
]


# The log cannot hold events outside these dates; the bounds also keep the
# day-after arithmetic of "date to" and time-zone conversion inside Python's range.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2999, 12, 31)
DATE_RANGE_MESSAGE = "Enter a date between 1 Jan 2000 and 31 Dec 2999."


class AuditFilterForm(forms.Form):
    client = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        label="Client record number",
        error_messages={"max_value": "No client has a number that large."},
    )
    user = fields.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="All users")
    action = forms.ChoiceField(required=False)
    date_from = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[
            MinValueValidator(EARLIEST_DATE, DATE_RANGE_MESSAGE),
            MaxValueValidator(LATEST_DATE, DATE_RANGE_MESSAGE),
        ],
    )
    date_to = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[
            MinValueValidator(EARLIEST_DATE, DATE_RANGE_MESSAGE),
            MaxValueValidator(LATEST_DATE, DATE_RANGE_MESSAGE),
        ],
    )
    # A sort order the page does not offer is ignored (the default order is used).
    order = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.order_by("username")
        self.fields["action"].choices = [("", "All actions")] + sorted(
            ((a, audit_words.action_label(a)) for a in KNOWN_ACTIONS), key=lambda choice: choice[1]
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_order(self):
        order = self.cleaned_data["order"]
        return order if order in ORDERINGS else ""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned


def filtered_events(form: AuditFilterForm):
    """The events the filters select, in the requested order."""
    qs = AuditEvent.objects.all()
    order = "-at"
    if form.is_valid():
        data = form.cleaned_data
        if data["client"]:
            qs = qs.for_client(data["client"])
        if data["user"]:
            qs = qs.filter(actor=data["user"])
        if data["action"]:
            qs = qs.filter(action=data["action"])
        tz = timezone.get_current_timezone()
        if data["date_from"]:
            qs = qs.filter(at__gte=timezone.make_aware(datetime.combine(data["date_from"], time.min), tz))
        if data["date_to"]:
            end = datetime.combine(data["date_to"] + timedelta(days=1), time.min)
            qs = qs.filter(at__lt=timezone.make_aware(end, tz))
        order = data["order"] or order
    elif form.is_bound:
        qs = qs.none()
    return qs.order_by(*ORDERINGS[order]), order


def _filters_for_log(form: AuditFilterForm) -> dict:
    if not form.is_valid():
        return {}
    return {k: (v.pk if hasattr(v, "pk") else str(v)) for k, v in form.cleaned_data.items() if v}


def _row(event: AuditEvent, client_names: dict) -> dict:
    client = client_names.get(event.client_id, "")
    if event.client_id and not client:
        client = f"client record {event.client_id}"
    actor = event.actor.display_name if event.actor is not None else event.actor_username
    details = audit_words.detail_lines(event.detail)
    return {
        "event": event,
        "text": audit_words.sentence(
            action=event.action, actor=actor, object_type=event.object_type, client=client
        ),
        "client_name": client,
        "actor_name": actor,
        "details": details,
        "detail": "; ".join(details),
    }


@require_GET
@admin_required
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    events, order = filtered_events(form)
    # The actor's name comes with each event in the same query ("Sam Okafor viewed ...").
    page = Paginator(events.select_related("actor"), EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    client_names = {
        pk: f"{first} {last}".strip()
        for pk, first, last in Client.objects.filter(
            pk__in={e.client_id for e in rows if e.client_id}
        ).values_list("pk", "first_name", "last_name")
    }
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("order", None)
    audit_record(actor=request.user, action="audit_view", request=request, detail=_filters_for_log(form))
    return render(
        request,
        "trust/audit_list.html",
        {
            "form": form,
            "page": page,
            "events": [_row(e, client_names) for e in rows],
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
            "order": order,
            "columns": [
                ("at", "When (UTC)"),
                ("action", "What happened"),
                ("client", "Client"),
                ("ip", "Address"),
                ("outcome", "Outcome"),
            ],
        },
        # Filters that cannot be read: the page says which, beside the field.
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@require_GET
@admin_required
@reauth_required
def audit_export_csv(request):
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        problems = "; ".join(
            f"{form[name].label if name in form.fields else 'Filters'}: {' '.join(errors)}"
            for name, errors in form.errors.items()
        )
        return HttpResponse(
            f"The filters cannot be used: {problems}", content_type="text/plain; charset=utf-8", status=400
        )
    events, _ = filtered_events(form)
    rows = (
        (
            e.id,
            e.at.astimezone(UTC).isoformat(),
            e.actor_id or "",
            e.actor_username,
            e.client_id or "",
            e.action,
            e.object_type,
            e.object_id,
            e.ip or "",
            e.outcome,
            json.dumps(e.detail, sort_keys=True) if e.detail else "",
            e.hash,
        )
        for e in events[:EXPORT_LIMIT].iterator()
    )
    body = csv_bytes(
        [
            "id",
            "at_utc",
            "user_id",
            "username",
            "client_id",
            "action",
            "object_type",
            "object_id",
            "ip",
            "outcome",
            "detail",
            "hash",
        ],
        rows,
    )
    audit_record(
        actor=request.user, action="export", request=request, detail={"audit_csv": _filters_for_log(form)}
    )
    return file_response(body, content_type="text/csv; charset=utf-8", filename="audit-events.csv")
