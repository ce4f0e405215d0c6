from django.urls import path

from assessments import views

urlpatterns = [
    path("clients/<int:pk>/assessments/new/", views.assessment_new, name="assessment_new"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="assessment_edit"),
    path("assessments/<int:pk>/autosave/", views.assessment_autosave, name="assessment_autosave"),
    path("assessments/<int:pk>/sign/", views.assessment_sign, name="assessment_sign"),
    path("assessments/<int:pk>/compare/", views.assessment_compare, name="assessment_compare"),
]
