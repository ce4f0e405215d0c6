from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from clinic import (
    auth,
    views,
    views_audit,
    views_disclosures,
    views_documents,
    views_emergency,
    views_export,
    views_import,
)

# The audit log's admin pages before it became an app of its own (staff only, like the admin).
_audit_admin_moved = admin.site.admin_view(
    RedirectView.as_view(url="/admin/audit/auditevent/%(rest)s", permanent=True, query_string=True)
)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth.logout_view, name="logout"),
    path("accounts/password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/2fa/", auth.otp_setup, name="otp_setup"),
    path("accounts/2fa/verify/", auth.otp_verify, name="otp_verify"),
    path("accounts/reauth/", auth.reauth, name="reauth"),
    path("", views.home, name="home"),
    path("clients/", views.client_list, name="client_list"),
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/import/", views_import.client_import, name="client_import"),
    path("clients/import/<int:pk>/", views_import.client_import_preview, name="client_import_preview"),
    path("clients/<int:pk>/", views.client_detail, name="client_detail"),
    path("clients/<int:pk>/edit/", views.client_edit, name="client_edit"),
    path("clients/<int:pk>/archive/", views.client_archive, name="client_archive"),
    path("clients/<int:pk>/intake/", views.intake_edit, name="intake_edit"),
    path("clients/<int:pk>/consent/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("clients/<int:pk>/intake/<int:screen>/", views.screen_detail, name="screen_detail"),
    path("clients/<int:pk>/documents/new/", views_documents.document_new, name="document_new"),
    path("documents/<int:pk>/download/", views_documents.document_download, name="document_download"),
    path("documents/<int:pk>/in-error/", views_documents.document_in_error, name="document_in_error"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("clinic/profile/", views.clinic_profile, name="clinic_profile"),
    path("clinic/logo", views.clinic_logo, name="clinic_logo"),
    path("", include("assessments.urls")),
    path("", include("notes.urls")),
    path("", include("programs.urls")),
    path("", include("reports.urls")),
    path("clients/<int:pk>/export.json", views_export.client_export_json, name="client_export_json"),
    path("clients/<int:pk>/export.pdf", views_export.client_export_pdf, name="client_export_pdf"),
    path("exports/confirm/", views_export.bulk_export_confirm, name="bulk_export_confirm"),
    path("clients/<int:pk>/disclosures/", views_disclosures.client_disclosures, name="client_disclosures"),
    path("clients/<int:pk>/disclosures/new/", views_disclosures.disclosure_new, name="disclosure_new"),
    path(
        "clients/<int:pk>/disclosures/accounting.pdf",
        views_disclosures.client_disclosures_pdf,
        name="client_disclosures_pdf",
    ),
    path("emergency/", views_emergency.emergency_access, name="emergency_access"),
    path(
        "emergency/clients/<int:pk>/", views_emergency.emergency_access_start, name="emergency_access_start"
    ),
    path("emergency/<int:pk>/end/", views_emergency.emergency_access_end, name="emergency_access_end"),
    path("emergency/review/", views_emergency.emergency_review_list, name="emergency_review_list"),
    path("emergency/review/<int:pk>/", views_emergency.emergency_review, name="emergency_review"),
    path("audit/", views_audit.audit_list, name="audit_list"),
    path("audit/export.csv", views_audit.audit_export_csv, name="audit_export_csv"),
    path("admin/login/", auth.admin_login, name="admin_login"),
    path("admin/logout/", auth.logout_view, name="admin_logout"),
    # The audit log's admin pages before it became an app of its own.
    path("admin/clinic/auditevent/", _audit_admin_moved, {"rest": ""}),
    path("admin/clinic/auditevent/<path:rest>", _audit_admin_moved),
    path("admin/", admin.site.urls),
]
