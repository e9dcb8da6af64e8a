from __future__ import annotations

from django.urls import path

from .consumers import TalkConsumer

websocket_urlpatterns = [
    path("ws/n/<network:network_slug>/talk/", TalkConsumer.as_asgi()),
]
