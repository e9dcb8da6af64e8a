from __future__ import annotations

from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_create, name="create"),
    path("month/", views.event_month, name="month"),
    path("series/new/", views.series_create, name="series_create"),
    path("series/<int:series_id>/", views.series_detail, name="series"),
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
    path("<int:event_id>/", views.event_detail, name="detail"),
    path("<int:event_id>/edit/", views.event_edit, name="edit"),
    path("<int:event_id>/register/", views.event_register, name="register"),
    path("<int:event_id>/cancel/", views.event_cancel, name="cancel"),
    path("<int:event_id>/call-off/", views.event_call_off, name="call_off"),
    path("<int:event_id>/event.ics", views.event_ics, name="ics"),
    path("<int:event_id>/cover/", views.event_cover, name="cover"),
    path("<int:event_id>/images/", views.event_description_image, name="description_image"),
    path("<int:event_id>/delete/", views.event_delete, name="delete"),
    path("<int:event_id>/photos/<int:photo_id>/", views.event_photo, name="photo"),
    path("<int:event_id>/feedback/", views.event_feedback, name="feedback"),
    path("<int:event_id>/present/", views.event_present, name="present"),
    path("<int:event_id>/report/", views.event_report, name="report"),
    path("<int:event_id>/participants/", views.event_participants, name="participants"),
    path(
        "<int:event_id>/participants/<int:registration_id>/",
        views.registration_update,
        name="registration_update",
    ),
]
