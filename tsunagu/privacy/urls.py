from __future__ import annotations

from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("export/", views.request_export, name="request_export"),
    path("export/<id:export_id>/", views.download, name="download"),
    path("delete/", views.delete, name="delete"),
    path("delete/cancel/", views.cancel, name="cancel"),
]
