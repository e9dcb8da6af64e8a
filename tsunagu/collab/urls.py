from __future__ import annotations

from django.urls import path

from . import cohost_views, room_views, views

app_name = "collab"

urlpatterns = [
    path("", views.links, name="links"),
    path("<id:collab_link_id>/answer/", views.answer, name="answer"),
    path("<id:collab_link_id>/revoke/", views.revoke, name="revoke"),
    path("<id:collab_link_id>/withdraw/", views.withdraw, name="withdraw"),
    path("disclosures.csv", views.disclosures_export, name="disclosures_export"),
    path("sharing/", views.sharing, name="sharing"),
    path("people/", views.people, name="people"),
    path("seen/", views.seen, name="seen"),
    path("rooms/", room_views.rooms, name="rooms"),
    path("rooms/new/", room_views.room_create, name="room_create"),
    path("rooms/<id:shared_room_id>/", room_views.room, name="room"),
    path("rooms/<id:shared_room_id>/send/", room_views.room_send, name="room_send"),
    path("rooms/<id:shared_room_id>/join/", room_views.room_join, name="room_join"),
    path("rooms/<id:shared_room_id>/leave/", room_views.room_leave, name="room_leave"),
    path("rooms/<id:shared_room_id>/messages.csv", room_views.room_export, name="room_export"),
    path("events/", cohost_views.cohosts, name="cohosts"),
    path("events/<id:event_id>/", cohost_views.cohost_event, name="cohost_event"),
    path("events/<id:event_id>/apply/", cohost_views.cohost_register, name="cohost_register"),
    path("events/<id:event_id>/event.ics", cohost_views.cohost_ics, name="cohost_ics"),
    path("events/<id:event_id>/hosts/", cohost_views.cohost_manage, name="cohost_manage"),
    path("events/<id:event_id>/answer/", cohost_views.cohost_answer, name="cohost_answer"),
    path("events/<id:event_id>/end/", cohost_views.cohost_end, name="cohost_end"),
    path("events/<id:event_id>/attendees/", cohost_views.cohost_attendees, name="cohost_attendees"),
]
