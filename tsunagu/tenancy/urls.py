"""Pages of one network, mounted under /n/<network_slug>/."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "tenancy"

urlpatterns = [
    path("about/", views.about, name="about"),
    path("leave/", views.leave, name="leave"),
    path("manage/", views.manage_settings, name="manage_settings"),
    path("manage/members/", views.manage_members, name="manage_members"),
    path(
        "manage/members/<id:membership_id>/",
        views.manage_member_change,
        name="manage_member_change",
    ),
]
