from __future__ import annotations

from django.urls import path

from . import views

app_name = "consent"

urlpatterns = [
    path("policy/", views.policy, name="policy"),
    path("manage/policy/", views.manage, name="manage"),
    path("manage/policy/draft/", views.draft, name="draft"),
    path("manage/policy/publish/", views.publish, name="publish"),
]
