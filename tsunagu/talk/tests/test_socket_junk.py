"""Junk in a socket frame gets an answer, never a dead socket."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django_scopes import scopes_disabled

from tsunagu.talk.models import Message
from tsunagu.talk.tests.helpers import default_room
from tsunagu.testing.world import World

from .test_socket import connect

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@database_sync_to_async
def stored_bodies(room_id: int) -> list[str]:
    with scopes_disabled():
        return list(
            Message.objects.filter(room_id=room_id).order_by("seq").values_list("body", flat=True)
        )


async def test_a_nul_byte_in_a_message_is_dropped_and_the_socket_keeps_working(
    world: World,
) -> None:
    room = await database_sync_to_async(default_room)(world.net_a)
    socket = await connect(world.alumni_a)
    await socket.send({"type": "send", "room": room.pk, "client_id": "c-1", "body": "おは\x00よう"})
    assert (await socket.next_of("ack"))["seq"] == 1
    await socket.send({"type": "send", "room": room.pk, "client_id": "c-2", "body": "\x00"})
    assert (await socket.next_of("error"))["error"] == "empty"
    await socket.send({"type": "send", "room": room.pk, "client_id": "c-3", "body": "続き"})
    assert (await socket.next_of("ack"))["seq"] == 2
    assert await stored_bodies(room.pk) == ["おはよう", "続き"]
    await socket.close()
