"""The talk socket of a member in one network: /ws/n/<slug>/talk/.

Protocol (JSON frames):

- browser → server: ``send`` {room, client_id, body, thread?}, ``resume`` {room, after},
  ``typing`` {room}, ``read`` {room, seq}, ``react`` {room, message, stamp}, ``ping``.
- server → browser: ``hello`` {member, rooms}, ``ack`` {room, client_id, seq, id},
  ``message`` / ``update`` (a message; ``replay`` when sent for a ``resume``), ``reactions``,
  ``typing``, ``read``, ``room``, ``resumed`` {room, last, more}, ``resync`` (ask for what you
  missed), ``error`` {error, message, client_id?, room?, retry_after?}, ``pong``.

A message is stored before it is acknowledged, and broadcast after its transaction commits. The
socket follows the rooms the member is in through the process's hub (realtime/hub.py): it
receives a room's events without a channel-layer group of its own. It still joins the member's
own group (the base consumer), so suspending the member closes it at once.

A failing channel layer does not close the socket: its reads wait for the hub to see the layer
again, and the hub's ``resync`` rejoins the member's groups and checks the member first.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.layers import get_channel_layer
from channels.utils import await_many_dispatch
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from django_scopes import scope

from tsunagu.realtime.consumers import CLOSE_FORBIDDEN, NetworkConsumer
from tsunagu.realtime.hub import RETRY_SECONDS, RoomHub, get_hub, publish
from tsunagu.tenancy.models import Membership, Status

from . import actions
from .access import can_view, check_follow_permission, places_of
from .frames import message_payload, reactions_of
from .models import Attachment, Message, Room, room_group

log = logging.getLogger(__name__)

# Room for the longest message even with every character escaped as \uXXXX.
MAX_FRAME_BYTES = 32 * 1024
RESUME_BATCH = 200
TYPING_INTERVAL = 2.0
# Frames of any kind, per connection: a burst of 60, then 20 a second.
BUCKET_SIZE = 60.0
BUCKET_RATE = 20.0


class FrameError(Exception):
    def __init__(self, code: str, message: str = "", retry_after: float | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.retry_after = retry_after


def _error_text(code: str) -> str:
    return {
        "malformed": _("This frame could not be read."),
        "too_large": _("The frame is too large."),
        "unknown_type": _("Unknown frame type."),
        "not_found": _("This room does not exist."),
        "not_member": _("You are not in this room."),
        "forbidden": _("You may not do this in this room."),
        "flood": _("Too many frames. Slow down."),
    }.get(code, _("Something went wrong."))


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FrameError("malformed")
    return value


class _Sync:
    """Database work of the socket, run in Django's sync thread inside the network's scope."""

    @staticmethod
    def member(membership_id: int) -> Membership:
        member = (
            Membership.objects.select_related("network", "user")
            .filter(pk=membership_id, status=Status.ACTIVE, user__is_active=True)
            .first()
        )
        if member is None:
            raise FrameError("forbidden")
        return member

    @staticmethod
    def room(member: Membership, room_id: int) -> tuple[Room, bool]:
        """The room, if the member as they are now (from member()) may follow it."""
        room = Room.objects.filter(pk=room_id, network_id=member.network_id).first()
        if room is None:
            raise FrameError("not_found")
        joined = places_of(member).filter(room=room).exists()
        try:
            check_follow_permission(member, room, joined)
        except Http404:
            raise FrameError("not_found") from None
        except PermissionDenied:
            raise FrameError("not_member") from None
        return room, joined


@database_sync_to_async
def _joined_rooms(membership: Membership) -> list[int]:
    with scope(network=membership.network):
        places = places_of(membership).select_related("room")
        return [p.room_id for p in places if can_view(membership, p.room, True)]


@database_sync_to_async
def _may_follow(membership: Membership, room_id: int) -> bool:
    with scope(network=membership.network):
        try:
            _Sync.room(_Sync.member(membership.pk), room_id)
        except FrameError:
            return False
        return True


@database_sync_to_async
def _still_member(membership: Membership) -> bool:
    with scope(network=membership.network):
        try:
            _Sync.member(membership.pk)
        except FrameError:
            return False
        return True


@database_sync_to_async
def _send(membership: Membership, content: dict[str, Any]) -> dict[str, Any]:
    room_id = _int(content.get("room"))
    body = content.get("body", "")
    if not isinstance(body, str):
        raise FrameError("malformed")
    client_id = content.get("client_id")
    thread = content.get("thread")
    with scope(network=membership.network):
        member = _Sync.member(membership.pk)
        room, _joined = _Sync.room(member, room_id)
        thread_root = None
        if thread is not None:
            thread_root = Message.objects.filter(pk=_int(thread), room=room).first()
            if thread_root is None:
                raise FrameError("not_found", _("That message is not in this room."))
        try:
            message, created = actions.do_send_message(
                member,
                room,
                body=body,
                client_id=client_id if isinstance(client_id, str) else "",
                thread_root=thread_root,
            )
        except PermissionDenied:
            raise FrameError("forbidden") from None
        except actions.SendError as error:
            raise FrameError(str(error.code), error.messages[0], error.retry_after) from None
    return {
        "type": "ack",
        "room": room.pk,
        "client_id": message.client_id,
        "seq": message.seq,
        "id": message.pk,
        "duplicate": not created,
    }


@database_sync_to_async
def _resume(membership: Membership, room_id: int, after: int) -> list[dict[str, Any]]:
    with scope(network=membership.network):
        room, _joined = _Sync.room(_Sync.member(membership.pk), room_id)
        batch = list(
            Message.objects.filter(room=room, seq__gt=after)
            .select_related("sender__user")
            .order_by("seq")[: RESUME_BATCH + 1]
        )
        more = len(batch) > RESUME_BATCH
        batch = batch[:RESUME_BATCH]
        files: dict[int, list[Attachment]] = {}
        for attachment in Attachment.objects.filter(message__in=[m.pk for m in batch]):
            files.setdefault(attachment.message_id, []).append(attachment)
        reactions = reactions_of([m.pk for m in batch])
        slug = membership.network.slug
        frames = [
            {
                "type": "message",
                "replay": True,
                **message_payload(m, slug, files.get(m.pk, [])),
                "reactions": reactions.get(m.pk, []),
            }
            for m in batch
        ]
        last = batch[-1].seq if batch else after
        frames.append({"type": "resumed", "room": room.pk, "last": last, "more": more})
        return frames


@database_sync_to_async
def _read(membership: Membership, room_id: int, seq: int) -> None:
    with scope(network=membership.network):
        member = _Sync.member(membership.pk)
        room, _joined = _Sync.room(member, room_id)
        actions.do_mark_read(member, room, seq)


@database_sync_to_async
def _react(membership: Membership, room_id: int, message_id: int, stamp: object) -> None:
    with scope(network=membership.network):
        member = _Sync.member(membership.pk)
        room, _joined = _Sync.room(member, room_id)
        message = Message.objects.filter(pk=message_id, room=room).first()
        if message is None:
            raise FrameError("not_found", _("That message is not in this room."))
        message.room = room
        try:
            actions.do_toggle_reaction(member, message, stamp)  # type: ignore[arg-type]
        except PermissionDenied:
            raise FrameError("forbidden") from None
        except actions.SendError as error:
            raise FrameError(str(error.code), error.messages[0]) from None


def _names(text: str | None) -> dict[str, Any]:
    """The client id and room a frame names, so that refusing it names the one message."""
    try:
        content = json.loads(text or "")
    except ValueError:
        return {}
    if not isinstance(content, dict):
        return {}
    return _names_of(content)


def _names_of(content: dict[str, Any]) -> dict[str, Any]:
    names: dict[str, Any] = {}
    if isinstance(content.get("client_id"), str):
        names["client_id"] = content["client_id"][:64]
    if isinstance(content.get("room"), int):
        names["room"] = content["room"]
    return names


class TalkConsumer(NetworkConsumer):
    rooms: set[int]
    hub: RoomHub | None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """As Channels' ``AsyncConsumer.__call__``, except for the socket's own channel: when the
        channel layer fails, Channels lets the error end the connection; here the read waits
        for the layer to come back (``_layer_receive``), and the browser keeps its socket."""
        self.scope = scope
        self.hub = None
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.base_send = send
        sources = [receive]
        if self.channel_layer is not None:
            self.channel_name = await self.channel_layer.new_channel()
            sources.append(self._layer_receive)
        with contextlib.suppress(StopConsumer):  # the consumer's way to end cleanly
            await await_many_dispatch(sources, self.dispatch)

    async def _layer_receive(self) -> dict[str, Any]:
        while True:
            try:
                return await self.channel_layer.receive(self.channel_name)
            except Exception:
                log.debug("talk socket: channel layer unavailable", exc_info=True)
            await asyncio.sleep(RETRY_SECONDS)
            if self.hub is not None:
                await self.hub.wait_reachable()  # one probe per process, not one per socket

    async def connect(self) -> None:
        self.rooms = set()
        self.hub = None
        self.language = settings.LANGUAGE_CODE
        self.tokens = BUCKET_SIZE
        self.tokens_at = time.monotonic()
        self.typing_at: dict[int, float] = {}
        await super().connect()
        membership = getattr(self, "membership", None)
        if membership is None:
            return  # refused by the base consumer
        self.language = getattr(self.scope["user"], "language", "") or settings.LANGUAGE_CODE
        self.hub = get_hub(self.channel_layer)
        for room_id in await _joined_rooms(membership):
            await self._follow(room_id)
        await self.send_json(
            {"type": "hello", "member": membership.pk, "rooms": sorted(self.rooms)}
        )

    async def disconnect(self, code: int) -> None:
        if self.hub is not None:
            for room_id in list(self.rooms):
                await self.hub.unsubscribe(room_group(self.network.pk, room_id), self)
        self.rooms = set()
        await super().disconnect(code)

    async def _follow(self, room_id: int) -> None:
        if self.hub is not None and room_id not in self.rooms:
            self.rooms.add(room_id)
            await self.hub.subscribe(room_group(self.network.pk, room_id), self)

    async def _unfollow(self, room_id: int) -> None:
        if self.hub is not None and room_id in self.rooms:
            self.rooms.discard(room_id)
            await self.hub.unsubscribe(room_group(self.network.pk, room_id), self)

    # --- from the hub ---------------------------------------------------------------------------
    async def hub_deliver(self, text: str) -> None:
        await self.send(text_data=text)

    async def hub_resync(self) -> None:
        """The channel layer is back: what it held for this socket may be gone with it."""
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        # A suspension while the layer was down could not reach this socket.
        if not await _still_member(self.membership):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.send_json({"type": "resync"})

    # --- from the member's own group ------------------------------------------------------------
    async def event_forward(self, message: dict[str, Any]) -> None:
        event = message["event"]
        if event.get("type") == "talk.membership":
            room_id = int(event["room"])
            if event.get("joined") and await _may_follow(self.membership, room_id):
                await self._follow(room_id)
            elif not event.get("joined"):
                await self._unfollow(room_id)
            return
        if event.get("type") == "count":
            return  # the header's counts: the page's network socket carries them
        await super().event_forward(message)

    # --- from the browser -----------------------------------------------------------------------
    async def error(self, code: str, message: str = "", **extra: Any) -> None:
        with translation.override(self.language):
            text = message or _error_text(code)
        await self.send_json({"type": "error", "error": code, "message": text, **extra})

    def _take_token(self) -> bool:
        now = time.monotonic()
        self.tokens = min(BUCKET_SIZE, self.tokens + (now - self.tokens_at) * BUCKET_RATE)
        self.tokens_at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def _next_token_in(self) -> float:
        """Seconds until the bucket holds a token, rounded up (and a millisecond more, for the
        floating point): a frame sent then is taken."""
        return math.ceil((max(0.0, 1 - self.tokens) / BUCKET_RATE + 0.001) * 100) / 100

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        if text_data is not None and len(text_data) > MAX_FRAME_BYTES:
            await self.error("too_large")
            return
        if not self._take_token():
            # Says when to send again and which message was dropped, so a client sends that one
            # again then, not its whole outbox.
            await self.error("flood", retry_after=self._next_token_in(), **_names(text_data))
            return
        await super().receive(text_data=text_data, bytes_data=bytes_data, **kwargs)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.error("malformed")
            return
        kind = content["type"]
        handler = {
            "send": self.on_send,
            "resume": self.on_resume,
            "typing": self.on_typing,
            "read": self.on_read,
            "react": self.on_react,
        }.get(kind)
        if handler is None:
            if kind == "ping":
                await self.send_json({"type": "pong"})
            else:
                await self.error("unknown_type")
            return
        try:
            with translation.override(self.language):
                await handler(content)
        except FrameError as error:
            extra = _names_of(content)
            if error.retry_after is not None:
                extra["retry_after"] = error.retry_after
            await self.error(error.code, error.message, **extra)
        except (ValidationError, ValueError, TypeError):
            await self.error("malformed", **_names_of(content))

    async def on_send(self, content: dict[str, Any]) -> None:
        ack = await _send(self.membership, content)
        await self.send_json(ack)

    async def on_resume(self, content: dict[str, Any]) -> None:
        room_id = _int(content.get("room"))
        after = _int(content.get("after", 0))
        for frame in await _resume(self.membership, room_id, after):
            await self.send_json(frame)

    async def on_typing(self, content: dict[str, Any]) -> None:
        room_id = _int(content.get("room"))
        if room_id not in self.rooms:
            raise FrameError("not_member")
        now = time.monotonic()
        if now - self.typing_at.get(room_id, 0.0) < TYPING_INTERVAL:
            return  # typing is a hint: extra ones are dropped silently
        self.typing_at[room_id] = now
        await publish(
            room_group(self.network.pk, room_id),
            {
                "type": "typing",
                "room": room_id,
                "member": self.membership.pk,
                "name": self.scope["user"].name,
            },
        )

    async def on_read(self, content: dict[str, Any]) -> None:
        await _read(self.membership, _int(content.get("room")), _int(content.get("seq")))

    async def on_react(self, content: dict[str, Any]) -> None:
        await _react(
            self.membership,
            _int(content.get("room")),
            _int(content.get("message")),
            content.get("stamp"),
        )
