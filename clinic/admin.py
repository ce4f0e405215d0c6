"""Django admin: demographics, users and the clinic profile only.

Clinical models (screens, notes, assessments, programs) are deliberately not
registered, so an admin who is not a therapist never reads clinical content
here either. Clients and the clinic profile are read-only here: their writes go
through the app's pages and services, which audit them, warn about duplicates,
keep the primary therapist on the care team and re-encode the logo. Nothing can
be deleted. The audit log is read-only.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from clinic.audit import audit_record
from clinic.models import AuditEvent, Client, ClinicProfile, User

ROLE_FIELDS = ("is_therapist", "is_clinic_admin", "is_active", "is_staff", "is_superuser")


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
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Clinic roles", {"fields": ("is_therapist", "is_clinic_admin", "credentials")}),
    )

    def has_delete_permission(self, request, obj=None):
        return False  # users are deactivated, never deleted

    def save_model(self, request, obj, form, change):
        # Role changes made here are audited like those made on the Users page.
        before = {}
        if change:
            stored = User.objects.get(pk=obj.pk)
            before = {f: getattr(stored, f) for f in ROLE_FIELDS}
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
class ClientAdmin(ReadOnlyAdmin):
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


@admin.register(ClinicProfile)
class ClinicProfileAdmin(ReadOnlyAdmin):
    list_display = ("name", "phone", "email", "paper_size")
    exclude = ("logo",)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
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
