"""The project's urls: every app's routes, named here only as strings (include), so the
clients domain below the other apps never imports them."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from clinic import views, views_documents, views_import

# The audit log's admin pages before it became an app of its own (staff only, like the admin).
_audit_admin_moved = admin.site.admin_view(
    RedirectView.as_view(url="/admin/audit/auditevent/%(rest)s", permanent=True, query_string=True)
)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
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
    path("", include("previsit.urls")),
    # The client's own view, opened by a link without a staff login (portal.session).
    path("c/", include("portal.urls")),
    # Questionnaires and the intake form on the client's link (previsit.client_views).
    path("c/<str:token>/", include("previsit.client_urls")),
    path("", include("portal.urls_staff")),
    path("", include("trust.urls")),
    path("admin/clinic/auditevent/", _audit_admin_moved, {"rest": ""}),
    path("admin/clinic/auditevent/<path:rest>", _audit_admin_moved),
    path("admin/", admin.site.urls),
]
