from django.urls import path

from notes import views, views_amendments

urlpatterns = [
    path("clients/<int:pk>/notes/", views.client_notes, name="client_notes"),
    path("clients/<int:pk>/notes/new/", views.note_new, name="note_new"),
    path("notes/snippets/", views.snippet_list, name="snippet_list"),
    path("notes/snippets/<int:pk>/delete/", views.snippet_delete, name="snippet_delete"),
    path("notes/<int:pk>/", views.note_detail, name="note_detail"),
    path("notes/<int:pk>/autosave/", views.note_autosave, name="note_autosave"),
    path("notes/<int:pk>/sign/", views.note_sign, name="note_sign"),
    path("notes/<int:pk>/template/", views.note_apply_template, name="note_apply_template"),
    path("notes/<int:pk>/assessment/", views.note_link_assessment, name="note_link_assessment"),
    path("notes/<int:pk>/treatments/", views.treatment_add, name="treatment_add"),
    path("notes/<int:pk>/override-consent/", views.note_override_consent, name="note_override_consent"),
    path("notes/<int:pk>/treatments/repeat/", views.treatments_repeat, name="treatments_repeat"),
    path("notes/<int:pk>/treatments/<int:row>/delete/", views.treatment_remove, name="treatment_remove"),
    path("notes/<int:pk>/treatments/<int:row>/keep/", views.treatment_confirm, name="treatment_confirm"),
    path("notes/<int:pk>/palpation/", views.palpation_add, name="palpation_add"),
    path("notes/<int:pk>/palpation/<int:row>/delete/", views.palpation_remove, name="palpation_remove"),
    path("notes/<int:pk>/addenda/new/", views.amendment_new, name="amendment_new"),
    path("notes/<int:pk>/pdf/", views.note_pdf, name="note_pdf"),
    # Clients' amendment requests (45 CFR 164.526)
    path(
        "notes/<int:pk>/amendment-requests/new/",
        views_amendments.amendment_request_new,
        name="amendment_request_new",
    ),
    path(
        "clients/<int:pk>/amendment-requests/",
        views_amendments.client_amendment_requests,
        name="client_amendment_requests",
    ),
    path(
        "amendment-requests/",
        views_amendments.amendment_request_dashboard,
        name="amendment_request_dashboard",
    ),
    path(
        "amendment-requests/<int:pk>/",
        views_amendments.amendment_request_detail,
        name="amendment_request_detail",
    ),
    path(
        "amendment-requests/<int:pk>/extend/",
        views_amendments.amendment_request_extend,
        name="amendment_request_extend",
    ),
    path(
        "amendment-requests/<int:pk>/decide/",
        views_amendments.amendment_request_decide,
        name="amendment_request_decide",
    ),
    path(
        "amendment-requests/<int:pk>/disagreement/",
        views_amendments.amendment_request_disagreement,
        name="amendment_request_disagreement",
    ),
    path(
        "amendment-requests/<int:pk>/rebuttal/",
        views_amendments.amendment_request_rebuttal,
        name="amendment_request_rebuttal",
    ),
]
