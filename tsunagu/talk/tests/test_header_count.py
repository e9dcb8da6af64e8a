"""The talk count in the header moves live on every page: the network socket (which every page of
a network opens) hears each member's new total when a message arrives in one of their rooms and
when they read one, and no socket of another network hears anything."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from django_scopes import scope

from tsunagu.core.testing.factories import make_member
from tsunagu.realtime.tests.test_network_socket import open_socket
from tsunagu.talk.actions import do_mark_read
from tsunagu.talk.models import Message, Room
from tsunagu.talk.tests.helpers import default_room, make_room, post
from tsunagu.talk.unread import compute_total
from tsunagu.tenancy.models import Membership
from tsunagu.testing.world import World

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def talk_count(socket: Any) -> dict[str, Any]:
    """The next frame, which must be the talk count."""
    frame = await socket.receive_json_from(timeout=3)
    assert frame["type"] == "count" and frame["link"] == "talk", frame
    return frame


@database_sync_to_async
def read(member: Membership, room: Room, seq: int) -> None:
    with scope(network=member.network):
        do_mark_read(member, room, seq)


@database_sync_to_async
def total(member: Membership) -> int:
    with scope(network=member.network):
        return compute_total(member)


async def test_a_message_moves_the_count_of_the_others_in_the_room_and_reading_it_back(
    world: World,
) -> None:
    room = await database_sync_to_async(default_room)(world.net_a)
    employee, _, _ = await open_socket(world.net_a.slug, world.employee_a.user)
    sender, _, _ = await open_socket(world.net_a.slug, world.alumni_a.user)
    message: Message = await database_sync_to_async(post)(
        world.alumni_a, room, "おはようございます"
    )
    first = await talk_count(employee)
    assert first["count"] == 1 == await total(world.employee_a)
    # Their own message is read: the sender hears nothing.
    assert await sender.receive_nothing(timeout=0.3)
    await database_sync_to_async(post)(world.alumni_a, room, "今日もよろしくお願いします")
    second = await talk_count(employee)
    assert second["count"] == 2 and second["at"] >= first["at"]
    await read(world.employee_a, room, message.seq)
    assert (await talk_count(employee))["count"] == 1
    await read(world.employee_a, room, message.seq + 1)
    assert (await talk_count(employee))["count"] == 0
    # Reading again moves nothing, and says nothing.
    await read(world.employee_a, room, message.seq + 1)
    assert await employee.receive_nothing(timeout=0.3)
    await employee.disconnect()
    await sender.disconnect()


async def test_only_the_rooms_members_hear_it_and_never_another_network(world: World) -> None:
    closed = await database_sync_to_async(make_room)(world.operator_a, name="運営会議")
    room = await database_sync_to_async(default_room)(world.net_a)
    # The alumna of A is a member of B too: her socket in B must hear nothing of A.
    await database_sync_to_async(make_member)(world.net_b, world.alumni_a.user)
    spies = {
        "alumni_a": await open_socket(world.net_a.slug, world.alumni_a.user),
        "alumni_a_in_b": await open_socket(world.net_b.slug, world.alumni_a.user),
        "operator_b": await open_socket(world.net_b.slug, world.operator_b.user),
        "alumni_b": await open_socket(world.net_b.slug, world.alumni_b.user),
    }
    assert all(connected for _, connected, _ in spies.values())
    # A room she is not in: nothing for her.
    await database_sync_to_async(post)(world.operator_a, closed, "議事録を共有します")
    for name, (socket, _, _) in spies.items():
        assert await socket.receive_nothing(timeout=0.3), name
    await database_sync_to_async(post)(world.operator_a, room, "総会のお知らせです")
    assert (await talk_count(spies["alumni_a"][0]))["count"] == 1
    for name in ("alumni_a_in_b", "operator_b", "alumni_b"):
        assert await spies[name][0].receive_nothing(timeout=0.3), name
    for socket, _, _ in spies.values():
        await socket.disconnect()
