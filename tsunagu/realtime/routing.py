from __future__ import annotations

from django.urls import path

from .consumers import NetworkConsumer

websocket_urlpatterns = [
    path("ws/n/<network:network_slug>/", NetworkConsumer.as_asgi()),
]
