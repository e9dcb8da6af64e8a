"""Every websocket route, as config/urls.py lists every page: each app with sockets keeps its own
``routing.websocket_urlpatterns``, and only this module knows them all."""

from __future__ import annotations

from channels.security.websocket import WebsocketDenier
from django.urls import re_path

from tsunagu.collab.routing import websocket_urlpatterns as collab_patterns
from tsunagu.realtime.routing import websocket_urlpatterns as realtime_patterns
from tsunagu.talk.routing import websocket_urlpatterns as talk_patterns

websocket_urlpatterns = [
    *realtime_patterns,
    *talk_patterns,
    *collab_patterns,
    # Any other address is refused at the handshake, as an unknown page answers 404, instead of
    # failing in the router.
    re_path(r"", WebsocketDenier.as_asgi()),
]
