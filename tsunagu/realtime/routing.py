from __future__ import annotations

from django.urls import path

from tsunagu.talk.consumers import TalkConsumer

from .consumers import NetworkConsumer

websocket_urlpatterns = [
    path("ws/n/<slug:network_slug>/", NetworkConsumer.as_asgi()),
    path("ws/n/<slug:network_slug>/talk/", TalkConsumer.as_asgi()),
]
