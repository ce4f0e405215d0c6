"""The staff's pages for client links (signed in as usual), mounted with the other apps."""

from django.urls import path

from portal import views_staff

app_name = "portal_staff"

urlpatterns = [
    path("clients/<int:pk>/client-link/issue/", views_staff.link_issue, name="link_issue"),
    path("clients/<int:pk>/client-link/handout.pdf", views_staff.link_handout, name="link_handout"),
    path("client-links/<int:pk>/revoke/", views_staff.link_revoke, name="link_revoke"),
]
