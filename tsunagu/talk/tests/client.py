"""A websocket client that speaks the talk protocol the way the browser script does: an outbox
of unacknowledged messages, resent after a reconnect, and resume by sequence number."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass
class TalkClient:
    """Speaks the talk protocol like talk.js: resends what is not acknowledged, resumes by number.

    ``ports`` lists the workers it may use; it reconnects to the next one when its socket drops.
    """

    ports: list[int]
    slug: str
    session: str
    room: int
    seen: dict[int, dict[str, Any]] = field(default_factory=dict)  # seq → frame
    outbox: dict[str, str] = field(default_factory=dict)  # client id → body
    acked: dict[str, int] = field(default_factory=dict)  # client id → seq
    duplicates_acked: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    reconnects: int = 0
    last_seq: int = 0
    ws: Any = None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _stop: bool = False
    _turn: int = 0

    async def _connect(self) -> None:
        import websockets

        while not self._stop:
            port = self.ports[self._turn % len(self.ports)]
            self._turn += 1
            try:
                self.ws = await websockets.connect(
                    f"ws://127.0.0.1:{port}/ws/n/{self.slug}/talk/",
                    additional_headers={"Cookie": f"sessionid={self.session}"},
                    origin=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
                    open_timeout=5,
                    max_size=None,
                )
            except Exception:  # noqa: BLE001 - the worker is down: try again
                await asyncio.sleep(0.2)
                continue
            # As talk.js does on open: resend the outbox, then ask for what was missed.
            for client_id, body in list(self.outbox.items()):
                await self._send_frame(
                    {"type": "send", "room": self.room, "client_id": client_id, "body": body}
                )
            await self._send_frame({"type": "resume", "room": self.room, "after": self.last_seq})
            return

    async def _send_frame(self, frame: dict[str, Any]) -> None:
        with contextlib.suppress(Exception):
            await self.ws.send(json.dumps(frame, ensure_ascii=False))

    async def run(self) -> None:
        await self._connect()
        while not self._stop:
            try:
                text = await self.ws.recv()
            except Exception:  # noqa: BLE001 - the worker went away
                if self._stop:
                    return
                self.reconnects += 1
                await asyncio.sleep(0.1)
                await self._connect()
                continue
            self.handle(json.loads(text))

    def handle(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind == "ack":
            if frame.get("duplicate"):
                self.duplicates_acked += 1
            self.acked[frame["client_id"]] = frame["seq"]
            self.outbox.pop(frame["client_id"], None)
        elif kind == "message" and frame.get("room") == self.room:
            replay = frame.get("replay")
            seq = frame["seq"]
            self.seen[seq] = frame
            if replay or seq <= self.last_seq + 1:
                self.last_seq = max(self.last_seq, seq)
            else:
                # A gap: ask for what is missing, as the browser does.
                asyncio.ensure_future(
                    self._send_frame({"type": "resume", "room": self.room, "after": self.last_seq})
                )
            self.arrived.set()
        elif kind == "resumed" and frame.get("room") == self.room:
            self.last_seq = max(self.last_seq, frame["last"])
            if frame.get("more"):
                asyncio.ensure_future(
                    self._send_frame({"type": "resume", "room": self.room, "after": frame["last"]})
                )
        elif kind == "resync":
            asyncio.ensure_future(
                self._send_frame({"type": "resume", "room": self.room, "after": self.last_seq})
            )
        elif kind == "error":
            self.errors.append(frame)

    async def say(self, body: str) -> str:
        client_id = f"c-{uuid.uuid4().hex}"
        self.outbox[client_id] = body
        if self.ws is not None:
            await self._send_frame(
                {"type": "send", "room": self.room, "client_id": client_id, "body": body}
            )
        return client_id

    async def resend_outbox(self) -> None:
        for client_id, body in list(self.outbox.items()):
            await self._send_frame(
                {"type": "send", "room": self.room, "client_id": client_id, "body": body}
            )

    async def close(self) -> None:
        self._stop = True
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
