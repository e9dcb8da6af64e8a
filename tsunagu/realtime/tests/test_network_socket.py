"""The member's socket inside a network: who may open it, what reaches it, when it closes."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.test import Client
from django_scopes import scope, scopes_disabled

from config.asgi import application
from tsunagu.core.testing.factories import make_member
from tsunagu.notify.actions import notify
from tsunagu.tenancy.actions import do_change_role, do_change_status
from tsunagu.tenancy.models import Membership, Role, Status
from tsunagu.testing.world import World

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://testserver")


@database_sync_to_async
def cookie_for(user: object | None) -> bytes:
    if user is None:
        return b""
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def open_socket(
    slug: str, user: object | None, origin: tuple[bytes, bytes] = ORIGIN
) -> tuple[WebsocketCommunicator, bool, int | None]:
    headers = [origin, (b"host", b"testserver")]
    cookie = await cookie_for(user)
    if cookie:
        headers.append((b"cookie", cookie))
    communicator = WebsocketCommunicator(application, f"/ws/n/{slug}/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


@database_sync_to_async
def notify_in(world: World, network_attr: str, member: Membership) -> None:
    network = getattr(world, network_attr)
    with scope(network=network):
        notify(network, [member.user], "announcement", params={"title": "総会"})


async def test_an_active_member_connects_and_is_answered(world: World) -> None:
    socket, connected, _ = await open_socket("mitsuba-a", world.alumni_a.user)
    assert connected
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from() == {"type": "pong"}
    await socket.disconnect()


@pytest.mark.parametrize("who", ["anonymous", "outsider", "alumni_b", "operator_b", "suspended"])
async def test_nobody_but_a_member_opens_the_socket_of_network_a(world: World, who: str) -> None:
    if who == "suspended":

        @database_sync_to_async
        def suspend() -> None:
            with scopes_disabled():
                Membership.objects.filter(pk=world.employee_a.pk).update(status=Status.SUSPENDED)

        await suspend()
        user = world.employee_a.user
    else:
        user = {
            "anonymous": None,
            "outsider": world.outsider,
            "alumni_b": world.alumni_b.user,
            "operator_b": world.operator_b.user,
        }[who]
    socket, connected, code = await open_socket("mitsuba-a", user)
    assert not connected
    assert code in (4401, 4403)


async def test_a_handshake_from_a_foreign_origin_is_refused(world: World) -> None:
    socket, connected, _ = await open_socket(
        "mitsuba-a", world.alumni_a.user, origin=(b"origin", b"https://evil.example")
    )
    assert not connected


async def test_a_notification_arrives_live_only_on_its_network_socket(world: World) -> None:
    member_a, ok_a, _ = await open_socket("mitsuba-a", world.alumni_a.user)
    member_b, ok_b, _ = await open_socket("hidamari-b", world.alumni_b.user)
    assert ok_a and ok_b
    await notify_in(world, "net_a", world.alumni_a)
    assert await member_a.receive_json_from(timeout=2) == {"type": "notifications", "unread": 1}
    assert await member_b.receive_nothing(timeout=0.3)
    await member_a.disconnect()
    await member_b.disconnect()


async def test_a_user_in_both_networks_hears_each_network_only_on_its_own_socket(
    world: World,
) -> None:
    both = await database_sync_to_async(make_member)(world.net_b, world.alumni_a.user)
    on_a, _, _ = await open_socket("mitsuba-a", world.alumni_a.user)
    on_b, _, _ = await open_socket("hidamari-b", world.alumni_a.user)
    await notify_in(world, "net_b", both)
    assert await on_b.receive_json_from(timeout=2) == {"type": "notifications", "unread": 1}
    assert await on_a.receive_nothing(timeout=0.3)
    await on_a.disconnect()
    await on_b.disconnect()


async def test_suspending_a_member_closes_their_open_socket_at_once(world: World) -> None:
    socket, connected, _ = await open_socket("mitsuba-a", world.alumni_a.user)
    assert connected

    @database_sync_to_async
    def suspend() -> None:
        with scope(network=world.net_a):
            do_change_status(world.operator_a, world.alumni_a, Status.SUSPENDED)

    await suspend()
    output = await socket.receive_output(timeout=2)
    assert output == {"type": "websocket.close", "code": 4403}


async def test_a_new_role_makes_the_members_sockets_reconnect(world: World) -> None:
    """Rooms limited to employees or alumni follow the role: an open socket subscribed under the
    old one is closed with the reconnect code, and the browser connects again."""
    socket, connected, _ = await open_socket("mitsuba-a", world.employee_a.user)
    assert connected

    @database_sync_to_async
    def make_alumni() -> None:
        with scope(network=world.net_a):
            do_change_role(world.operator_a, world.employee_a, Role.ALUMNI)

    await make_alumni()
    output = await socket.receive_output(timeout=2)
    assert output == {"type": "websocket.close", "code": 4409}


async def test_malformed_frames_get_an_error_and_the_socket_stays_open(world: World) -> None:
    socket, _, _ = await open_socket("mitsuba-a", world.alumni_a.user)
    await socket.send_to(text_data="{not json")
    assert await socket.receive_json_from() == {"type": "error", "error": "malformed"}
    await socket.send_to(bytes_data=b"\x00\x01")
    assert await socket.receive_json_from() == {"type": "error", "error": "malformed"}
    await socket.send_json_to({"type": "something-else"})
    assert (await socket.receive_json_from())["error"] == "unknown_type"
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from() == {"type": "pong"}
    await socket.disconnect()


@pytest.mark.redis
async def test_events_cross_the_real_redis_channel_layer(
    world: World, redis_url: str, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_url], "prefix": "tsunagu-test:"},
        }
    }
    channel_layers.backends.clear()
    try:
        socket, connected, _ = await open_socket("mitsuba-a", world.alumni_a.user)
        other, _, _ = await open_socket("hidamari-b", world.operator_b.user)
        assert connected
        await notify_in(world, "net_a", world.alumni_a)
        assert await socket.receive_json_from(timeout=3) == {"type": "notifications", "unread": 1}
        assert await other.receive_nothing(timeout=0.5)

        @database_sync_to_async
        def suspend() -> None:
            with scope(network=world.net_a):
                do_change_status(world.operator_a, world.alumni_a, Status.SUSPENDED)

        await suspend()
        assert await socket.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}
        await other.disconnect()
    finally:
        channel_layers.backends.clear()


async def test_opening_the_socket_marks_the_member_active_in_its_network_only(
    world: World,
) -> None:
    both = await database_sync_to_async(make_member)(world.net_b, world.alumni_a.user)
    cookie = await cookie_for(world.alumni_a.user)  # the login itself marks every membership

    @database_sync_to_async
    def forget() -> None:
        with scopes_disabled():
            Membership.objects.filter(pk__in=[world.alumni_a.pk, both.pk]).update(last_seen_at=None)

    await forget()
    socket = WebsocketCommunicator(
        application,
        "/ws/n/mitsuba-a/",
        headers=[ORIGIN, (b"host", b"testserver"), (b"cookie", cookie)],
    )
    connected, _ = await socket.connect()
    assert connected

    @database_sync_to_async
    def last_seen() -> tuple:
        with scopes_disabled():
            return (
                Membership.objects.get(pk=world.alumni_a.pk).last_seen_at,
                Membership.objects.get(pk=both.pk).last_seen_at,
            )

    seen_a, seen_b = await last_seen()
    assert seen_a is not None
    assert seen_b is None
    await socket.disconnect()
