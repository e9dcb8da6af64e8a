from __future__ import annotations

from django.urls import path

from . import views

app_name = "announce"

urlpatterns = [
    path("", views.announcement_list, name="list"),
    path("limit/", views.monthly_cap, name="monthly_cap"),
    path("new/", views.compose, name="compose"),
    path("audience/", views.audience_count, name="audience_count"),
    path("<id:announcement_id>/", views.detail, name="detail"),
    path("<id:announcement_id>/edit/", views.edit, name="edit"),
    path("<id:announcement_id>/preview/", views.preview, name="preview"),
    path("<id:announcement_id>/test/", views.send_test, name="test"),
    path("<id:announcement_id>/send/", views.send, name="send"),
    path("<id:announcement_id>/delete/", views.delete, name="delete"),
]
