"""The socket of a shared room: the member's network socket, following one room of a link.

It opens only for a member the one rule lets use the room (``access.can_use_shared_room``),
hears the room's new messages through the member's own group (``send_event`` from the action,
named as the member's side names their writers), and joins two groups only to be closed: the
room's (when the link ends or stops sharing rooms, every socket on the room, on both sides, gets
4403) and the member's own on the room (when they leave it, their sockets on it get 4403).
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from tsunagu.realtime.consumers import CLOSE_FORBIDDEN, NetworkConsumer, _active_membership
from tsunagu.tenancy.models import Membership

from .access import can_use_shared_room, find_shared_room
from .actions import do_post_shared_message
from .models import shared_room_group, shared_room_member_group


@database_sync_to_async
def _may_use(membership: Membership, room_id: int) -> bool:
    room = find_shared_room(room_id)
    return room is not None and can_use_shared_room(membership, room)


@database_sync_to_async
def _post(membership: Membership, room_id: int, body: str) -> int:
    room = find_shared_room(room_id)
    if room is None:
        raise Http404
    return do_post_shared_message(membership, room, body).pk


class SharedRoomConsumer(NetworkConsumer):
    room_id: int
    language: str

    async def connect(self) -> None:
        self.groups_joined = []
        self.room_id = int(self.scope["url_route"]["kwargs"]["shared_room_id"])
        user = self.scope.get("user")
        self.language = getattr(user, "language", "") or settings.LANGUAGE_CODE
        if user is not None and user.is_authenticated:
            slug = self.scope["url_route"]["kwargs"]["network_slug"]
            membership = await _active_membership(slug, user.pk)
            if membership is not None and not await _may_use(membership, self.room_id):
                await self.close(code=CLOSE_FORBIDDEN)
                return
        await super().connect()  # the session, the membership, the member's own groups
        if not self.groups_joined:
            return
        # The room's group closes when the room does; the member's own group on the room, when
        # they leave it.
        groups = [
            shared_room_group(self.room_id),
            shared_room_member_group(self.room_id, self.membership.pk),
        ]
        try:
            for group in groups:
                await self.channel_layer.group_add(group, self.channel_name)
                self.groups_joined.append(group)
        except Exception:  # noqa: BLE001 - the browser tries again later, as for the network's
            await self.close()
            return
        # Asked again once in the room's group: a link that ended in between is seen here, or
        # its closing reaches this socket through the group.
        if not await _may_use(self.membership, self.room_id):
            await self.close(code=CLOSE_FORBIDDEN)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "send":
            await self.on_send(content)
            return
        await super().receive_json(content, **kwargs)

    async def on_send(self, content: dict[str, Any]) -> None:
        """A message written over the socket, under the same rule and limit as the page's form:
        stored, it reaches everyone (this socket too) as ``shared.message``; refused, it gets
        an error frame in the member's language (with ``retry_after`` when sent too fast)."""
        body = content.get("body")
        with translation.override(self.language):
            if not isinstance(body, str):
                await self.send_json(
                    {"type": "error", "error": "malformed", "message": _("Write a message.")}
                )
                return
            try:
                message_id = await _post(self.membership, self.room_id, body)
            except Http404:
                await self.close(code=CLOSE_FORBIDDEN)  # the room closed, or they left it
                return
            except ValidationError as refusal:
                frame: dict[str, Any] = {
                    "type": "error",
                    "error": getattr(refusal, "code", None) or "invalid",
                    "message": " ".join(refusal.messages),
                }
                retry_after = getattr(refusal, "retry_after", None)
                if retry_after is not None:
                    frame["retry_after"] = retry_after
                await self.send_json(frame)
                return
        await self.send_json({"type": "sent", "id": message_id})

    async def event_forward(self, message: dict[str, Any]) -> None:
        event = message["event"]
        if event.get("type") == "shared.message" and event.get("room") == self.room_id:
            await self.send_json(event)
