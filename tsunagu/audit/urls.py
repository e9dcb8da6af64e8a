from __future__ import annotations

from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("manage/audit/", views.audit_log, name="log"),
    path("manage/audit/export.csv", views.audit_export, name="export"),
    path("me/access/", views.my_access, name="my_access"),
]
