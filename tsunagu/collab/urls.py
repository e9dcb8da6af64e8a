from __future__ import annotations

from django.urls import path

from . import views

app_name = "collab"

urlpatterns = [
    path("", views.links, name="links"),
    path("<id:collab_link_id>/answer/", views.answer, name="answer"),
    path("<id:collab_link_id>/revoke/", views.revoke, name="revoke"),
    path("disclosures.csv", views.disclosures_export, name="disclosures_export"),
    path("sharing/", views.sharing, name="sharing"),
    path("people/", views.people, name="people"),
    path("seen/", views.seen, name="seen"),
]
