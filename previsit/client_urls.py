"""The client's pages on their link, mounted by the project's URLs under ``c/<str:token>/``."""

from django.urls import path

from previsit import client_views

app_name = "previsit_client"

urlpatterns = [
    path("q/<int:pk>/", client_views.questionnaire, name="questionnaire"),
    path("q/<int:pk>/save/", client_views.questionnaire_save, name="questionnaire_save"),
    path("intake/", client_views.intake, name="intake"),
    path("intake/save/", client_views.intake_save, name="intake_save"),
]
