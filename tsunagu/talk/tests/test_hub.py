"""The room hub's promises (realtime/hub.py, talk/consumers.py): a socket survives a Redis
restart and is resynchronised, its groups are joined again, a long backlog resumes page by page,
and nothing is broadcast before its transaction commits."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.db import transaction
from django_scopes import scope, scopes_disabled

from tsunagu.core.testing.servers import PrivateRedis
from tsunagu.talk.actions import do_send_message
from tsunagu.talk.consumers import RESUME_BATCH
from tsunagu.talk.models import Message
from tsunagu.talk.tests.helpers import default_room, fill_room, post
from tsunagu.tenancy.actions import do_change_status
from tsunagu.tenancy.models import Status
from tsunagu.testing.world import World

from .test_socket import connect

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def redis_layer(url: str) -> dict[str, Any]:
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [url], "prefix": "tsunagu:ch:", "capacity": 1000},
        }
    }


async def say(member: Any, room: Any, body: str) -> Message:
    return await database_sync_to_async(post)(member, room, body)


@pytest.mark.redis
async def test_a_redis_restart_keeps_the_socket_open_resyncs_it_and_rejoins_its_groups(
    world: World, settings: Any, private_redis: PrivateRedis
) -> None:
    settings.CHANNEL_LAYERS = redis_layer(private_redis.url)
    room = await database_sync_to_async(default_room)(world.net_a)
    reader = await connect(world.alumni_a)
    await say(world.operator_a, room, "再起動の前です")
    assert (await reader.next_of("message"))["seq"] == 1

    private_redis.stop()  # every group, and the hub's subscription, is gone with it
    await asyncio.sleep(1.0)  # the hub and the socket's own reads fail meanwhile
    missed = await say(world.operator_a, room, "Redis が止まっている間の投稿")  # stored, not heard
    private_redis.start()

    # The socket was never closed: it is told to catch up (a close or a crash would fail here).
    assert await reader.next_of("resync", timeout=15) == {"type": "resync"}
    await reader.send({"type": "resume", "room": room.pk, "after": 1})
    replay = await reader.next_of("message")
    assert replay["seq"] == missed.seq and replay["replay"] and "止まっている間" in replay["html"]
    assert await reader.next_of("resumed") == {
        "type": "resumed",
        "room": room.pk,
        "last": missed.seq,
        "more": False,
    }

    # The hub joined the room's group again: a new message arrives live, at once, not only at
    # the next periodic refresh (20 s).
    await say(world.operator_a, room, "再起動の後です")
    live = await reader.next_of("message", timeout=5)
    assert live["seq"] == missed.seq + 1 and not live.get("replay") and "再起動の後" in live["html"]

    # And the socket joined its member's own group again: a suspension still closes it at once.
    @database_sync_to_async
    def suspend() -> None:
        with scope(network=world.net_a):
            do_change_status(world.operator_a, world.alumni_a, Status.SUSPENDED)

    await suspend()
    assert await reader.c.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}


@pytest.mark.redis
async def test_a_member_suspended_while_redis_was_down_is_closed_at_the_resync(
    world: World, settings: Any, private_redis: PrivateRedis
) -> None:
    settings.CHANNEL_LAYERS = redis_layer(private_redis.url)
    reader = await connect(world.alumni_a)
    private_redis.stop()
    await asyncio.sleep(1.0)

    @database_sync_to_async
    def suspend() -> None:
        with scope(network=world.net_a):
            do_change_status(world.operator_a, world.alumni_a, Status.SUSPENDED)

    # Stored; the event that closes the member's sockets is lost with Redis (and its sending
    # fails after the commit).
    with contextlib.suppress(Exception):
        await suspend()
    private_redis.start()
    # The socket does not learn it from the lost event but from the resync's check.
    assert await reader.c.receive_output(timeout=15) == {"type": "websocket.close", "code": 4403}


async def test_a_backlog_longer_than_one_batch_resumes_in_pages_without_loss(
    world: World,
) -> None:
    total = RESUME_BATCH * 2 + 50
    room = await database_sync_to_async(default_room)(world.net_a)
    await database_sync_to_async(fill_room)(room, [world.operator_a, world.employee_a], total)
    reader = await connect(world.alumni_a)

    received: list[int] = []
    pages: list[dict[str, Any]] = []
    after = 0
    while True:
        await reader.send({"type": "resume", "room": room.pk, "after": after})
        while True:
            frame = await reader.next()
            if frame["type"] == "message":
                assert frame["replay"]
                received.append(frame["seq"])
            elif frame["type"] == "resumed":
                break
        pages.append(frame)
        if not frame["more"]:
            break
        after = frame["last"]  # as talk.js does: ask again from where this page stopped

    assert [(p["last"], p["more"]) for p in pages] == [
        (RESUME_BATCH, True),
        (RESUME_BATCH * 2, True),
        (total, False),
    ]
    assert received == list(range(1, total + 1))  # every one, once, in order
    await reader.close()


class _RolledBack(Exception):
    pass


async def test_a_message_is_broadcast_after_its_transaction_commits_and_never_if_rolled_back(
    world: World,
) -> None:
    room = await database_sync_to_async(default_room)(world.net_a)
    reader = await connect(world.employee_a)

    async def send_in_a_transaction(client_id: str, body: str, commit: bool) -> None:
        stored = threading.Event()
        finish = threading.Event()

        def work() -> None:
            with scope(network=world.net_a):
                try:
                    with transaction.atomic():
                        do_send_message(world.alumni_a, room, body=body, client_id=client_id)
                        stored.set()
                        finish.wait(10)  # the transaction stays open while the reader listens
                        if not commit:
                            raise _RolledBack
                except _RolledBack:
                    pass

        done = asyncio.ensure_future(database_sync_to_async(work)())
        try:
            loop = asyncio.get_running_loop()
            assert await loop.run_in_executor(None, stored.wait, 10)
            # Stored, not yet committed: nobody hears of it.
            assert await reader.nothing(timeout=0.7), "broadcast before the commit"
        finally:
            finish.set()
            await done

    await send_in_a_transaction("c-draft", "取り消される下書き", commit=False)
    assert await reader.nothing(timeout=1.0), "a rolled back message was broadcast"

    await send_in_a_transaction("c-final", "確定した投稿", commit=True)
    frame = await reader.next_of("message")
    assert "確定した投稿" in frame["html"]

    @database_sync_to_async
    def stored_bodies() -> list[str]:
        with scopes_disabled():
            return list(Message.objects.filter(room=room).values_list("body", flat=True))

    assert await stored_bodies() == ["確定した投稿"]
    # The rolled back one took no number either: the committed one is the room's first.
    assert frame["seq"] == 1
    await reader.close()
