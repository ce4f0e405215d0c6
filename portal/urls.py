"""The client's own view, mounted at ``c/``: every route starts with the link's token
(``<str:token>/``) and its view wears ``portal.session.client_link_required``."""

from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("<str:token>/", views.home, name="home"),
    path("<str:token>/confirm/", views.confirm, name="confirm"),
]
