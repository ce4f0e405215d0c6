"""The client's own view, mounted at ``c/``: every route starts with the link's token
(``<str:token>/``) and its view wears ``portal.session.client_link_required``."""

from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("<str:token>/", views.home, name="home"),
    path("<str:token>/confirm/", views.confirm, name="confirm"),
    path("<str:token>/program/", views.program, name="program"),
    path("<str:token>/week/", views.week, name="week"),
    path("<str:token>/log/", views.log, name="log"),
    path("<str:token>/pictures/<int:item>/", views.picture, name="picture"),
    path("<str:token>/manifest.webmanifest", views.manifest, name="manifest"),
    path("<str:token>/sw.js", views.service_worker, name="service_worker"),
]
