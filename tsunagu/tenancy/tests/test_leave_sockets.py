"""Leaving a network closes the member's open sockets in it within a second, over Redis."""

from __future__ import annotations

import asyncio
import time

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.db import transaction

from config.asgi import application
from tsunagu.core.testing.factories import make_member
from tsunagu.realtime.tests.test_network_socket import ORIGIN, cookie_for
from tsunagu.tenancy.actions import do_leave_network
from tsunagu.tenancy.models import Role
from tsunagu.testing.world import World

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True), pytest.mark.redis]


async def open_socket(path: str, user: object) -> WebsocketCommunicator:
    headers = [ORIGIN, (b"host", b"testserver"), (b"cookie", await cookie_for(user))]
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _code = await communicator.connect()
    assert connected
    return communicator


async def test_leaving_closes_the_members_sockets_in_that_network_within_a_second(
    world: World, redis_url: str, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_url], "prefix": "tsunagu-test:"},
        }
    }
    channel_layers.backends.clear()
    user = world.alumni_a.user
    await database_sync_to_async(make_member)(world.net_b, user, role=Role.ALUMNI)
    try:
        page = await open_socket("/ws/n/mitsuba-a/", user)
        talk = await open_socket("/ws/n/mitsuba-a/talk/", user)
        assert (await talk.receive_json_from(timeout=3))["type"] == "hello"
        elsewhere = await open_socket("/ws/n/hidamari-b/", user)

        committed: list[float] = []

        def leave() -> None:
            with transaction.atomic():
                # Registered first, so it runs first: the moment the leaving is committed.
                transaction.on_commit(lambda: committed.append(time.monotonic()))
                do_leave_network(world.alumni_a)

        leaving = asyncio.ensure_future(database_sync_to_async(leave)())
        closes = []
        for socket in (page, talk):
            assert await socket.receive_output(timeout=5) == {
                "type": "websocket.close",
                "code": 4403,
            }
            closes.append(time.monotonic())
        await leaving
        elapsed = max(closes) - committed[0]
        print(f"both sockets closed {elapsed * 1000:.0f} ms after the commit")
        assert elapsed < 1.0

        # The person's socket in their other network stays open and answers.
        await elsewhere.send_json_to({"type": "ping"})
        assert await elsewhere.receive_json_from(timeout=1) == {"type": "pong"}
        await elsewhere.disconnect()
        # And the network's socket no longer opens for them.
        headers = [ORIGIN, (b"host", b"testserver"), (b"cookie", await cookie_for(user))]
        again = WebsocketCommunicator(application, "/ws/n/mitsuba-a/", headers=headers)
        connected, code = await again.connect()
        assert not connected and code == 4403
    finally:
        channel_layers.backends.clear()
