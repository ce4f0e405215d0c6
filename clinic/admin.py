"""Django admin: demographics, users and the clinic profile only.

Clinical models (screens, notes, assessments, programs) are deliberately not
registered, so an admin who is not a therapist never reads clinical content
here either; asking for one here is refused and the refusal is audited
(trust.denials). Clients and the clinic profile are read-only here: their
writes go through the app's pages and services, which audit them, warn about
duplicates, keep the primary therapist on the care team and re-encode the logo.
Nothing can be deleted. The audit log is read-only.

Every read of client data here is audited like the app's own pages: the client
list (with its search and filters and the clients on the page), a client's
page and its history page, each marked ``"via": "django-admin"``; so is every
look at the audit log. There is no unaudited way to read a client here.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction

from audit.log import audit_record
from audit.models import AuditEvent
from clinic import services
from clinic.models import Client, ClinicProfile, User

ROLE_FIELDS = (
    "is_therapist",
    "is_clinic_admin",
    "joint_mobilisation_in_scope",
    "is_active",
    "is_staff",
    "is_superuser",
)


VIA = "django-admin"


def _filters(request) -> dict[str, str]:
    """The list filters in use (field lookups only; the search text and paging
    are logged apart)."""
    return {k: v[:100] for k, v in request.GET.items() if k not in ("q", "p", "o", "_changelist_filters")}


class AuditedReadsAdmin(admin.ModelAdmin):
    """Writes an audit row for every page of this admin that shows records:
    the list (and its search), an object's page and its history page."""

    list_action = "query"
    view_action = "view"

    def audit_client(self, obj):
        """The client a record belongs to, for the audit row's client column."""
        return None

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            # The page's rows are read here once and cached for the template.
            shown = [obj.pk for obj in changelist.result_list]
            audit_record(
                actor=request.user,
                action=self.list_action,
                request=request,
                detail={
                    "via": VIA,
                    "page": f"{self.opts.label_lower} list",
                    "search": request.GET.get("q", "")[:200],
                    "filters": _filters(request),
                    "shown": shown,
                },
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        self._audit_object(request, response, "change")
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        self._audit_object(request, response, "history")
        return response

    def _audit_object(self, request, response, page: str) -> None:
        obj = getattr(response, "context_data", {}).get("original") or getattr(
            response, "context_data", {}
        ).get("object")
        if obj is None:
            return  # no such record: the admin redirects to its index and shows nothing
        audit_record(
            actor=request.user,
            action=self.view_action,
            request=request,
            client=self.audit_client(obj),
            target=obj,
            detail={"via": VIA, "page": page},
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "first_name",
        "last_name",
        "email",
        "is_therapist",
        "is_clinic_admin",
        "is_active",
        "last_login",
    )
    list_filter = ("is_therapist", "is_clinic_admin", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email", "credentials")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            "Clinic roles",
            {
                "fields": (
                    "is_therapist",
                    "is_clinic_admin",
                    "joint_mobilisation_in_scope",
                    "credentials",
                    "registration_number",
                )
            },
        ),
    )

    def has_delete_permission(self, request, obj=None):
        return False  # users are deactivated, never deleted

    def user_change_password(self, request, id, form_url=""):
        """Setting another user's password here is audited, the user is told, and
        the password becomes a temporary one that signs in once, only to choose
        a new password (so it never opens that user's clinical records)."""
        with transaction.atomic():
            user = self.get_object(request, unquote(id))
            before = user.password if user is not None else None
            response = super().user_change_password(request, id, form_url)
            if user is not None and request.method == "POST":
                user.refresh_from_db(fields=["password"])
                if user.password != before:
                    services.user_password_set_by_admin(user=user, by=request.user, via="django-admin")
        return response

    def save_model(self, request, obj, form, change):
        # Role changes made here are audited like those made on the Users page.
        before = {}
        if change:
            stored = User.objects.get(pk=obj.pk)
            before = {f: getattr(stored, f) for f in ROLE_FIELDS}
        else:
            obj.must_change_password = True  # the admin chose the first password: a temporary one
        super().save_model(request, obj, form, change)
        after = {f: getattr(obj, f) for f in ROLE_FIELDS}
        changed = {f: [before.get(f), after[f]] for f in ROLE_FIELDS if before.get(f) != after[f]}
        if not change:
            audit_record(actor=request.user, action="user_create", request=request, target=obj, detail=after)
        elif changed:
            audit_record(
                actor=request.user,
                action="role_change",
                request=request,
                target=obj,
                detail={"changed": changed, "via": "django-admin"},
            )


@admin.register(Client)
class ClientAdmin(AuditedReadsAdmin, ReadOnlyAdmin):
    list_display = (
        "last_name",
        "first_name",
        "preferred_name",
        "date_of_birth",
        "phone",
        "email",
        "primary_therapist",
        "status",
        "created_at",
    )
    list_filter = ("status", "primary_therapist", "involved_side", "sex", "referral_source")
    search_fields = ("first_name", "last_name", "preferred_name", "email", "phone")
    list_select_related = ("primary_therapist",)
    date_hierarchy = "created_at"
    ordering = ("last_name", "first_name")
    list_per_page = 50

    def audit_client(self, obj):
        return obj


@admin.register(ClinicProfile)
class ClinicProfileAdmin(ReadOnlyAdmin):
    list_display = ("name", "phone", "email", "paper_size")
    exclude = ("logo",)


@admin.register(AuditEvent)
class AuditEventAdmin(AuditedReadsAdmin, ReadOnlyAdmin):
    list_action = "audit_view"
    view_action = "audit_view"

    list_display = (
        "at",
        "actor_username",
        "action",
        "object_type",
        "object_id",
        "client_id",
        "ip",
        "outcome",
    )
    list_filter = ("action", "outcome", "object_type")
    search_fields = ("actor_username", "object_type", "object_id")
    date_hierarchy = "at"
