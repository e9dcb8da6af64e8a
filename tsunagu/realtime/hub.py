"""Room events reach every connection of a process through one subscription per room and process.

Used by the talk socket (`talk/consumers.py`) for its rooms; any group whose every member gets the
same frames can use it.

Stock Channels puts every connection in the room's group, so a message to a room of 1,000
connections is 1,000 sends through the channel layer (1,000 Redis operations, each frame encoded
1,000 times). Here each process holds one hub per channel layer: the hub alone joins the room's
group, receives each event once, as JSON already encoded, and writes it to the sockets of that
process that are in the room.

When the channel layer fails (Redis restarted), the hub waits for it, joins its groups again and
asks every local connection to resynchronise: the browsers then ask for what they missed by
sequence number, so a restart loses nothing. The sockets stay open meanwhile: their own reads
wait for the hub to see the layer answer again (``wait_reachable``) instead of each probing it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import weakref
from collections.abc import Iterable
from typing import Any, Protocol

from asgiref.sync import async_to_sync
from channels.layers import BaseChannelLayer, get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)

# Groups expire in Redis after a day; joining again now and then keeps them, and heals a Redis
# that was restarted without anyone noticing.
REFRESH_SECONDS = 20.0
RETRY_SECONDS = 0.5


class Listener(Protocol):
    async def hub_deliver(self, text: str) -> None: ...

    async def hub_resync(self) -> None: ...


class RoomHub:
    def __init__(self, layer: BaseChannelLayer) -> None:
        self.layer = layer
        self.local: dict[str, set[Listener]] = {}
        self.channel: str | None = None
        self._lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []
        self._resyncs: set[asyncio.Task[None]] = set()
        self._reachable = asyncio.Event()
        self._reachable.set()

    async def _start(self) -> None:
        if self.channel is None:
            # The default prefix: channels_redis reads every channel of a process from one list,
            # and a channel of another prefix would wait behind the sockets' blocking reads.
            self.channel = await self.layer.new_channel()
            self._tasks = [
                asyncio.ensure_future(self._receive_loop()),
                asyncio.ensure_future(self._refresh_loop()),
            ]

    async def subscribe(self, group: str, listener: Listener) -> None:
        async with self._lock:
            await self._start()
            assert self.channel is not None
            listeners = self.local.get(group)
            if listeners is None:
                listeners = self.local[group] = set()
                await self.layer.group_add(group, self.channel)
            listeners.add(listener)

    async def unsubscribe(self, group: str, listener: Listener) -> None:
        async with self._lock:
            listeners = self.local.get(group)
            if listeners is None:
                return
            listeners.discard(listener)
            if not listeners:
                del self.local[group]
                if self.channel is not None:
                    try:
                        await self.layer.group_discard(group, self.channel)
                    except Exception:  # the group expires by itself
                        log.warning("room hub: could not leave %s", group, exc_info=True)

    def count(self, group: str) -> int:
        return len(self.local.get(group, ()))

    async def wait_reachable(self) -> None:
        """Returns at once, or once the hub has seen a failed channel layer answer again."""
        await self._reachable.wait()

    async def _deliver(self, group: str, text: str) -> None:
        for listener in list(self.local.get(group, ())):
            try:
                await listener.hub_deliver(text)
            except Exception:  # one closed socket must not stop the others
                log.debug("room hub: delivery failed", exc_info=True)

    async def _rejoin_all(self) -> None:
        assert self.channel is not None
        for group in list(self.local):
            await self.layer.group_add(group, self.channel)

    async def _recover(self) -> None:
        """Waits for the channel layer to answer again, rejoins, and has every socket resync."""
        self._reachable.clear()
        while True:
            await asyncio.sleep(RETRY_SECONDS)
            try:
                await self._rejoin_all()
            except Exception:
                log.debug("room hub: channel layer still down", exc_info=True)
                continue
            break
        self._reachable.set()
        listeners = {listener for group in self.local.values() for listener in group}
        # Beside the receive loop, not in it: room events keep flowing while a thousand sockets
        # rejoin their own groups and check their member.
        task = asyncio.ensure_future(self._resync(listeners))
        self._resyncs.add(task)
        task.add_done_callback(self._resyncs.discard)

    async def _resync(self, listeners: set[Listener]) -> None:
        for listener in listeners:
            try:
                await listener.hub_resync()
            except Exception:
                log.debug("room hub: resync failed", exc_info=True)

    async def _receive_loop(self) -> None:
        assert self.channel is not None
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("room hub: channel layer failed; recovering", exc_info=True)
                await self._recover()
                continue
            if message.get("type") == "hub.broadcast":
                await self._deliver(message["group"], message["text"])

    async def _refresh_loop(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            try:
                await self._rejoin_all()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("room hub: could not refresh groups", exc_info=True)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, RoomHub]] = (
    weakref.WeakKeyDictionary()
)


def get_hub(layer: BaseChannelLayer) -> RoomHub:
    """The hub of this process (and event loop) for the given channel layer."""
    per_loop = _hubs.setdefault(asyncio.get_running_loop(), {})
    hub = per_loop.get(id(layer))
    if hub is None or hub.layer is not layer:
        hub = per_loop[id(layer)] = RoomHub(layer)
    return hub


def encode(event: dict[str, Any]) -> str:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


async def publish(group: str, event: dict[str, Any]) -> None:
    """Sends an event to a room's hubs now (ephemeral events: typing)."""
    layer = get_channel_layer()
    if layer is None:
        return
    with contextlib.suppress(Exception):  # a hint only: lost when the layer is down
        await layer.group_send(
            group, {"type": "hub.broadcast", "group": group, "text": encode(event)}
        )


def send_room_events(groups: Iterable[str], event: dict[str, Any]) -> None:
    """Sends an event to the rooms' hubs once the transaction commits, never before.

    Best effort: when the channel layer is down the message is still stored, and browsers fetch
    it by sequence number when they resynchronise.
    """
    targets = list(groups)
    text = encode(event)

    def push() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        send = async_to_sync(layer.group_send)
        for group in targets:
            send(group, {"type": "hub.broadcast", "group": group, "text": text})

    transaction.on_commit(push, robust=True)
