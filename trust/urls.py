"""Sign-in, second factor and re-authentication; the complete-record export; disclosures;
emergency access and its review; the audit pages. Included by the project's urls."""

from django.urls import path

from trust import auth
from trust.views import audit, disclosures, emergency, export

urlpatterns = [
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth.logout_view, name="logout"),
    path("accounts/password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/2fa/", auth.otp_setup, name="otp_setup"),
    path("accounts/2fa/verify/", auth.otp_verify, name="otp_verify"),
    path("accounts/reauth/", auth.reauth, name="reauth"),
    path("clients/<int:pk>/export.json", export.client_export_json, name="client_export_json"),
    path("clients/<int:pk>/export.pdf", export.client_export_pdf, name="client_export_pdf"),
    path("exports/confirm/", export.bulk_export_confirm, name="bulk_export_confirm"),
    path("clients/<int:pk>/disclosures/", disclosures.client_disclosures, name="client_disclosures"),
    path("clients/<int:pk>/disclosures/new/", disclosures.disclosure_new, name="disclosure_new"),
    path(
        "clients/<int:pk>/disclosures/accounting.pdf",
        disclosures.client_disclosures_pdf,
        name="client_disclosures_pdf",
    ),
    path("emergency/", emergency.emergency_access, name="emergency_access"),
    path("emergency/clients/<int:pk>/", emergency.emergency_access_start, name="emergency_access_start"),
    path("emergency/<int:pk>/end/", emergency.emergency_access_end, name="emergency_access_end"),
    path("emergency/review/", emergency.emergency_review_list, name="emergency_review_list"),
    path("emergency/review/<int:pk>/", emergency.emergency_review, name="emergency_review"),
    path("audit/", audit.audit_list, name="audit_list"),
    path("audit/export.csv", audit.audit_export_csv, name="audit_export_csv"),
    path("admin/login/", auth.admin_login, name="admin_login"),
    path("admin/logout/", auth.logout_view, name="admin_logout"),
]
