"""Real processes for the talk tests and benchmarks: a private Redis, ASGI workers (uvicorn) on a
SQLite database of their own, and a small websocket client that speaks the talk protocol the way
the browser script does (outbox of unacknowledged messages, resume by sequence number)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .processes import ROOT, clean_env, run_manage


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port}")


class PrivateRedis:
    """A Redis server of our own (no persistence): restarting it loses every key and group.

    With ``directory``, a snapshot taken with ``SAVE`` is kept there and loaded by the next
    start, as a Redis restarted by its service manager comes back with what it had."""

    def __init__(self, port: int | None = None, directory: Path | None = None) -> None:
        self.port = port or free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"]
        if self.directory is not None:
            command += ["--dir", str(self.directory)]
        self.process = subprocess.Popen(  # noqa: S603 - a fixed command line
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def restart(self, down_for: float = 0.5) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()


class AsgiWorker:
    """One uvicorn process serving config.asgi, as in production."""

    def __init__(
        self, env: dict[str, str], port: int | None = None, extra_args: tuple[str, ...] = ()
    ) -> None:
        self.env = env
        self.port = port or free_port()
        self.extra_args = extra_args
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own application
            [
                sys.executable,
                "-m",
                "uvicorn",
                "config.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--lifespan",
                "off",
                "--log-level",
                "warning",
                *self.extra_args,
            ],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def kill(self) -> None:
        """SIGKILL: the worker dies mid-flight, as on a crash."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid


@dataclass
class Site:
    """A database of its own with one network, members with sessions, and its casual room."""

    data_dir: Path
    env: dict[str, str]
    slug: str
    room: int
    sessions: list[str]
    members: list[int]


_TEMPLATE: dict[str, Path] = {}


def migrated_database(base: Path) -> Path:
    """A migrated SQLite file, made once per test run and copied for each site."""
    if "db" not in _TEMPLATE or not _TEMPLATE["db"].exists():
        template_dir = base / "template"
        template_dir.mkdir(parents=True, exist_ok=True)
        result = run_manage(clean_env(template_dir), "migrate", "--noinput", "-v0")
        assert result.returncode == 0, result.stderr
        _TEMPLATE["db"] = template_dir / "tsunagu.sqlite3"
    return _TEMPLATE["db"]


def make_site(base: Path, redis_url: str | None, members: int = 3, **variables: str) -> Site:
    """Without ``redis_url`` the site runs embedded: one process, the in-memory channel layer."""
    data_dir = base / f"site-{uuid.uuid4().hex[:8]}"
    data_dir.mkdir(parents=True)
    shutil.copy(migrated_database(base), data_dir / "tsunagu.sqlite3")
    if redis_url:
        variables["REDIS_URL"] = redis_url
    env = clean_env(
        data_dir,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        TALK_RATE_MESSAGES="1000000",
        **variables,
    )
    result = run_manage(
        env,
        "shell",
        "-c",
        f"from tsunagu.core.testing.talk_server import seed_site; seed_site({int(members)})",
    )
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout.strip().splitlines()[-1])
    return Site(data_dir=data_dir, env=env, **info)


NAMES = ["佐藤 美咲", "田中 花子", "鈴木 一郎"]


def seed_site(members: int) -> None:
    """Run inside the site's process (manage.py shell): prints the site as JSON."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django_scopes import scopes_disabled

    from tsunagu.accounts.models import User
    from tsunagu.talk.models import Room
    from tsunagu.tenancy.models import Membership, Network, Role

    store = import_module(settings.SESSION_ENGINE).SessionStore
    password = make_password(None)
    with scopes_disabled():
        network = Network.objects.create(slug="kaisou", name="三ツ葉商事 アルムナイ")
        sessions, ids = [], []
        for i in range(members):
            name = NAMES[i] if i < len(NAMES) else f"会員 {i:04d}"
            user = User.objects.create(email=f"member{i}@example.jp", name=name, password=password)
            membership = Membership.objects.create(
                network=network, user=user, role=Role.OPERATOR if i == 0 else Role.ALUMNI
            )
            session = store()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.save()
            sessions.append(session.session_key)
            ids.append(membership.pk)
        room = Room.objects.get(network=network, is_default=True)
    print(  # noqa: T201 - read by the parent process
        json.dumps({"slug": network.slug, "room": room.pk, "sessions": sessions, "members": ids})
    )


# --- The client -------------------------------------------------------------------------------


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


def environment_with(env: dict[str, str], **variables: str) -> dict[str, str]:
    merged = dict(env)
    merged.update(variables)
    return merged


__all__ = [
    "AsgiWorker",
    "PrivateRedis",
    "Site",
    "TalkClient",
    "environment_with",
    "free_port",
    "make_site",
]
