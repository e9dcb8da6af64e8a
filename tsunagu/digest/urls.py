from __future__ import annotations

from django.urls import path

from . import views

app_name = "digest"

urlpatterns = [
    path("preview/", views.preview, name="preview"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
