from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django_scopes import scopes_disabled

from tsunagu.tenancy.actions import do_note_seen
from tsunagu.tenancy.models import Membership, Network, Status

from .events import account_group, user_group

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_RECONNECT = 4409  # not an error: connect again (the member's role changed)


@database_sync_to_async
def _active_membership(slug: str, user_id: int) -> Membership | None:
    with scopes_disabled():
        return (
            Membership.objects.filter(
                network__slug=slug,
                network__is_active=True,
                user_id=user_id,
                user__is_active=True,
                status=Status.ACTIVE,
            )
            .select_related("network")
            .first()
        )


class NetworkConsumer(AsyncJsonWebsocketConsumer):
    """The base socket of a member inside one network; later features add their event types.

    The handshake is checked for the session (AuthMiddlewareStack) and the Origin
    (``realtime.origin.OriginValidator``) before this runs; here we check the membership.
    """

    network: Network
    membership: Membership
    groups_joined: list[str]

    async def connect(self) -> None:
        self.groups_joined = []
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        slug = self.scope["url_route"]["kwargs"]["network_slug"]
        membership = await _active_membership(slug, user.pk)
        if membership is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.membership = membership
        self.network = membership.network
        await database_sync_to_async(do_note_seen)(membership.pk)
        for group in (user_group(self.network.pk, user.pk), account_group(user.pk)):
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = []

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.send_json({"type": "error", "error": "malformed"})
            return
        if content["type"] == "ping":
            await self.send_json({"type": "pong"})
            return
        await self.send_json({"type": "error", "error": "unknown_type"})

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        # A malformed frame gets an error frame; the connection stays open.
        if text_data is None:
            await self.send_json({"type": "error", "error": "malformed"})
            return
        try:
            content = await self.decode_json(text_data)
        except ValueError:
            content = None
        await self.receive_json(content)

    async def event_forward(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])

    async def membership_revoked(self, message: dict[str, Any]) -> None:
        await self.close(code=CLOSE_FORBIDDEN)

    async def membership_changed(self, message: dict[str, Any]) -> None:
        await self.close(code=CLOSE_RECONNECT)  # the browser reconnects with the new role

    async def account_changed(self, message: dict[str, Any]) -> None:
        # A logout, a new password or a deactivation: the browser connects again, and the
        # handshake lets in only a session that is still valid (4401 for the others).
        await self.close(code=CLOSE_RECONNECT)
