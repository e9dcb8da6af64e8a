from __future__ import annotations

from django.urls import path

from . import views

app_name = "profiles"

urlpatterns = [
    path("members/", views.directory, name="directory"),
    path("members/<id:membership_id>/", views.profile_detail, name="detail"),
    path("members/<id:membership_id>/photo/", views.photo, name="photo"),
    path("profile/", views.my_profile, name="me"),
    path("profile/edit/", views.edit_profile, name="edit"),
    path("profile/confirm/", views.confirm_employer, name="confirm_employer"),
    path("profile/updates/", views.post_update, name="post_update"),
    path("profile/updates/<id:update_id>/delete/", views.delete_update, name="delete_update"),
    path("manage/roster/", views.roster, name="roster"),
    path("manage/roster/export.csv", views.roster_export, name="roster_export"),
]
