"""The talk socket through Channels' communicator: send, acknowledge, broadcast, resume, errors."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client
from django_scopes import scope, scopes_disabled

from config.asgi import application
from tsunagu.realtime.hub import get_hub
from tsunagu.talk.actions import do_edit_message, do_join_room, do_open_direct
from tsunagu.talk.consumers import BUCKET_RATE
from tsunagu.talk.models import Message, Room, RoomKind, room_group
from tsunagu.talk.tests.helpers import default_room, make_room, post
from tsunagu.tenancy.actions import do_change_status
from tsunagu.tenancy.models import Membership, Status
from tsunagu.testing.world import World

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://testserver")


@database_sync_to_async
def cookie_for(user: Any) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


# How long a test waits for a frame it expects. Generous: it only matters when the frame never
# comes, and a loaded machine running the suite on every core is slow to hand frames over.
FRAME_WAIT = 15


class Socket:
    """A member's talk socket that keeps every frame it receives."""

    def __init__(self, communicator: WebsocketCommunicator, hello: dict[str, Any]) -> None:
        self.c = communicator
        self.hello = hello

    async def send(self, frame: dict[str, Any]) -> None:
        await self.c.send_json_to(frame)

    async def next(self, timeout: float = FRAME_WAIT) -> dict[str, Any]:
        return await self.c.receive_json_from(timeout=timeout)

    async def next_of(self, kind: str, timeout: float = FRAME_WAIT) -> dict[str, Any]:
        while True:
            frame = await self.next(timeout)
            if frame["type"] == kind:
                return frame

    async def nothing(self, timeout: float = 0.3) -> bool:
        return await self.c.receive_nothing(timeout=timeout)

    async def close(self) -> None:
        await self.c.disconnect()


async def connect(member: Membership, slug: str | None = None) -> Socket:
    cookie = await cookie_for(member.user)
    network_slug = slug or await database_sync_to_async(lambda: member.network.slug)()
    communicator = WebsocketCommunicator(
        application,
        f"/ws/n/{network_slug}/talk/",
        headers=[ORIGIN, (b"host", b"testserver"), (b"cookie", cookie)],
    )
    connected, code = await communicator.connect()
    assert connected, code
    hello = await communicator.receive_json_from(timeout=FRAME_WAIT)
    assert hello["type"] == "hello"
    return Socket(communicator, hello)


@database_sync_to_async
def count_messages(room: Room, **filters: Any) -> int:
    with scopes_disabled():
        return Message.objects.filter(room=room, **filters).count()


async def test_a_message_is_stored_acknowledged_and_broadcast_to_the_room(world: World) -> None:
    room = await database_sync_to_async(default_room)(world.net_a)
    alumni = await connect(world.alumni_a)
    employee = await connect(world.employee_a)
    outsider_b = await connect(world.alumni_b)
    assert room.pk in alumni.hello["rooms"]
    await alumni.send(
        {"type": "send", "room": room.pk, "client_id": "c-1", "body": "おはようございます☀"}
    )
    ack = await alumni.next_of("ack")
    assert ack["seq"] == 1 and ack["client_id"] == "c-1" and not ack["duplicate"]
    frame = await employee.next_of("message")
    assert frame["seq"] == 1 and "おはようございます☀" in frame["html"]
    assert frame["name"].startswith("田中 花子")
    assert await outsider_b.nothing()
    # The same client id again (its acknowledgement was lost): stored once, same number.
    await alumni.send(
        {"type": "send", "room": room.pk, "client_id": "c-1", "body": "おはようございます☀"}
    )
    again = await alumni.next_of("ack")
    assert again["seq"] == 1 and again["duplicate"]
    assert await count_messages(room) == 1
    for socket in (alumni, employee, outsider_b):
        await socket.close()


async def test_control_characters_sent_over_the_socket_never_reach_storage(world: World) -> None:
    room = await database_sync_to_async(default_room)(world.net_a)
    alumni = await connect(world.alumni_a)
    await alumni.send(
        {"type": "send", "room": room.pk, "client_id": "c-nul", "body": "おは\x00よう\x1b\n二行目"}
    )
    ack = await alumni.next_of("ack")
    assert ack["seq"] == 1
    assert await count_messages(room, body="おはよう\n二行目") == 1  # no 500 on PostgreSQL
    await alumni.close()


async def test_resume_sends_everything_after_the_last_number_seen(world: World) -> None:
    room = await database_sync_to_async(default_room)(world.net_a)
    for i in range(5):
        await database_sync_to_async(post)(world.operator_a, room, f"お知らせ {i + 1}")
    socket = await connect(world.alumni_a)
    await socket.send({"type": "resume", "room": room.pk, "after": 2})
    frames = [await socket.next() for _ in range(4)]
    assert [f["seq"] for f in frames[:3]] == [3, 4, 5]
    assert all(f["replay"] for f in frames[:3])
    assert frames[3] == {"type": "resumed", "room": room.pk, "last": 5, "more": False}
    await socket.close()


async def test_bad_frames_get_clear_errors_and_the_socket_keeps_working(
    world: World, settings: Any
) -> None:
    room = await database_sync_to_async(default_room)(world.net_a)
    other_network_room = await database_sync_to_async(default_room)(world.net_b)
    not_joined = await database_sync_to_async(make_room)(world.operator_a, name="朝活")
    closed = await database_sync_to_async(make_room)(
        world.operator_a, name="運営", kind=RoomKind.CLOSED
    )
    socket = await connect(world.alumni_a)
    watcher = await connect(world.employee_a)

    async def error_for(frame: Any, raw: str | None = None) -> dict[str, Any]:
        if raw is not None:
            await socket.c.send_to(text_data=raw)
        else:
            await socket.send(frame)
        answer = await socket.next_of("error")
        assert answer["message"], answer  # a sentence for the member, in their language
        return answer

    assert (await error_for(None, raw="{not json"))["error"] == "malformed"
    assert (await error_for(None, raw="x" * 40_000))["error"] == "too_large"
    assert (await error_for({"type": "dance"}))["error"] == "unknown_type"
    malformed = await error_for({"type": "send", "room": "1", "client_id": "c"})
    assert malformed["error"] == "malformed" and malformed["client_id"] == "c"  # a final answer
    empty = await error_for({"type": "send", "room": room.pk, "client_id": "c-e", "body": "  "})
    assert empty["error"] == "empty" and empty["message"] == "メッセージを入力してください。"
    assert empty["client_id"] == "c-e"
    long = await error_for(
        {"type": "send", "room": room.pk, "client_id": "c-l", "body": "長" * 4001}
    )
    assert long["error"] == "too_long" and "4000" in long["message"]
    bad_id = await error_for({"type": "send", "room": room.pk, "client_id": "<x>", "body": "やあ"})
    assert bad_id["error"] == "bad_client_id"
    for target, expected in ((not_joined, "not_member"), (closed, "not_found")):
        answer = await error_for(
            {"type": "send", "room": target.pk, "client_id": f"c-{target.pk}", "body": "こんにちは"}
        )
        assert answer["error"] == expected
    answer = await error_for(
        {"type": "send", "room": other_network_room.pk, "client_id": "c-b", "body": "越境"}
    )
    assert answer["error"] == "not_found"
    answer = await error_for({"type": "resume", "room": other_network_room.pk, "after": 0})
    assert answer["error"] == "not_found"
    assert (await error_for({"type": "typing", "room": closed.pk}))["error"] == "not_member"
    settings.TALK_RATE_MESSAGES = 2
    for i in range(2):
        await socket.send(
            {"type": "send", "room": room.pk, "client_id": f"c-ok{i}", "body": f"連投{i}"}
        )
        assert (await socket.next_of("ack"))["seq"] == i + 1
    flood = await error_for({"type": "send", "room": room.pk, "client_id": "c-f", "body": "連投"})
    assert flood["error"] == "rate" and "速すぎ" in flood["message"]
    # When the member's window ends: the browser waits that long, then sends this one again.
    assert flood["client_id"] == "c-f"
    assert 0 < flood["retry_after"] <= settings.TALK_RATE_SECONDS
    # The room keeps working for everyone else, and the socket for its owner.
    await socket.send({"type": "ping"})
    assert await socket.next_of("pong") == {"type": "pong"}
    received = [await watcher.next_of("message") for _ in range(2)]
    assert [f["seq"] for f in received] == [1, 2]
    assert await count_messages(room) == 2
    await socket.close()
    await watcher.close()


async def test_a_flood_of_frames_is_refused_without_closing_the_socket(world: World) -> None:
    socket = await connect(world.alumni_a)
    for _ in range(80):
        await socket.send({"type": "ping"})
    frames = [await socket.next() for _ in range(80)]
    assert any(f.get("error") == "flood" for f in frames)
    assert sum(1 for f in frames if f["type"] == "pong") >= 60
    await socket.close()


async def test_a_message_dropped_as_a_flood_is_named_and_taken_when_sent_again_later(
    world: World,
) -> None:
    room = await database_sync_to_async(default_room)(world.net_a)
    socket = await connect(world.alumni_a)
    for _ in range(100):  # the burst, spent at once
        await socket.send({"type": "ping"})
    frame = {"type": "send", "room": room.pk, "client_id": "c-late", "body": "遅れて届く"}
    await socket.send(frame)
    while (answer := await socket.next())["type"] == "pong" or answer.get("client_id") is None:
        pass
    # The refusal names the one message, and when the socket takes frames again.
    assert answer["error"] == "flood" and answer["room"] == room.pk
    assert answer["client_id"] == "c-late"
    assert 0 < answer["retry_after"] <= 1 / BUCKET_RATE + 0.01
    assert await count_messages(room) == 0
    await asyncio.sleep(answer["retry_after"])
    await socket.send(frame)
    assert (await socket.next_of("ack"))["client_id"] == "c-late"
    assert await count_messages(room) == 1
    await socket.close()


async def test_reactions_typing_read_markers_and_edits_arrive_live(world: World) -> None:
    dm = await database_sync_to_async(
        lambda: _in_scope(world, lambda: do_open_direct(world.alumni_a, world.employee_a))
    )()
    alumni = await connect(world.alumni_a)
    employee = await connect(world.employee_a)
    supporter = await connect(world.supporter_a)
    await alumni.send(
        {"type": "send", "room": dm.pk, "client_id": "c-dm", "body": "今度ランチどう？"}
    )
    ack = await alumni.next_of("ack")
    message = await employee.next_of("message")
    await employee.send({"type": "typing", "room": dm.pk})
    typing = await alumni.next_of("typing")
    assert typing["member"] == world.employee_a.pk and typing["name"].startswith("鈴木 一郎")
    await employee.send({"type": "read", "room": dm.pk, "seq": ack["seq"]})
    read = await alumni.next_of("read")
    assert read == {"type": "read", "room": dm.pk, "member": world.employee_a.pk, "seq": 1}
    await employee.send({"type": "react", "room": dm.pk, "message": message["id"], "stamp": "like"})
    reactions = await alumni.next_of("reactions")
    assert reactions["reactions"][0]["label"] == "👍"
    assert reactions["reactions"][0]["members"] == [world.employee_a.pk]

    @database_sync_to_async
    def edit() -> None:
        with scope(network=world.net_a):
            found = Message.objects.get(pk=message["id"])
            do_edit_message(world.alumni_a, found, "今度ランチどうですか？")

    await edit()
    update = await employee.next_of("update")
    assert update["edited"] and "どうですか" in update["html"]
    assert await supporter.nothing()  # not in the conversation: hears nothing of it
    for socket in (alumni, employee, supporter):
        await socket.close()


def _in_scope(world: World, work: Any) -> Any:
    with scope(network=world.net_a):
        return work()


async def test_joining_a_room_starts_its_events_on_open_sockets(world: World) -> None:
    room = await database_sync_to_async(make_room)(world.operator_a, name="ランニング部")
    alumni = await connect(world.alumni_a)
    assert room.pk not in alumni.hello["rooms"]
    await database_sync_to_async(
        lambda: _in_scope(world, lambda: do_join_room(world.alumni_a, room))
    )()
    await alumni.send({"type": "ping"})
    await alumni.next_of("pong")  # the join event was handled before this answer
    await database_sync_to_async(post)(world.operator_a, room, "皇居ラン、土曜7時です")
    frame = await alumni.next_of("message")
    assert "皇居ラン" in frame["html"]
    await alumni.close()


async def test_suspending_a_member_closes_their_talk_socket_at_once(world: World) -> None:
    socket = await connect(world.alumni_a)

    @database_sync_to_async
    def suspend() -> None:
        with scope(network=world.net_a):
            do_change_status(world.operator_a, world.alumni_a, Status.SUSPENDED)

    await suspend()
    assert await socket.c.receive_output(timeout=2) == {"type": "websocket.close", "code": 4403}


async def test_a_room_is_one_channel_layer_subscription_per_process(world: World) -> None:
    room = await database_sync_to_async(default_room)(world.net_a)
    members = [world.operator_a, world.supporter_a, world.employee_a, world.alumni_a]
    sockets = [await connect(m) for m in members]
    layer = get_channel_layer()
    group = room_group(world.net_a.pk, room.pk)
    assert len(layer.groups[group]) == 1  # the hub, not one entry per connection
    assert get_hub(layer).count(group) == 4
    await sockets[0].send(
        {"type": "send", "room": room.pk, "client_id": "c-h", "body": "全員に届く？"}
    )
    for socket in sockets[1:]:
        assert "全員に届く" in (await socket.next_of("message"))["html"]
    for socket in sockets:
        await socket.close()
    assert group not in layer.groups or not layer.groups[group]


async def test_frames_are_plain_json_objects() -> None:
    # The hub sends text encoded once; it must stay valid JSON with Japanese left readable.
    from tsunagu.realtime.hub import encode

    text = encode({"type": "message", "html": "<p>雑談</p>"})
    assert json.loads(text)["html"] == "<p>雑談</p>" and "雑談" in text


@pytest.mark.parametrize(
    "who, origin", [("alumni_a", b"https://evil.example"), (None, b"http://testserver")]
)
async def test_the_talk_socket_checks_the_origin_and_the_session(
    world: World, who: str | None, origin: bytes
) -> None:
    headers = [(b"origin", origin), (b"host", b"testserver")]
    if who is not None:
        headers.append((b"cookie", await cookie_for(getattr(world, who).user)))
    communicator = WebsocketCommunicator(application, "/ws/n/mitsuba-a/talk/", headers=headers)
    connected, _code = await communicator.connect()
    assert not connected
