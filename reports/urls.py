from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("clients/<int:pk>/report/", views.report_new, name="new"),
    path("clients/<int:pk>/report.pdf", views.client_report_pdf, name="client_pdf"),
    path("reports/<int:pk>/", views.report_detail, name="detail"),
    path("reports/<int:pk>/edit/", views.report_update, name="update"),
    path("reports/<int:pk>/sign/", views.report_sign, name="sign"),
    path("reports/<int:pk>/pdf/", views.report_pdf, name="pdf"),
]
