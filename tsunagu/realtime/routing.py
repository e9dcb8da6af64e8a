from __future__ import annotations

from channels.security.websocket import WebsocketDenier
from django.urls import path, re_path

from tsunagu.talk.consumers import TalkConsumer

from .consumers import NetworkConsumer

websocket_urlpatterns = [
    path("ws/n/<network:network_slug>/", NetworkConsumer.as_asgi()),
    path("ws/n/<network:network_slug>/talk/", TalkConsumer.as_asgi()),
    # Any other address is refused at the handshake, as an unknown page answers 404, instead of
    # failing in the router.
    re_path(r"", WebsocketDenier.as_asgi()),
]
