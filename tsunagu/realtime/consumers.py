from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from importlib import import_module
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.utils.crypto import constant_time_compare
from django_scopes import scopes_disabled

from tsunagu.tenancy.actions import do_note_seen
from tsunagu.tenancy.models import Membership, Network, Status

from .events import account_group, user_group

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_RECONNECT = 4409  # not an error: connect again (the member's role changed)
# How often a socket whose channel layer failed tries to join its groups again.
LAYER_RETRY_SECONDS = 0.5
WARN_EVERY_SECONDS = 60.0

log = logging.getLogger(__name__)
_warned_at = float("-inf")


def _layer_failed(error: BaseException) -> None:
    """Logged once a minute per process: every socket of the process sees the same outage."""
    global _warned_at
    now = time.monotonic()
    if now - _warned_at >= WARN_EVERY_SECONDS:
        _warned_at = now
        log.warning(
            "realtime: the channel layer failed (%s: %s); sockets wait for it",
            type(error).__name__,
            error,
        )


def _find_active_membership(slug: str, user_id: int) -> Membership | None:
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


_active_membership = database_sync_to_async(_find_active_membership)


@database_sync_to_async
def _still_admitted(session_key: str | None, membership: Membership) -> bool:
    """What the handshake admitted still holds: the session exists, for this user and signed
    with their current password, and the membership is active in the same role."""
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    if session.get(SESSION_KEY) != str(membership.user_id):
        return False  # logged out, or the session expired
    current = _find_active_membership(membership.network.slug, membership.user_id)
    if current is None or current.role != membership.role:
        return False
    user = get_user_model().objects.get(pk=membership.user_id)
    return constant_time_compare(session.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash())


class NetworkConsumer(AsyncJsonWebsocketConsumer):
    """The base socket of a member inside one network; later features add their event types.

    The handshake is checked for the session (AuthMiddlewareStack) and the Origin
    (``realtime.origin.OriginValidator``) before this runs; here we check the membership.
    """

    network: Network
    membership: Membership
    groups_joined: list[str]

    # Channels' __call__ sets this to the layer's receive() for the socket's channel; the socket
    # reads through _receive_from_layer() instead, which outlives a failure of the layer.
    @property
    def channel_receive(self) -> Callable[[], Awaitable[dict[str, Any]]]:
        return self._receive_from_layer

    @channel_receive.setter
    def channel_receive(self, receive: Callable[[], Awaitable[dict[str, Any]]]) -> None:
        self._layer_receive = receive

    async def _receive_from_layer(self) -> dict[str, Any]:
        """The socket's next event. When the channel layer fails (Redis restarted or out of
        reach), the socket stays open and waits: it joins its groups again as soon as the layer
        answers (a restarted Redis has forgotten them), then handles ``layer.recovered``."""
        try:
            return await self._layer_receive()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - whatever the layer raises, wait for it
            _layer_failed(error)
        while True:
            await asyncio.sleep(LAYER_RETRY_SECONDS)
            if not getattr(self, "groups_joined", None):
                continue  # still in the handshake, which fails or joins them itself
            try:
                for group in self.groups_joined:
                    await self.channel_layer.group_add(group, self.channel_name)
            except Exception:  # noqa: BLE001, S112 - still down
                continue
            return {"type": "layer.recovered"}

    async def layer_recovered(self, message: dict[str, Any]) -> None:
        """Events sent while the layer was down are lost, a suspension, a new role or a logout
        among them: check again what the handshake checked, then tell the page to catch up."""
        session_key = self.scope["session"].session_key
        if not await _still_admitted(session_key, self.membership):
            await self.close(code=CLOSE_RECONNECT)  # the handshake decides again
            return
        await self.send_json({"type": "resync"})

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
        groups = [user_group(self.network.pk, user.pk), account_group(user.pk)]
        try:
            for group in groups:
                await self.channel_layer.group_add(group, self.channel_name)
        except Exception as error:  # noqa: BLE001 - the browser tries again later
            _layer_failed(error)
            await self.close()
            return
        self.groups_joined = groups
        await self.accept()

    async def disconnect(self, code: int) -> None:
        groups, self.groups_joined = self.groups_joined, []
        try:
            for group in groups:
                await self.channel_layer.group_discard(group, self.channel_name)
        except Exception as error:  # noqa: BLE001 - the groups expire by themselves
            _layer_failed(error)

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

    async def group_closed(self, message: dict[str, Any]) -> None:
        await self.close(code=CLOSE_FORBIDDEN)  # what the socket followed is gone

    async def membership_changed(self, message: dict[str, Any]) -> None:
        await self.close(code=CLOSE_RECONNECT)  # the browser reconnects with the new role

    async def account_changed(self, message: dict[str, Any]) -> None:
        # A logout, a new password or a deactivation: the browser connects again, and the
        # handshake lets in only a session that is still valid (4401 for the others).
        await self.close(code=CLOSE_RECONNECT)
