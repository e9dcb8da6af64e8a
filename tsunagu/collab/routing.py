from __future__ import annotations

from django.urls import path

from .consumers import SharedRoomConsumer

ROUTE = "ws/n/<network:network_slug>/links/rooms/<id:shared_room_id>/"

websocket_urlpatterns = [path(ROUTE, SharedRoomConsumer.as_asgi())]


def socket_path(network_slug: str, room_id: int) -> str:
    return f"/ws/n/{network_slug}/links/rooms/{room_id}/"
