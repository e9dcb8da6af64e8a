"""Redis goes away while members browse: pages keep answering from the database, sessions hold,
/healthz says what is down, and once Redis is back the cache fills again and sockets hear events.

A real site: a SQLite database of its own, a private Redis and a uvicorn process serving pages
and sockets, as in production; the tests stop that Redis under load and start it again, once
with the snapshot it had (as a service manager restarts it) and once empty."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import secrets
import shutil
import urllib.parse
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import redis

from conftest import require
from tsunagu.core.testing.servers import AsgiWorker, PrivateRedis
from tsunagu.testing.sites import Site, make_site

pytestmark = [pytest.mark.redis, pytest.mark.asyncio]

NETWORK_NAME = "三ツ葉商事 アルムナイ"
# Every kind of network page a member opens: the home feed, the directory and a profile, the
# lists of events, boards, news and talk, a room, notifications, search, their own profile.
PAGES = [
    "",
    "members/",
    "members/{member}/",
    "events/",
    "boards/",
    "news/",
    "talk/",
    "talk/r/{room}/",
    "notifications/",
    "search/?q=" + urllib.parse.quote("佐藤"),
    "profile/edit/",
]
ROUNDS = 3
# The browser's CSRF secret: the cookie and the form field carry the same value.
CSRF = secrets.token_hex(16)


@dataclass
class Answer:
    status: int
    body: str


def request(port: int, path: str, session: str, form: dict[str, str] | None = None) -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": f"sessionid={session}; csrftoken={CSRF}"}
    body = None
    if form is not None:
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": CSRF, **form})
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request("GET" if form is None else "POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.read().decode("utf-8", "replace"))
    finally:
        connection.close()


@dataclass
class Running:
    """The site, its Redis and its uvicorn process, with one network socket per member."""

    site: Site
    redis: PrivateRedis
    worker: AsgiWorker
    sockets: list[Socket]

    def page(self, member: int, page: str) -> str:
        return f"/n/{self.site.slug}/" + page.format(
            member=self.site.members[member], room=self.site.room
        )

    async def get(self, member: int, page: str) -> Answer:
        path = self.page(member, page)
        return await asyncio.to_thread(request, self.worker.port, path, self.site.sessions[member])

    async def post(self, member: int, page: str, form: dict[str, str]) -> Answer:
        path = self.page(member, page)
        session = self.site.sessions[member]
        return await asyncio.to_thread(request, self.worker.port, path, session, form)

    async def browse(self, members: list[int], rounds: int) -> list[tuple[str, Answer]]:
        """Each member opens every page, ``rounds`` times over, four requests at a time."""
        jobs = [
            (self.page(member, page), self.site.sessions[member])
            for _ in range(rounds)
            for member in members
            for page in PAGES
        ]

        def run() -> list[Answer]:
            with ThreadPoolExecutor(max_workers=4) as pool:
                return list(pool.map(lambda job: request(self.worker.port, *job), jobs))

        answers = await asyncio.to_thread(run)
        return [(path, answer) for (path, _session), answer in zip(jobs, answers, strict=True)]

    async def health(self) -> tuple[int, dict[str, str]]:
        answer = await asyncio.to_thread(request, self.worker.port, "/healthz", "")
        return answer.status, json.loads(answer.body)["checks"]

    def cached_sessions(self) -> set[bytes]:
        client = redis.Redis.from_url(self.redis.url)
        return set(client.scan_iter(match="*django.contrib.sessions.cached_db*"))


def failures(answers: list[tuple[str, Answer]]) -> list[str]:
    """Anything but the page itself: an error, or a redirect to the login (a session lost)."""
    return [
        f"{answer.status} {path}"
        for path, answer in answers
        if answer.status != 200 or NETWORK_NAME not in answer.body
    ]


@dataclass
class Socket:
    """The page's network socket as tsunagu.js keeps it: connects again with a backoff after any
    close, except 4401 and 4403 (not allowed)."""

    port: int
    slug: str
    session: str
    opened: int = 0
    closes: list[int | None] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    ws: Any = None
    _stop: bool = False

    async def run(self) -> None:
        import websockets

        delay = 0.2
        while not self._stop:
            try:
                async with websockets.connect(
                    f"ws://127.0.0.1:{self.port}/ws/n/{self.slug}/",
                    additional_headers={"Cookie": f"sessionid={self.session}"},
                    origin=f"http://127.0.0.1:{self.port}",  # type: ignore[arg-type]
                    open_timeout=5,
                ) as ws:
                    self.ws = ws
                    self.opened += 1
                    delay = 0.2
                    with contextlib.suppress(websockets.ConnectionClosed):
                        async for text in ws:
                            self.events.append(json.loads(text))
                    self.closes.append(ws.close_code)
            except (TimeoutError, OSError, websockets.InvalidHandshake):
                self.closes.append(None)  # refused before it opened
            self.ws = None
            if self.closes[-1] in (4401, 4403):
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    def heard(self, kind: str, since: int = 0) -> bool:
        return any(event.get("type") == kind for event in self.events[since:])

    async def ping(self) -> bool:
        if self.ws is None:
            return False
        since = len(self.events)
        with contextlib.suppress(Exception):
            await self.ws.send(json.dumps({"type": "ping"}))
        return await wait_until(lambda: self.heard("pong", since), timeout=5)

    async def close(self) -> None:
        self._stop = True
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()


async def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()


@pytest_asyncio.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    require("redis-server", shutil.which("redis-server") is not None)
    snapshots = tmp_path / "redis"
    snapshots.mkdir()
    server = PrivateRedis(directory=snapshots)
    server.start()
    site = make_site(tmp_path, server.url, members=4)  # an operator and three alumni
    worker = AsgiWorker(site.env)
    worker.start()
    sockets = [Socket(worker.port, site.slug, session) for session in site.sessions]
    tasks = [asyncio.ensure_future(socket.run()) for socket in sockets]
    try:
        yield Running(site, server, worker, sockets)
    finally:
        for socket in sockets:
            await socket.close()
        for task in tasks:
            task.cancel()
        worker.kill()
        server.stop()


async def cache_used_again(running: Running, members: list[int]) -> bool:
    """Browses until the sessions are written to the cache again (a process leaves Redis alone
    for a second after its last failure). Those Redis brought back are dropped first, so only
    a new write counts."""
    client = redis.Redis.from_url(running.redis.url)
    for key in running.cached_sessions():
        client.delete(key)
    for _ in range(20):
        assert failures(await running.browse(members, 1)) == []
        if running.cached_sessions():
            return True
        await asyncio.sleep(0.2)
    return False


async def all_up(running: Running, members: list[int]) -> None:
    assert failures(await running.browse(members, 1)) == []
    for member in members:
        socket = running.sockets[member]
        assert await wait_until(lambda s=socket: s.ws is not None), socket.closes
        assert await socket.ping()


async def test_pages_answer_while_redis_is_down_and_what_changed_holds_once_it_is_back(
    running: Running,
) -> None:
    operator, alumni, suspended, leaving = 0, 1, 2, 3
    await all_up(running, [operator, alumni, suspended, leaving])
    assert await running.health() == (
        200,
        {"database": "ok", "cache": "ok", "channel_layer": "ok", "broker": "ok"},
    )
    # Redis stops as a service manager stops it: what it holds is saved, and read again at start.
    redis.Redis.from_url(running.redis.url).save()
    assert running.cached_sessions()
    running.redis.stop()

    # Every page, for every member, with the session they had: from the database.
    answers = await running.browse([operator, alumni, suspended, leaving], ROUNDS)
    assert len(answers) == ROUNDS * 4 * len(PAGES)
    assert failures(answers) == []
    assert await running.health() == (
        503,
        {"database": "ok", "cache": "down", "channel_layer": "down", "broker": "down"},
    )
    # Writes go through, though nobody hears of them live; a suspension applies at once.
    said = await running.post(
        alumni, "talk/r/{room}/send/", {"body": "Redis が止まっていても", "client_id": "c-1"}
    )
    assert said.status == 302
    changed = await running.post(
        operator,
        f"manage/members/{running.site.members[suspended]}/",
        {"role": "alumni", "status": "suspended"},
    )
    assert changed.status == 302
    assert (await running.get(suspended, "")).status == 403
    logged_out = await asyncio.to_thread(
        request, running.worker.port, "/accounts/logout/", running.site.sessions[leaving], {}
    )
    assert logged_out.status == 302
    assert (await running.get(leaving, "")).status == 302  # to the login page

    running.redis.start()

    # Redis holds what it had before: the suspended member's membership, as active, and the
    # session that was logged out.
    assert await cache_used_again(running, [operator, alumni])
    assert (await running.get(suspended, "")).status == 403
    assert (await running.get(leaving, "")).status == 302
    assert "Redis が止まっていても" in (await running.get(operator, "talk/r/{room}/")).body
    assert (await running.health())[0] == 200
    # The sockets stayed open; those of the suspended member and of the one who logged out
    # are closed, the others catch up and hear events again.
    gone = [running.sockets[suspended], running.sockets[leaving]]
    for socket in gone:
        assert await wait_until(lambda s=socket: 4409 in s.closes), socket.closes
    for member in (operator, alumni):
        socket = running.sockets[member]
        assert await wait_until(lambda s=socket: s.heard("resync")), socket.events
        assert socket.opened == 1 and await socket.ping()
    heard = [len(running.sockets[member].events) for member in (operator, alumni)]
    opened = await running.post(alumni, f"talk/dm/{running.site.members[operator]}/", {})
    assert opened.status == 302
    for member, since in zip((operator, alumni), heard, strict=True):
        socket = running.sockets[member]
        assert await wait_until(lambda s=socket, n=since: s.heard("talk.membership", n))
    assert [socket.opened for socket in gone] == [1, 1], "a socket was let in again"


async def test_sockets_hear_events_again_when_redis_comes_back_empty(running: Running) -> None:
    operator, alumni = 0, 1
    await all_up(running, [operator, alumni])
    running.redis.stop()

    answers = await running.browse([operator, alumni], ROUNDS)
    assert failures(answers) == []
    # A page opened meanwhile cannot open its socket yet; it keeps trying.
    late = Socket(running.worker.port, running.site.slug, running.site.sessions[alumni])
    trying = asyncio.ensure_future(late.run())
    try:
        assert await wait_until(lambda: len(late.closes) >= 2)
        assert late.opened == 0

        running.redis.start()  # empty: no cache entry, no session, no group is left

        assert await cache_used_again(running, [operator, alumni])
        assert await wait_until(lambda: late.ws is not None, timeout=30)
        for socket in running.sockets[:2]:  # open all along, and told to catch up
            assert await wait_until(lambda s=socket: s.heard("resync"))
            assert socket.opened == 1, socket.closes
        heard = [len(socket.events) for socket in (*running.sockets[:2], late)]
        # A new room of the alumnus with the office (every operator) is told to both.
        opened = await running.post(alumni, "talk/office/", {})
        assert opened.status == 302
        for socket, since in zip((*running.sockets[:2], late), heard, strict=True):
            assert await wait_until(lambda s=socket, n=since: s.heard("talk.membership", n))
    finally:
        await late.close()
        trying.cancel()
