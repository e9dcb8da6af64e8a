from __future__ import annotations

from django.urls import path

from . import views

app_name = "push"

urlpatterns = [
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("offline/", views.offline, name="offline"),
    path("push/subscribe/", views.subscribe, name="subscribe"),
    path("push/unsubscribe/", views.unsubscribe, name="unsubscribe"),
    path("push/devices/<id:subscription_id>/remove/", views.remove_device, name="remove_device"),
]
