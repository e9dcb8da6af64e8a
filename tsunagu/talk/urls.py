"""Talk rooms of one network, mounted under /n/<network_slug>/talk/."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "talk"

urlpatterns = [
    path("", views.index, name="index"),
    path("people/", views.people, name="people"),
    path("office/", views.office, name="office"),
    path("groups/new/", views.new_group, name="new_group"),
    path("dm/<id:membership_id>/", views.direct, name="direct"),
    path("files/<id:file_id>/", views.attachment, name="attachment"),
    path("manage/", views.manage, name="manage"),
    path("manage/<id:room_id>/", views.manage_room, name="manage_room"),
    path("r/<id:room_id>/", views.room_page, name="room"),
    path("r/<id:room_id>/send/", views.send, name="send"),
    path("r/<id:room_id>/join/", views.join, name="join"),
    path("r/<id:room_id>/leave/", views.leave, name="leave"),
    path("r/<id:room_id>/read/", views.mark_read, name="read"),
    path("r/<id:room_id>/search/", views.search, name="search"),
    path("r/<id:room_id>/files/", views.files, name="files"),
    path("r/<id:room_id>/members/", views.members, name="members"),
    path("r/<id:room_id>/mentions/", views.mention_candidates, name="mentions"),
    path("r/<id:room_id>/m/<id:message_id>/", views.thread_page, name="thread"),
    path("r/<id:room_id>/m/<id:message_id>/react/", views.react, name="react"),
    path("r/<id:room_id>/m/<id:message_id>/edit/", views.edit, name="edit"),
    path("r/<id:room_id>/m/<id:message_id>/delete/", views.delete, name="delete"),
    path("r/<id:room_id>/m/<id:message_id>/moderate/", views.moderate, name="moderate"),
]
