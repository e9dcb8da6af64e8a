from __future__ import annotations

from django.urls import path

from . import cohost_views, views

app_name = "collab"

urlpatterns = [
    path("", views.links, name="links"),
    path("<id:collab_link_id>/answer/", views.answer, name="answer"),
    path("<id:collab_link_id>/revoke/", views.revoke, name="revoke"),
    path("disclosures.csv", views.disclosures_export, name="disclosures_export"),
    path("sharing/", views.sharing, name="sharing"),
    path("people/", views.people, name="people"),
    path("seen/", views.seen, name="seen"),
    path("events/", cohost_views.cohosts, name="cohosts"),
    path("events/<id:event_id>/", cohost_views.cohost_event, name="cohost_event"),
    path("events/<id:event_id>/apply/", cohost_views.cohost_register, name="cohost_register"),
    path("events/<id:event_id>/event.ics", cohost_views.cohost_ics, name="cohost_ics"),
    path("events/<id:event_id>/hosts/", cohost_views.cohost_manage, name="cohost_manage"),
    path("events/<id:event_id>/answer/", cohost_views.cohost_answer, name="cohost_answer"),
    path("events/<id:event_id>/end/", cohost_views.cohost_end, name="cohost_end"),
    path("events/<id:event_id>/attendees/", cohost_views.cohost_attendees, name="cohost_attendees"),
]
