"""Django admin: demographics, users and the clinic profile only.

Clinical models (screens, notes, assessments, programs) are deliberately not
registered, so an admin who is not a therapist never reads clinical content
here either. The audit log is read-only.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from clinic.models import AuditEvent, Client, ClinicProfile, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "is_therapist", "is_clinic_admin", "is_active")
    list_filter = ("is_therapist", "is_clinic_admin", "is_active")
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Clinic roles", {"fields": ("is_therapist", "is_clinic_admin", "credentials")}),
    )

    def has_delete_permission(self, request, obj=None):
        return False  # users are deactivated, never deleted


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = (
        "last_name",
        "first_name",
        "date_of_birth",
        "phone",
        "email",
        "primary_therapist",
        "status",
    )
    list_filter = ("status", "primary_therapist", "involved_side")
    search_fields = ("first_name", "last_name", "preferred_name", "email", "phone")
    list_select_related = ("primary_therapist",)
    filter_horizontal = ("care_team",)
    readonly_fields = ("version", "created_at", "updated_at")

    def has_delete_permission(self, request, obj=None):
        return False  # archive, never delete


@admin.register(ClinicProfile)
class ClinicProfileAdmin(admin.ModelAdmin):
    list_display = ("name", "phone", "email", "paper_size")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
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
    list_filter = ("action", "outcome")
    search_fields = ("actor_username", "object_type", "object_id")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
