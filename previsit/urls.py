from django.urls import path

from previsit import views

app_name = "previsit"

urlpatterns = [
    path("clients/<int:pk>/before-visit/request/", views.request_new, name="request_new"),
    path("clients/<int:pk>/before-visit/schedule/", views.schedule_set, name="schedule_set"),
    path("clients/<int:pk>/before-visit/paper-intake/", views.paper_intake, name="paper_intake"),
    path("before-visit/questionnaires/<int:pk>/", views.questionnaire_detail, name="questionnaire_detail"),
    path(
        "before-visit/questionnaires/<int:pk>/accept/",
        views.questionnaire_accept,
        name="questionnaire_accept",
    ),
    path(
        "before-visit/questionnaires/<int:pk>/discard/",
        views.questionnaire_discard,
        name="questionnaire_discard",
    ),
    path("before-visit/intakes/<int:pk>/", views.intake_detail, name="intake_detail"),
    path("before-visit/intakes/<int:pk>/confirm/", views.intake_confirm, name="intake_confirm"),
    path("before-visit/intakes/<int:pk>/discard/", views.intake_discard, name="intake_discard"),
]
