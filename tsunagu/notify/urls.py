from __future__ import annotations

from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read-all/", views.notification_read_all, name="read_all"),
    path("notifications/<id:notification_id>/open/", views.notification_open, name="open"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("notifications/mailbox/later/", views.mailbox_later, name="mailbox_later"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
