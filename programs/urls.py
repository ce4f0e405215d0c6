from django.urls import path

from programs import views

app_name = "programs"

urlpatterns = [
    path("exercises/", views.exercise_list, name="exercise_list"),
    path("exercises/manage/", views.library_manage, name="library_manage"),
    path("exercises/new/", views.exercise_create, name="exercise_create"),
    path("exercises/<int:pk>/", views.exercise_detail, name="exercise_detail"),
    path("exercises/<int:pk>/edit/", views.exercise_edit, name="exercise_edit"),
    path("exercises/<int:pk>/image", views.exercise_image, name="exercise_image"),
    path("exercises/<int:pk>/active/", views.exercise_set_active, name="exercise_set_active"),
    path("exercises/<int:pk>/indications/", views.indication_add, name="indication_add"),
    path("exercises/indications/<int:pk>/delete/", views.indication_remove, name="indication_remove"),
    path("clients/<int:pk>/program/", views.builder, name="builder"),
    path("clients/<int:pk>/program/library/", views.builder_library, name="builder_library"),
    path("clients/<int:pk>/program/add/", views.builder_add, name="builder_add"),
    path(
        "clients/<int:pk>/program/add-suggested/", views.builder_add_suggested, name="builder_add_suggested"
    ),
    path("clients/<int:pk>/program/start/", views.builder_start, name="builder_start"),
    path("clients/<int:pk>/program/issue/", views.builder_issue, name="builder_issue"),
    path("clients/<int:pk>/program/discard/", views.builder_discard, name="builder_discard"),
    path("clients/<int:pk>/program/handout.pdf", views.client_handout, name="client_handout"),
    path("clients/<int:pk>/program/adherence/", views.adherence_record, name="adherence_record"),
    path("program/items/<int:pk>/", views.item_update, name="item_update"),
    path("program/items/<int:pk>/remove/", views.item_remove, name="item_remove"),
    path("program/items/<int:pk>/move/", views.item_move, name="item_move"),
    path("program/items/<int:pk>/override/", views.item_override, name="item_override"),
    path("programs/versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("programs/versions/<int:pk>/handout.pdf", views.version_handout, name="version_handout"),
    path("programs/handouts/today.pdf", views.batch_handouts, name="batch_handouts"),
    path("notes/<int:pk>/program-adherence/", views.note_adherence_record, name="note_adherence"),
]
