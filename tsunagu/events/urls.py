from __future__ import annotations

from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_create, name="create"),
    path("month/", views.event_month, name="month"),
    path("series/new/", views.series_create, name="series_create"),
    path("series/<id:series_id>/", views.series_detail, name="series"),
    path("figures/", views.figures, name="figures"),
    path("figures.csv", views.figures_csv, name="figures_csv"),
    path("calendar/renew/", views.calendar_feed_rotate, name="feed_rotate"),
    path(
        "calendar/<str:feed_token>/mine.ics",
        views.calendar_feed,
        {"which": "mine"},
        name="feed_mine",
    ),
    path(
        "calendar/<str:feed_token>/all.ics", views.calendar_feed, {"which": "all"}, name="feed_all"
    ),
    path("<id:event_id>/", views.event_detail, name="detail"),
    path("<id:event_id>/edit/", views.event_edit, name="edit"),
    path("<id:event_id>/register/", views.event_register, name="register"),
    path("<id:event_id>/cancel/", views.event_cancel, name="cancel"),
    path("<id:event_id>/call-off/", views.event_call_off, name="call_off"),
    path("<id:event_id>/event.ics", views.event_ics, name="ics"),
    path("<id:event_id>/cover/", views.event_cover, name="cover"),
    path("<id:event_id>/images/", views.event_description_image, name="description_image"),
    path("<id:event_id>/delete/", views.event_delete, name="delete"),
    path("<id:event_id>/photos/<id:photo_id>/", views.event_photo, name="photo"),
    path("<id:event_id>/feedback/", views.event_feedback, name="feedback"),
    path("<id:event_id>/present/", views.event_present, name="present"),
    path("<id:event_id>/report/", views.event_report, name="report"),
    path("<id:event_id>/participants/", views.event_participants, name="participants"),
    path(
        "<id:event_id>/participants/<id:registration_id>/",
        views.registration_update,
        name="registration_update",
    ),
]
