"""The talk socket follows the member's rights as they are now: a lost role, a logout, a new
password or a deactivated account end what the socket could hear and do."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django_scopes import scope, scopes_disabled

from config.asgi import application
from tsunagu.core.testing.factories import make_member
from tsunagu.talk.actions import do_open_office
from tsunagu.talk.models import Room
from tsunagu.talk.tests.helpers import default_room, post
from tsunagu.talk.tests.test_socket import ORIGIN, Socket
from tsunagu.tenancy.actions import do_change_role
from tsunagu.tenancy.models import Membership, Role
from tsunagu.testing.world import CANARY_A, World

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

RECONNECT = 4409
UNAUTHENTICATED = 4401
SECRET = f"退職理由について内密に相談させてください {CANARY_A}"


@database_sync_to_async
def session_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


async def open_socket(client: Client, slug: str) -> tuple[WebsocketCommunicator, Any]:
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    communicator = WebsocketCommunicator(
        application,
        f"/ws/n/{slug}/talk/",
        headers=[ORIGIN, (b"host", b"testserver"), (b"cookie", cookie)],
    )
    connected, code = await communicator.connect()
    return communicator, (connected, code)


async def socket_for(client: Client, slug: str) -> Socket:
    communicator, (connected, code) = await open_socket(client, slug)
    assert connected, code
    hello = await communicator.receive_json_from(timeout=15)
    return Socket(communicator, hello)


async def closed_with(socket: Socket) -> int:
    """Reads frames until the server closes the socket; fails on any message frame before."""
    while True:
        output = await socket.c.receive_output(timeout=15)
        if output["type"] == "websocket.close":
            return int(output["code"])
        assert '"message"' not in output.get("text", ""), output


@database_sync_to_async
def promote_and_open_office(world: World) -> Room:
    with scope(network=world.net_a):
        do_change_role(world.operator_a, world.supporter_a, Role.OPERATOR)
        room = do_open_office(world.alumni_a)
    post(world.alumni_a, room, SECRET)
    return room


@database_sync_to_async
def set_role(world: World, target: Membership, role: str, *, quietly: bool = False) -> None:
    with scopes_disabled():
        if quietly:  # a change that no signal sees: the socket must check for itself
            Membership.objects.filter(pk=target.pk).update(role=role)
            return
        target.refresh_from_db()
    with scope(network=world.net_a):
        do_change_role(world.operator_a, target, role)


async def test_a_demoted_operator_s_socket_hears_no_more_of_the_office(world: World) -> None:
    room = await promote_and_open_office(world)
    client = await session_of(world.supporter_a.user)
    socket = await socket_for(client, world.net_a.slug)
    assert room.pk in socket.hello["rooms"]

    await set_role(world, world.supporter_a, Role.SUPPORTER)
    assert await closed_with(socket) == RECONNECT
    await database_sync_to_async(post)(world.alumni_a, room, "追伸です")

    again = await socket_for(client, world.net_a.slug)
    assert room.pk not in again.hello["rooms"]
    for frame in (
        {"type": "resume", "room": room.pk, "after": 0},
        {"type": "read", "room": room.pk, "seq": 1},
        {"type": "send", "room": room.pk, "client_id": "x-1", "body": "まだ見えますか"},
    ):
        await again.send(frame)
        error = await again.next_of("error")
        assert error["error"] == "not_found", (frame, error)
    assert await again.nothing()
    await again.close()


async def test_resume_read_and_send_check_the_role_the_member_has_now(world: World) -> None:
    """Even if the socket was never told (a change no signal saw), each frame is checked."""
    room = await promote_and_open_office(world)
    client = await session_of(world.supporter_a.user)
    socket = await socket_for(client, world.net_a.slug)
    await set_role(world, world.supporter_a, Role.SUPPORTER, quietly=True)
    for frame in (
        {"type": "resume", "room": room.pk, "after": 0},
        {"type": "read", "room": room.pk, "seq": 1},
        {"type": "send", "room": room.pk, "client_id": "x-2", "body": "まだ見えますか"},
    ):
        await socket.send(frame)
        error = await socket.next_of("error")
        assert error["error"] == "not_found", (frame, error)
    await socket.close()


@database_sync_to_async
def second_network_membership(world: World) -> None:
    make_member(world.net_b, world.alumni_a.user, role=Role.ALUMNI)


async def test_logout_closes_the_sockets_of_that_session_in_every_network(world: World) -> None:
    await second_network_membership(world)
    client = await session_of(world.alumni_a.user)
    in_a = await socket_for(client, world.net_a.slug)
    in_b = await socket_for(client, world.net_b.slug)
    await database_sync_to_async(client.post)("/accounts/logout/")
    assert await closed_with(in_a) == RECONNECT
    assert await closed_with(in_b) == RECONNECT
    communicator, (connected, code) = await open_socket(client, world.net_a.slug)
    assert not connected and code == UNAUTHENTICATED


@database_sync_to_async
def change_password(user: Any) -> None:
    user.refresh_from_db()
    user.set_password("新しい合言葉-2026")
    user.save()


async def test_a_new_password_ends_the_other_sessions_sockets(world: World) -> None:
    await second_network_membership(world)
    client = await session_of(world.alumni_a.user)
    in_a = await socket_for(client, world.net_a.slug)
    in_b = await socket_for(client, world.net_b.slug)
    await change_password(world.alumni_a.user)
    assert await closed_with(in_a) == RECONNECT
    assert await closed_with(in_b) == RECONNECT
    communicator, (connected, code) = await open_socket(client, world.net_b.slug)
    assert not connected and code == UNAUTHENTICATED


@database_sync_to_async
def deactivate(user: Any) -> None:
    user.refresh_from_db()
    user.is_active = False
    user.save()


async def test_a_deactivated_account_loses_its_sockets(world: World) -> None:
    client = await session_of(world.alumni_a.user)
    socket = await socket_for(client, world.net_a.slug)
    room = await database_sync_to_async(default_room)(world.net_a)
    await deactivate(world.alumni_a.user)
    assert await closed_with(socket) == RECONNECT
    communicator, (connected, code) = await open_socket(client, world.net_a.slug)
    assert not connected and code in (UNAUTHENTICATED, 4403)
    await database_sync_to_async(post)(world.operator_a, room, "お知らせ")
