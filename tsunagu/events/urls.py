from __future__ import annotations

from django.urls import path

from .views import calendar, event, figures, lists, organising, series

app_name = "events"

urlpatterns = [
    path("", lists.event_list, name="list"),
    path("new/", organising.event_create, name="create"),
    path("month/", lists.event_month, name="month"),
    path("series/new/", series.series_create, name="series_create"),
    path("series/<id:series_id>/", series.series_detail, name="series"),
    path("figures/", figures.figures, name="figures"),
    path("figures.csv", figures.figures_csv, name="figures_csv"),
    path("calendar/renew/", calendar.calendar_feed_rotate, name="feed_rotate"),
    path(
        "calendar/<str:feed_token>/mine.ics",
        calendar.calendar_feed,
        {"which": "mine"},
        name="feed_mine",
    ),
    path(
        "calendar/<str:feed_token>/all.ics",
        calendar.calendar_feed,
        {"which": "all"},
        name="feed_all",
    ),
    path("<id:event_id>/", event.event_detail, name="detail"),
    path("<id:event_id>/edit/", organising.event_edit, name="edit"),
    path("<id:event_id>/register/", event.event_register, name="register"),
    path("<id:event_id>/cancel/", event.event_cancel, name="cancel"),
    path("<id:event_id>/call-off/", organising.event_call_off, name="call_off"),
    path("<id:event_id>/event.ics", calendar.event_ics, name="ics"),
    path("<id:event_id>/cover/", event.event_cover, name="cover"),
    path("<id:event_id>/images/", organising.event_description_image, name="description_image"),
    path("<id:event_id>/delete/", organising.event_delete, name="delete"),
    path("<id:event_id>/photos/<id:photo_id>/", event.event_photo, name="photo"),
    path("<id:event_id>/feedback/", event.event_feedback, name="feedback"),
    path("<id:event_id>/present/", series.event_present, name="present"),
    path("<id:event_id>/report/", organising.event_report, name="report"),
    path("<id:event_id>/participants/", organising.event_participants, name="participants"),
    path(
        "<id:event_id>/participants/<id:registration_id>/",
        organising.registration_update,
        name="registration_update",
    ),
]
