"""A shared room's sockets over the Redis channel layer: live messages reach the joined members
of both sides, named as each side shows them; ending the link, or its rooms, closes every socket
on the room, on both sides, within a second of the commit."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django_scopes import scope

from config.asgi import application
from tsunagu.core.testing.factories import make_member, make_network, make_user
from tsunagu.realtime.tests.test_network_socket import ORIGIN, cookie_for
from tsunagu.tenancy.models import Membership, Role
from tsunagu.testing.world import World

from ..actions import do_leave_shared_room, do_revoke_link, do_withdraw_scope
from ..models import Link, SharedRoom
from .helpers import join, link_networks, open_room, say

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0")

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True), pytest.mark.redis]


@pytest.fixture
def redis_layer(redis_url: str, settings: Any) -> Iterator[None]:
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # A prefix per pytest-xdist worker: workers given the same Redis database never
            # hear each other's rooms (their ids are the same in each worker's database).
            "CONFIG": {"hosts": [redis_url], "prefix": f"tsunagu-test-{WORKER}:"},
        }
    }
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


async def room_socket(
    member: Membership, room: SharedRoom, slug: str | None = None
) -> tuple[WebsocketCommunicator, bool, int | None]:
    slug = slug or await database_sync_to_async(lambda: member.network.slug)()
    headers = [ORIGIN, (b"host", b"testserver"), (b"cookie", await cookie_for(member.user))]
    communicator = WebsocketCommunicator(
        application, f"/ws/n/{slug}/links/rooms/{room.pk}/", headers=headers
    )
    connected, code = await communicator.connect()
    return communicator, connected, code


async def opened(member: Membership, room: SharedRoom) -> WebsocketCommunicator:
    communicator, connected, code = await room_socket(member, room)
    assert connected, code
    return communicator


async def refused(member: Membership, room: SharedRoom) -> int | None:
    communicator, connected, code = await room_socket(member, room)
    assert not connected
    return code


@database_sync_to_async
def shared_room(world: World, scopes: tuple[str, ...] = ("rooms",)) -> tuple[Link, SharedRoom]:
    link = link_networks(world.operator_a, world.operator_b, scopes)
    room = open_room(world.operator_a, link, "合同勉強会")
    join(world.alumni_a, room)
    join(world.alumni_b, room)
    return link, room


async def closes_within_a_second(
    sockets: list[WebsocketCommunicator], change: Callable[[], None]
) -> None:
    """Runs ``change`` in a transaction and measures from its commit to the last socket's close."""
    committed: list[float] = []

    def run() -> None:
        with transaction.atomic():
            # Registered first, so it runs first: the moment the change is committed.
            transaction.on_commit(lambda: committed.append(time.monotonic()))
            change()

    running = asyncio.ensure_future(database_sync_to_async(run)())
    closes = []
    for socket in sockets:
        assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}
        closes.append(time.monotonic())
    await running
    elapsed = max(closes) - committed[0]
    print(f"{len(sockets)} sockets closed {elapsed * 1000:.0f} ms after the commit")
    assert elapsed < 1.0


async def test_a_message_reaches_both_sides_live_named_as_each_side_shows_its_writer(
    world: World, redis_layer: None
) -> None:
    _link, room = await shared_room(world)
    on_a = await opened(world.alumni_a, room)
    on_b = await opened(world.alumni_b, room)
    assert await refused(world.employee_a, room) == 4403  # did not join

    await database_sync_to_async(say)(world.alumni_b, room, "ひだまりからこんにちは")

    seen_by_a = await on_a.receive_json_from(timeout=5)
    seen_by_b = await on_b.receive_json_from(timeout=5)
    assert seen_by_a["body"] == seen_by_b["body"] == "ひだまりからこんにちは"
    assert seen_by_a["name"] == seen_by_b["name"] == "山本 翔太"
    assert seen_by_a["network"] == "ひだまり OB・OG会"  # the other side, labelled
    assert seen_by_b["network"] == ""  # their own network's member
    for socket in (on_a, on_b):
        await socket.disconnect()


async def test_ending_the_link_closes_the_rooms_sockets_on_both_sides_within_a_second(
    world: World, redis_layer: None
) -> None:
    link, room = await shared_room(world)
    sockets = [await opened(m, room) for m in (world.alumni_a, world.alumni_b, world.operator_a)]
    # The member's own network socket is not the room's: it stays open.
    headers = [ORIGIN, (b"host", b"testserver"), (b"cookie", await cookie_for(world.alumni_b.user))]
    network_socket = WebsocketCommunicator(application, "/ws/n/hidamari-b/", headers=headers)
    assert (await network_socket.connect())[0]

    def end() -> None:
        with scope(network=world.net_b):
            do_revoke_link(world.operator_b, link)

    await closes_within_a_second(sockets, end)

    await network_socket.send_json_to({"type": "ping"})
    frames = [await network_socket.receive_json_from(timeout=2) for _ in range(2)]
    # The bell's count first: the joined member was told the room closed.
    assert frames == [{"type": "notifications", "unread": 1}, {"type": "pong"}]
    await network_socket.disconnect()
    for member in (world.alumni_a, world.alumni_b, world.operator_a):
        assert await refused(member, room) == 4403


async def test_withdrawing_rooms_from_the_link_closes_its_sockets_within_a_second(
    world: World, redis_layer: None
) -> None:
    link, room = await shared_room(world, ("directory", "rooms"))
    sockets = [await opened(m, room) for m in (world.alumni_a, world.alumni_b)]

    def withdraw() -> None:
        with scope(network=world.net_a):
            do_withdraw_scope(world.operator_a, link, "rooms")

    await closes_within_a_second(sockets, withdraw)
    for member in (world.alumni_a, world.alumni_b):
        assert await refused(member, room) == 4403


async def test_leaving_the_room_closes_the_members_sockets_on_it_within_a_second(
    world: World, redis_layer: None
) -> None:
    _link, room = await shared_room(world)
    leaving = [await opened(world.alumni_a, room) for _tab in range(2)]
    staying = await opened(world.alumni_b, room)

    def leave() -> None:
        with scope(network=world.net_a):
            do_leave_shared_room(world.alumni_a, room)

    await closes_within_a_second(leaving, leave)
    # The others on the room keep following it.
    await staying.send_json_to({"type": "ping"})
    assert await staying.receive_json_from(timeout=2) == {"type": "pong"}
    await database_sync_to_async(say)(world.alumni_b, room, "まだいます")
    assert (await staying.receive_json_from(timeout=5))["body"] == "まだいます"
    await staying.disconnect()
    assert await refused(world.alumni_a, room) == 4403


async def test_a_message_sent_over_the_socket_past_the_limit_gets_an_error_frame(
    world: World, redis_layer: None, settings: Any
) -> None:
    settings.TALK_RATE_MESSAGES = 1
    settings.TALK_RATE_SECONDS = 10**9  # one window for the whole test
    _link, room = await shared_room(world)
    on_b = await opened(world.alumni_b, room)
    on_a = await opened(world.alumni_a, room)

    await on_b.send_json_to({"type": "send", "body": "ソケットから"})
    frames = [await on_b.receive_json_from(timeout=5) for _ in range(2)]
    assert sorted(f["type"] for f in frames) == ["sent", "shared.message"]
    assert (await on_a.receive_json_from(timeout=5))["body"] == "ソケットから"

    await on_b.send_json_to({"type": "send", "body": "二通目"})
    refused = await on_b.receive_json_from(timeout=5)
    assert refused["type"] == "error" and refused["error"] == "rate"
    assert refused["message"] == "送信が速すぎます。数秒待ってからもう一度送ってください。"
    assert refused["retry_after"] > 0
    assert await on_a.receive_nothing(timeout=0.5)  # nothing was stored or sent
    for socket in (on_a, on_b):
        await socket.disconnect()


async def test_a_third_network_never_opens_the_rooms_socket(
    world: World, redis_layer: None
) -> None:
    _link, room = await shared_room(world)
    third = await database_sync_to_async(
        lambda: make_member(make_network(slug="tsuru-c"), make_user(), role=Role.OPERATOR)
    )()
    assert (
        await refused(
            third,
            room,
        )
        == 4403
    )
    # Nor through a side's address: the network socket there refuses a non-member.
    _c, connected, code = await room_socket(third, room, slug=world.net_a.slug)
    assert not connected and code == 4403
    anonymous = WebsocketCommunicator(
        application,
        f"/ws/n/{world.net_a.slug}/links/rooms/{room.pk}/",
        headers=[ORIGIN, (b"host", b"testserver")],
    )
    connected, code = await anonymous.connect()
    assert not connected and code == 4401
